"""Hypothesis strategies for the gbcs codecs."""

__all__: list[str] = []
