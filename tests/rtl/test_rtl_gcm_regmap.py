"""GCM's CTRL.OP codes: declared once (rtl/regmaps.py GCM_OPS), exported to C and JSON as
named field values, and checked to fit their field."""

import json

import pytest

from tlscosim.cheader import regmap_lines
from tlscosim.regmap import Field, Register, RegisterMap, RegisterMapError
from tlscosim.rtl.regmaps import GCM_OPS, register_map


def test_op_codes_are_named_in_the_c_header():
    lines = regmap_lines("gcm", 0x40103000, register_map("gcm"))
    for name, code in GCM_OPS.items():
        assert f"#define CSR_GCM_CTRL_OP_{name} {code}u" in lines


def test_op_codes_survive_the_json_form():
    again = RegisterMap.from_dict(json.loads(register_map("gcm").to_json()))
    assert dict(again["CTRL"].field("OP").values) == GCM_OPS


def test_fields_without_codes_keep_their_json_form():
    assert "values" not in register_map("aes").to_dict()["register"][2]["field"][1]


def test_a_code_wider_than_its_field_is_refused():
    reg = Register("CTRL", 0, fields=(Field("OP", 1, 2, values=(("BIG", 4),)),))
    with pytest.raises(RegisterMapError, match=r"^m\.CTRL\.OP: value BIG = 4 does not fit in 2 bits$"):
        RegisterMap("m", 0x100, (reg,))


def test_a_code_that_is_not_a_number_is_refused_in_a_file():
    data = {"regmap": {"name": "m", "size": 256},
            "register": [{"name": "CTRL", "offset": 0, "field": [{"name": "OP", "lsb": 0, "width": 2,
                                                                 "values": {"A": "x"}}]}]}
    with pytest.raises(RegisterMapError, match=r"m\.CTRL\.OP: value A = 'x' does not fit in 2 bits"):
        RegisterMap.from_dict(data, "m.toml")
