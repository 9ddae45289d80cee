"""Device models, by the `model` name used in platform/ board files."""

from __future__ import annotations


def device_class(model: str):
    """The class implementing a model; imported lazily so each stays independent."""
    from . import accelerator, cmsdk_timer, cmsdk_uart, lan9118, trng, unimplemented

    models = {
        "cmsdk_uart": cmsdk_uart.CmsdkUart,
        "cmsdk_timer": cmsdk_timer.CmsdkTimer,
        "trng": trng.Trng,
        "lan9118": lan9118.Lan9118,
        "unimplemented": unimplemented.Unimplemented,
        "rtl_accelerator": accelerator.RtlAccelerator,
    }
    try:
        return models[model]
    except KeyError:
        raise KeyError(f"no device model {model!r}; known: {sorted(models)}") from None
