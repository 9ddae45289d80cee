"""`tlscosim rtl bench`: throughput of the bus driver, per back end (for docs/rtl.md).

Three loads: back-to-back accesses, busy cycles (operations left to run between
accesses, as when firmware polls rarely), and an idle gap that fast-forward skips.
"""

import time

from .busdev import RtlBusDevice
from .clients import AesClient, GcmClient, Sha256Client

CLIENTS = {"aes": AesClient, "sha256": Sha256Client, "gcm": GcmClient}


def _rate(count: int, seconds: float) -> int:
    return round(count / seconds) if seconds > 0 else 0


def bench(core: str, backend: str, operations: int = 200) -> dict:
    with RtlBusDevice(core, backend=backend) as dev:
        client = CLIENTS[core](dev)
        data_reg = "BLOCK" if core == "sha256" else "DIN"
        began = time.perf_counter()
        for i in range(operations):
            client.write(data_reg, i, i % dev.regmap[data_reg].count)
        writes = _rate(operations, time.perf_counter() - began)
        began = time.perf_counter()
        for _ in range(operations):
            client.read("STATUS")
        reads = _rate(operations, time.perf_counter() - began)

        if core == "aes":
            client.set_key(bytes(16))
        elif core == "gcm":
            client.set_key(0, bytes(16))
        start_cycle, began = dev.cycle, time.perf_counter()
        busy_cycles = 0
        for _ in range(operations // 4):
            cycle = client.start()
            dev.advance_while_busy(cycle + 10_000)
            busy_cycles += dev.cycle - cycle
        elapsed = time.perf_counter() - began
        busy = _rate(busy_cycles, elapsed)
        overall = _rate(dev.cycle - start_cycle, elapsed)

        began = time.perf_counter()
        dev.advance_to(dev.cycle + 10**9)
        idle = _rate(10**9, time.perf_counter() - began)
    return {"writes_per_s": writes, "reads_per_s": reads, "busy_cycles_per_s": busy,
            "operation_cycles_per_s": overall, "idle_cycles_per_s": idle}
