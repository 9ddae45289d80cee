"""The board: devices built from a board description, the bus, host links, firmware loading and the run loop."""
