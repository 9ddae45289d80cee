"""TLS end to end on the simulated board: host peers (Python's ssl), certificates,
the firmware's event lines and the `tlscosim handshake` command."""
