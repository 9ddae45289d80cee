"""Registers every accelerator shares (ID, VERSION, CTRL, STATUS, IRQ_ENABLE, BLOCKS),
the interrupt line, and what the bridge does with addresses no register owns."""

import pytest

from tlscosim.rtl.busdev import RtlBusDevice
from tlscosim.rtl.clients import AesClient, GcmClient, Sha256Client
from tlscosim.rtl.regmaps import CORES

CLIENTS = {"aes": AesClient, "sha256": Sha256Client, "gcm": GcmClient}
PARAMETER = {"aes": "DECRYPT", "sha256": "SHA224", "gcm": "SLOT"}   # a CTRL field to read back


@pytest.fixture(params=CORES)
def client(request):
    with RtlBusDevice(request.param) as dev:
        client = CLIENTS[request.param](dev)
        client.wait_idle()                             # AES wipes its key RAM after power-on
        yield client


def start_operation(client) -> int:
    if isinstance(client, GcmClient):
        client.set_key(0, bytes(16))
        client.write_bytes("IV", bytes(12))
        return client.start(op=0)
    if isinstance(client, AesClient):
        client.set_key(bytes(16))
        return client.start_block(bytes(16), decrypt=False)
    return client.start_block(bytes(64), init=True)


def test_id_and_version_are_nonzero_constants(client):
    for name in ("ID", "VERSION"):
        value = client.read(name)
        assert value != 0 and value == client.regmap[name].reset
        client.write(name, 0)                          # read-only
        assert client.read(name) == value


def test_unmapped_offsets_read_zero_and_ignore_writes(client):
    used = {reg.offset_of(i) for reg in client.regmap for i in range(reg.count)}
    free = [o for o in range(0, client.regmap.size, 4) if o not in used]
    assert free
    for offset in (free[0], free[len(free) // 2], free[-1]):
        client.dev.write(client.cycle, offset, 4, 0xFFFFFFFF)
        assert client.dev.read(client.cycle, offset) == 0
    assert client.read("STATUS") == client.fields("STATUS", input_ready=1)
    assert client.read("CTRL") == 0


def test_start_reads_as_zero_and_parameters_read_back(client):
    field = PARAMETER[client.regmap.name]
    client.write("CTRL", client.fields("CTRL", **{field.lower(): 1}))
    assert client.read("CTRL") == client.fields("CTRL", **{field.lower(): 1})
    start_operation(client)
    client.wait_done()
    assert client.field("CTRL", "START", client.read("CTRL")) == 0


def test_irq_follows_done_and_its_enable(client):
    client.write("IRQ_ENABLE", client.fields("IRQ_ENABLE", done=1))
    start = start_operation(client)
    assert not client.dev.irq
    raised = client.dev.advance_until_irq(start + 10_000)
    assert raised is not None and client.dev.irq
    assert client.read("STATUS") & client.regmap["STATUS"].field("DONE").mask
    assert raised == client.cycle - 1                 # DONE visible in the cycle irq rose
    client.write("IRQ_ENABLE", 0)
    assert not client.dev.irq                          # level, gated by the enable
    client.write("IRQ_ENABLE", client.fields("IRQ_ENABLE", done=1))
    assert client.dev.irq
    client.write("STATUS", client.fields("STATUS", done=1))
    assert not client.dev.irq
    assert client.field("STATUS", "DONE", client.read("STATUS")) == 0


def test_no_irq_when_disabled(client):
    start = start_operation(client)
    assert client.dev.advance_until_irq(start + 200) is None
    assert client.dev.cycle == start + 200 and not client.dev.irq
    assert client.field("STATUS", "DONE", client.read("STATUS")) == 1


def test_done_set_wins_over_a_clear_in_the_same_cycle(client):
    start = start_operation(client)
    client.dev.advance_while_busy(start + 10_000)
    last_busy = client.cycle - 1                       # the edge ending it sets DONE
    client2 = type(client)(RtlBusDevice(client.regmap.name))
    client2.wait_idle()
    start2 = start_operation(client2)
    assert start2 == start
    client2.dev.write(last_busy, client2.regmap.offset("STATUS"), 4,
                      client2.fields("STATUS", done=1))
    assert client2.field("STATUS", "DONE", client2.read("STATUS")) == 1
    client2.dev.close()


def test_blocks_counts_blocks_only(client):
    assert client.read("BLOCKS") == 0
    for expected in (1, 2, 3):
        start_operation(client)
        client.wait_done()
        assert client.read("BLOCKS") == expected
