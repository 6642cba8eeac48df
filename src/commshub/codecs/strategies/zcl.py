"""Hypothesis strategies for the zcl codecs."""

__all__: list[str] = []
