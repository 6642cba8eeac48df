"""GBCS codecs."""
