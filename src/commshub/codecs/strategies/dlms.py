"""Hypothesis strategies for the dlms codecs."""

__all__: list[str] = []
