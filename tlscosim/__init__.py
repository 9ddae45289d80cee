"""tlscosim: co-simulation of a Cortex-M4 board, its firmware and RTL accelerators."""

__version__ = "0.1.0"
