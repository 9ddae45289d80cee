"""The board's network: host I/O ports, links (wire, TAP in a namespace), pcap, host commands."""

NETS = ("wire", "tap")      # the links `--net` and tlscosim.start(net=...) accept
