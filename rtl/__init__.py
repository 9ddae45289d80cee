"""RTL accelerators in Amaranth HDL, their register maps and exports."""
