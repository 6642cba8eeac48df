"""commshub.devices"""
