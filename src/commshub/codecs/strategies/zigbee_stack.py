"""Hypothesis strategies for the zigbee_stack codecs."""

__all__: list[str] = []
