"""commshub.hil"""
