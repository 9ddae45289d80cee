"""tlscosim: co-simulation of a Cortex-M4 board, its firmware and RTL accelerators."""

__version__ = "0.1.0"

from .api import start  # noqa: E402  (the Python API: tlscosim.start(elf, net="wire"))

__all__ = ["start"]
