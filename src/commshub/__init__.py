"""commshub: an emulator of a GB smart metering (SMETS2) Communications Hub."""

__version__ = "0.1.0"
