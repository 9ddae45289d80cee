"""Strict register maps (issue 8, build item 3): a map file with an unknown key, a value
of the wrong type or out of range, or registers that overlap is refused with a message
naming the file, the register and the field. Every map the project ships passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tlscosim.errors import DescriptionError
from tlscosim.paths import PLATFORM_DIR
from tlscosim.regmap import RegisterMap

GOOD_MAP = """\
[regmap]
name = "demo"
size = 0x100

[[register]]
name = "CTRL"
offset = 0x00
reset = 0x1
[[register.field]]
name = "EN"
lsb = 0
[[register.field]]
name = "MODE"
lsb = 4
width = 2

[[register]]
name = "STATUS"
offset = 0x04
access = "ro"
"""

# case -> (text replaced in GOOD_MAP, its replacement, message after "<map file>: ")
CASES = {
    "misspelt register key": ('access = "ro"', 'acess = "ro"',
                              "register 'STATUS': unknown key 'acess' (did you mean 'access'?)"),
    "misspelt field key": ('lsb = 4', 'lbs = 4',
                           "register 'CTRL' field 'MODE': unknown key 'lbs' (did you mean 'lsb'?)"),
    "misspelt map key": ('size = 0x100', 'size = 0x100\nsizes = 4',
                         "regmap: unknown key 'sizes' (did you mean 'size'?)"),
    "numeric access": ('access = "ro"', 'access = 1', "register 'STATUS': access must be a string, not an integer (1)"),
    "unknown access": ('access = "ro"', 'access = "rx"',
                       "register 'STATUS': access = 'rx' is not one of 'rw', 'ro', 'wo', 'w1c', 'w1s'"),
    "string offset": ('offset = 0x04', 'offset = "4"',
                      "register 'STATUS': offset must be an integer, not a string ('4')"),
    "odd width": ('access = "ro"', 'access = "ro"\nwidth = 12',
                  "register 'STATUS': width = 12 is not one of 8, 16, 32"),
    "zero count": ('access = "ro"', 'access = "ro"\ncount = 0', "register 'STATUS': count must be at least 1, not 0"),
    "zero map size": ('size = 0x100', 'size = 0', "regmap: size must be greater than 0, not 0"),
    "missing register name": ('[[register]]\nname = "STATUS"\n', '[[register]]\n',
                              "register #2: missing key 'name'"),
    "overlapping registers": ('offset = 0x04', 'offset = 0x00', "demo: registers CTRL and STATUS overlap at 0x0"),
    "field outside the register": ('lsb = 4', 'lsb = 31', "demo.CTRL.MODE: bits 31+2 outside the register"),
    "reset wider than the register": ('reset = 0x1', 'reset = 0x100000000',
                                      "demo.CTRL: reset 0x100000000 does not fit in 32 bits"),
    "register past the map": ('offset = 0x04', 'offset = 0x100', "demo.STATUS: extends past the map size 0x100"),
    "duplicate field names": ('name = "MODE"', 'name = "EN"', "demo.CTRL: duplicate field names"),
}


def write_map(folder: Path, case: str | None = None) -> Path:
    text = GOOD_MAP
    if case is not None:
        old, new, _message = CASES[case]
        assert text.count(old) == 1, f"case {case!r} edits one place"
        text = text.replace(old, new)
    path = folder / "demo.toml"
    path.write_text(text)
    return path


def test_the_reference_map_loads_with_its_defaults(tmp_path):
    regmap = RegisterMap.load(write_map(tmp_path))
    ctrl, status = regmap["CTRL"], regmap["STATUS"]
    assert (ctrl.access, ctrl.width, ctrl.reset, ctrl.count, ctrl.stride) == ("rw", 32, 1, 1, 4)
    assert ctrl.field("MODE").mask == 0b11 << 4 and status.access == "ro"


@pytest.mark.parametrize("path", sorted((PLATFORM_DIR / "peripherals").glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_map_passes(path):
    assert RegisterMap.load(path).name == path.stem


@pytest.mark.parametrize("case", CASES)
def test_bad_map_is_refused_naming_file_register_and_key(tmp_path, case):
    path = write_map(tmp_path, case)
    with pytest.raises(DescriptionError) as info:
        RegisterMap.load(path)
    assert str(info.value) == f"{path}: {CASES[case][2]}"


def test_json_maps_are_held_to_the_same_schema(tmp_path):
    good = RegisterMap.load(write_map(tmp_path))
    path = tmp_path / "demo.json"
    path.write_text(good.to_json().replace('"access": "ro"', '"acces": "ro"'))
    with pytest.raises(DescriptionError) as info:
        RegisterMap.load(path)
    assert str(info.value) == f"{path}: register 'STATUS': unknown key 'acces' (did you mean 'access'?)"
    path.write_text(good.to_json())
    assert RegisterMap.load(path) == good
