"""The accelerators by core name: what the CLI, the bus driver and the report build."""

from .aes_accel import AesAccelerator
from .gcm_accel import GcmAccelerator
from .regmaps import CORES
from .sha256_accel import Sha256Accelerator

ACCELERATORS = {"aes": AesAccelerator, "sha256": Sha256Accelerator, "gcm": GcmAccelerator}
assert tuple(ACCELERATORS) == CORES, "every declared register map needs its accelerator"


def build_accelerator(core: str):
    try:
        return ACCELERATORS[core]()
    except KeyError:
        raise KeyError(f"no accelerator core {core!r}; known cores: {', '.join(CORES)}") from None
