"""commshub.hub"""
