"""Board simulator: CPU on Unicorn, bus, core and device peripherals, run loop."""
