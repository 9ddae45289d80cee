"""Fixtures of the RTL tests: accelerators on the bus driver the co-simulation uses.

Simulators are costly to build, so the NIST and differential tests share one device per
core per test worker (each test loads every input it relies on); protocol tests that
look at flags, counters or reset make their own.
"""

import pytest

from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.clients import AesClient, Sha256Client


@pytest.fixture(scope="session")
def shared_aes_device():
    with RtlBusDevice("aes") as dev:
        yield dev


@pytest.fixture(scope="session")
def shared_sha_device():
    with RtlBusDevice("sha256") as dev:
        yield dev


@pytest.fixture
def shared_aes(shared_aes_device) -> AesClient:
    return AesClient(shared_aes_device)


@pytest.fixture
def shared_sha(shared_sha_device) -> Sha256Client:
    return Sha256Client(shared_sha_device)


@pytest.fixture
def aes() -> AesClient:
    """A fresh AES accelerator, out of reset and done wiping its round-key RAM."""
    with RtlBusDevice("aes") as dev:
        client = AesClient(dev)
        client.wait_idle()
        yield client


@pytest.fixture
def sha() -> Sha256Client:
    with RtlBusDevice("sha256") as dev:
        yield Sha256Client(dev)


@pytest.fixture(scope="session")
def sha_verilator():
    """SHA-256 on the Verilator model of its emitted Verilog (built once, cached)."""
    with RtlBusDevice("sha256", backend="verilator") as dev:
        yield Sha256Client(dev)


@pytest.fixture(scope="session")
def gcm_verilator():
    """AES-GCM on the Verilator model of its emitted Verilog (built once, cached)."""
    from tlscosim.rtl.clients import GcmClient
    with RtlBusDevice("gcm", backend="verilator") as dev:
        yield GcmClient(dev)


@pytest.fixture(scope="session")
def shared_gcm_device():
    with RtlBusDevice("gcm") as dev:
        yield dev


@pytest.fixture
def shared_gcm(shared_gcm_device):
    from tlscosim.rtl.clients import GcmClient
    return GcmClient(shared_gcm_device)


@pytest.fixture
def gcm():
    from tlscosim.rtl.clients import GcmClient
    with RtlBusDevice("gcm") as dev:
        client = GcmClient(dev)
        client.wait_idle()
        yield client
