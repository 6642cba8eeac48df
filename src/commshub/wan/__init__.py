"""commshub.wan"""
