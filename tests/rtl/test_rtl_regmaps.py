"""The register declarations: one per core, valid, exported to JSON and C unchanged."""

import json

import pytest

from tlscosim.cheader import header_text, regmap_lines
from tlscosim.regmap import RegisterMap
from tlscosim.rtl.regmaps import CORES, register_map

EXPECTED_ARRAYS = {"aes": {"KEY": 8, "DIN": 4, "DOUT": 4}, "sha256": {"BLOCK": 16, "DIGEST": 8},
                   "gcm": {"KEY0": 8, "KEY1": 8, "IV": 3, "DIN": 4, "DOUT": 4}}
COMMON = ("ID", "VERSION", "CTRL", "STATUS", "IRQ_ENABLE", "BLOCKS")


@pytest.mark.parametrize("core", CORES)
def test_map_has_an_id_at_zero_and_the_common_registers(core):
    regmap = register_map(core)
    assert regmap.name == core and regmap.size == 0x1000
    assert regmap["ID"].offset == 0 and regmap["ID"].reset != 0 and regmap["ID"].access == "ro"
    for name in COMMON:
        assert regmap.offset(name) == register_map(CORES[0]).offset(name)
    for name, count in EXPECTED_ARRAYS[core].items():
        assert regmap[name].count == count and regmap[name].stride == 4
    assert regmap["CTRL"].field("START").lsb == 0


def test_unknown_core_is_a_key_error_naming_the_known_ones():
    with pytest.raises(KeyError, match="no accelerator core 'des'.*aes, sha256"):
        register_map("des")


@pytest.mark.parametrize("core", CORES)
def test_json_round_trip(core):
    regmap = register_map(core)
    again = RegisterMap.from_dict(json.loads(regmap.to_json()))
    assert again.to_dict() == regmap.to_dict()


@pytest.mark.parametrize("core", CORES)
def test_c_header_names_every_register(core):
    regmap = register_map(core)
    text = header_text(f"{core}_regs_h", "test", regmap_lines(core, 0x40100000, regmap))
    for reg in regmap:
        assert f"#define CSR_{core.upper()}_{reg.name}_OFFSET 0x{reg.offset:03X}u" in text
    assert f"#define CSR_{core.upper()}_ID_RESET 0x{regmap['ID'].reset:08X}u" in text


def test_ids_differ_between_cores():
    assert len({register_map(core)["ID"].reset for core in CORES}) == len(CORES)


def test_board_loader_resolves_rtl_maps():
    from tlscosim.boarddesc import load_register_map
    assert load_register_map("rtl:aes") == register_map("aes")
