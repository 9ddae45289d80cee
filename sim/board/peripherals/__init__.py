"""Device models, by the `model` name used in platform/ board files."""

from __future__ import annotations


def device_class(model: str):
    """The class implementing a model; imported lazily so each stays independent."""
    models = device_models()
    try:
        return models[model]
    except KeyError:
        raise KeyError(f"no device model {model!r}; known: {sorted(models)}") from None


def known_models() -> dict[str, type]:
    """Every model a board file may name, the core's own devices included. A model's
    class may declare OPTIONS (key -> tlscosim.schema.Key): the extra keys its
    [[peripheral]] entries accept."""
    return device_models()


def device_models() -> dict[str, type]:
    """model name -> class. Every class follows one contract: built as cls(spec, ctx)
    (sim/board/context.py), then read(offset, size), write(offset, size, value), reset() and
    close()."""
    from . import accelerator, cmsdk_timer, cmsdk_uart, dwt, lan9118, rtc, scs, trng, unimplemented

    models = {
        "cmsdk_uart": cmsdk_uart.CmsdkUart,
        "cmsdk_timer": cmsdk_timer.CmsdkTimer,
        "trng": trng.Trng,
        "rtc": rtc.Rtc,
        "lan9118": lan9118.Lan9118,
        "unimplemented": unimplemented.Unimplemented,
        "rtl_accelerator": accelerator.RtlAccelerator,
        "scs": scs.SystemControlSpace,
        "dwt": dwt.Dwt,
    }
    return models
