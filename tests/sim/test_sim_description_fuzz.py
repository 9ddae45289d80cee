"""Hostile descriptions at random (issue 8, items 7 and 8): any value of any TOML type put
in any key of a board, SoC or register-map file, a key removed or a key added, either
loads or is refused with a DescriptionError (a user error, exit status 2): never another
exception, which the command line would show as a traceback."""

from __future__ import annotations

import json
import math
import shutil
import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlscosim.boarddesc import BoardDescription
from tlscosim.errors import DescriptionError
from tlscosim.paths import PLATFORM_DIR
from tlscosim.regmap import RegisterMap

from test_sim_board_schema import GOOD_BOARD, SOC
from test_sim_regmap_schema import GOOD_MAP

WORDS = ["code", "data", "rwx", "rx", "", "cmsdk_uart", "trng", "scs", "unimplemented", "cortex-m4",
         "soc.toml", "board.toml", "rtl:aes", "rtl:", "cmsdk_timer", "w1c", "wait_state", "irq", "ro"]
SCALARS = (st.booleans() | st.integers(-2**63, 2**63 - 1) | st.sampled_from([0, 1, -1, 0x400, 2**32, 2**32 - 1])
           | st.floats(allow_nan=True) | st.text(max_size=8) | st.sampled_from(WORDS))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(WORDS + ["rx", "tx", "x"]), inner, max_size=3), max_leaves=6)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict) -> str:
    """A TOML file of `data` (top-level scalars, tables, and arrays of tables)."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((f"[{json.dumps(key)}]", value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables += [(f"[[{json.dumps(key)}]]", v) for v in value]
        else:
            lines.append(f"{json.dumps(key)} = {toml_value(value)}")
    for header, table in tables:
        lines.append(header)
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


@st.composite
def mutated(draw, document: str) -> dict:
    """`document` with one key of one table replaced, removed or added."""
    data = tomllib.loads(document)
    tables = [t for v in data.values() for t in (v if isinstance(v, list) else [v]) if isinstance(t, dict)]
    table = draw(st.sampled_from([data] + tables))
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "add" or not table:
        table[draw(st.sampled_from(WORDS + ["wait_states", "latency_cycles", "vtor_reset"]))] = draw(VALUES)
    else:
        key = draw(st.sampled_from(sorted(table)))
        if action == "remove":
            del table[key]
        else:
            table[key] = draw(VALUES)
    return data


def test_the_emitter_writes_the_reference_files_back():
    for document in (GOOD_BOARD, GOOD_MAP):
        assert tomllib.loads(toml_document(tomllib.loads(document))) == tomllib.loads(document)


@SETTINGS
@given(board=mutated(GOOD_BOARD))
def test_any_board_file_loads_or_is_a_description_error(tmp_path, board):
    shutil.copy(SOC, tmp_path / "soc.toml")
    path = tmp_path / "board.toml"
    path.write_text(toml_document(board))
    try:
        BoardDescription.load(path)
    except DescriptionError as exc:
        assert str(exc).startswith(str(tmp_path)) or str(exc).startswith("register map"), str(exc)


@SETTINGS
@given(soc=mutated((PLATFORM_DIR / "soc" / "cortex-m4.toml").read_text()))
def test_any_soc_file_loads_or_is_a_description_error(tmp_path, soc):
    (tmp_path / "board.toml").write_text(GOOD_BOARD)
    (tmp_path / "soc.toml").write_text(toml_document(soc))
    try:
        BoardDescription.load(tmp_path / "board.toml")
    except DescriptionError as exc:
        assert str(exc).startswith(str(tmp_path)), str(exc)


@SETTINGS
@given(regmap=mutated(GOOD_MAP))
def test_any_register_map_loads_or_is_a_description_error(tmp_path, regmap):
    path = tmp_path / "demo.toml"
    path.write_text(toml_document(regmap))
    try:
        RegisterMap.load(path)
    except DescriptionError as exc:
        assert str(exc).startswith(f"{path}: "), str(exc)
