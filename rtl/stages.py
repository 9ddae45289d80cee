"""Combinational stages that simulate fast and share their subexpressions."""

from amaranth.hdl import Module, Signal


def stage(m: Module, name: str, values, targets=None) -> list[Signal]:
    """Drive each expression onto its own signal, in a submodule of its own.

    Signals: Amaranth does not share subexpressions, so a value used in several places is
    otherwise rebuilt in each. A submodule: Amaranth's simulator re-evaluates a module's
    whole combinational logic whenever one of its inputs changes, so a chain of signals
    inside one module costs one full evaluation per link; one module per stage keeps the
    simulation several times faster and changes nothing in the hardware.
    `targets`, if given, are driven instead of new signals (e.g. memory port inputs).
    """
    sub = m.submodules[name] = Module()
    values = list(values)
    if targets is None:
        targets = [Signal(len(value), name=f"{name}{k}") for k, value in enumerate(values)]
    for target, value in zip(targets, values, strict=True):
        sub.d.comb += target.eq(value)
    return targets
