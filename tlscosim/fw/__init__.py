"""Firmware: build driver, generated board header and linker memories, QEMU runner."""
