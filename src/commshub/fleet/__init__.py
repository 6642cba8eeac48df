"""commshub.fleet"""
