"""The engine: runs instructions on Unicorn and counts their cycles (native hooks, decoder, timing model, accounting)."""
