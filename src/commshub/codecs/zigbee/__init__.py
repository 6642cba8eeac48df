"""ZIGBEE codecs."""
