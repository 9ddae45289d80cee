"""Every storage element of an elaborated design: flip-flops and memory rows.

The zeroization tests read them all in simulation after CLEAR and after reset; walking
the fragment tree (rather than listing registers by hand) means a register added later
cannot be forgotten. Flip-flops are the signals assigned in a clocked domain; memories
contribute every row and the output register of each synchronous read port.
"""

from amaranth.hdl import Fragment
from amaranth.hdl._mem import MemoryInstance


def storage_elements(fragment: Fragment, prefix: str = "top") -> dict[str, object]:
    """{hierarchical name: value} of every flip-flop and memory row under `fragment`."""
    found = {}
    if isinstance(fragment, MemoryInstance):
        data = fragment._data
        for row in range(data.depth):
            found[f"{prefix}[{row}]"] = data[row]
        for index, port in enumerate(fragment._read_ports):
            if port._domain != "comb":
                found[f"{prefix}.read_port{index}.data"] = port._data
    for domain, statements in fragment.statements.items():
        if domain == "comb":
            continue
        for statement in statements:
            for signal in statement._lhs_signals():
                name = f"{prefix}.{signal.name}"
                while name in found and found[name] is not signal:   # same name, other signal
                    name += "'"
                found[name] = signal
    for index, (sub, name, _src) in enumerate(fragment.subfragments):
        found.update(storage_elements(sub, f"{prefix}.{name or f'unnamed{index}'}"))
    return found
