"""DLMS codecs."""
