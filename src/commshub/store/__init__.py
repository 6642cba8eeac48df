"""commshub.store"""
