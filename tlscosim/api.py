"""The Python API for tests and scripts: a board running while the caller talks to it.

    with tlscosim.start("build/fw/echo.elf", net="wire") as sim:
        sim.uart.expect(r"listening", timeout_s=10)
        sim.wire.send(Ether(dst=...) / IP(dst="192.0.2.2") / ICMP())
        reply = sim.wire.expect(ICMP, timeout_s=5)
"""

from __future__ import annotations

from pathlib import Path


def start(elf: str | Path, board: str | Path = "mps2-an386", net: str | None = None, *,
          pcap: str | Path | None = None, paced: bool = True, args: list[str] = (),
          semihosting_root: str | Path | None = None, **options):
    """Loads `elf` on `board` and starts it in a thread; `net` connects its Ethernet
    controller ("wire": frames to and from Python; "tap": a TAP interface in a network
    namespace made for the run). Other options are RunOptions fields (max_cycles,
    timeout_s, seed, timing, ...); `args` is the firmware's command line after its name
    (semihosting SYS_GET_CMDLINE); `semihosting_root` the folder the firmware's file I/O
    may reach (`tlscosim run --semihosting-root`). Returns a Session (sim/board/net/session.py)."""
    from .sim.board.net.session import Session
    from .sim.frontends.runner import load_simulation

    holder = {}

    def uart_sink(name: str, data: bytes) -> None:
        if name == "uart0" and "session" in holder:
            holder["session"].uart.feed(data)

    sim = load_simulation(elf, board, uart_sink=uart_sink, **options)
    if args or semihosting_root is not None:
        from .sim.board import semihosting
        semihosting.attach(sim, root=semihosting_root, args=[Path(elf).name, *args])
    session = Session(sim, net=net, pcap=pcap, paced=paced)
    holder["session"] = session
    return session.start()
