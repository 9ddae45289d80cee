"""The native hooks' shared header (sim/engine/native/tcs_abi.h) is the one description of what C
and Python share: Python's structures and constants are read from it, and a library built
from a different version of it is refused at load with the fields that differ."""

import ctypes
import shutil

import pytest

from tlscosim.sim.engine import native, native_abi, profile_native
from tlscosim.sim.engine.native_abi import NativeLayoutError

NATIVE_DIR = native_abi.HEADER.parent


def _copy_profiler_sources(tmp_path):
    """The profiler hook and the header, in a folder of their own (the hook needs no Unicorn)."""
    for name in ("profilehook.c", "tcs_abi.h"):
        shutil.copy(NATIVE_DIR / name, tmp_path / name)
    return tmp_path / "profilehook.c", tmp_path / "tcs_abi.h"


def _edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def _build_and_verify(source):
    built = native.build_shared_library(source, "abi-test")
    native_abi.shared_abi().verify(ctypes.CDLL(str(built)), built.name)
    return built


def test_both_libraries_match_the_header():
    abi = native_abi.shared_abi()
    for lib in (native.load_library(), profile_native.load_library()):
        abi.verify(lib, "loaded")
    assert native.SharedCounters is abi.structure("tcs_shared")
    assert [name for name, _ in native.BlockCost._fields_] == [
        "addr", "size", "ninsn", "cycles", "end", "refill", "cpi", "lsu", "fold", "flow", "count"]
    assert native.StopReason.DEADLINE == abi.constant("TCS_STOP_DEADLINE") == 1
    assert profile_native.KEY_UNKNOWN == 0xFFFFFFFF


def test_unmodified_copy_is_accepted(tmp_path):
    source, _ = _copy_profiler_sources(tmp_path)
    _build_and_verify(source)


def test_reordered_fields_and_changed_constant_are_refused(tmp_path):
    source, header = _copy_profiler_sources(tmp_path)
    _edit(header, "    FIELD(S, uint32_t, key)        /* function key, PROF_KEY_* */ \\\n"
                  "    FIELD(S, uint32_t, parent)",
          "    FIELD(S, uint32_t, parent) \\\n    FIELD(S, uint32_t, key)")
    _edit(header, "CONSTANT(PROF_EXC_COUNT, 512)", "CONSTANT(PROF_EXC_COUNT, 256)")
    with pytest.raises(NativeLayoutError) as info:
        _build_and_verify(source)
    built = native.build_shared_library(source, "abi-test")
    assert str(info.value) == (
        f"native library {built.name} does not match tcs_abi.h (it was built from another version of the header):\n"
        "  PROF_EXC_COUNT: 256 in the library, 512 in the header\n"
        "  prof_node.key: offset 4, size 4 in the library, offset 0, size 4 in the header\n"
        "  prof_node.parent: offset 0, size 4 in the library, offset 4, size 4 in the header")
    assert info.value.exit_code == 2


def test_added_field_is_refused(tmp_path):
    source, header = _copy_profiler_sources(tmp_path)
    _edit(header, "    FIELD(S, uint64_t, fold)\n", "    FIELD(S, uint64_t, fold) \\\n    FIELD(S, uint64_t, extra)\n")
    with pytest.raises(NativeLayoutError) as info:
        _build_and_verify(source)
    assert str(info.value).splitlines()[1:] == [
        "  tcs_totals_t: size 40 in the library, size 32 in the header",
        "  tcs_totals_t.extra: offset 32, size 8 in the library, missing in the header"]


def test_a_header_change_rebuilds_the_library(tmp_path):
    source, header = _copy_profiler_sources(tmp_path)
    before = native.build_shared_library(source, "abi-test")
    _edit(header, "CONSTANT(PROF_KEY_ROOT, 0xFFFFFFFD)", "CONSTANT(PROF_KEY_ROOT, 0xFFFFFFFC)")
    after = native.build_shared_library(source, "abi-test")
    assert before != after and after.exists()


def test_library_without_layout_table_is_refused(tmp_path):
    source = tmp_path / "plain.c"
    source.write_text("int plain(void) { return 0; }\n")
    built = native.build_shared_library(source, "abi-test-plain")
    with pytest.raises(NativeLayoutError) as info:
        native_abi.shared_abi().verify(ctypes.CDLL(str(built)), built.name)
    assert str(info.value) == (f"native library {built.name} has no layout table (tcs_abi_items): "
                               "it was not built with tcs_abi.h")


@pytest.mark.parametrize("old, new, message", [
    ("CONSTANT(TCS_RECENT, 32)", "CONSTANT(TCS_RECENT, 16 * 2)",
     "tcs_abi.h: constant TCS_RECENT: '16 * 2' is not an integer literal or a constant"),
    ("FIELD(S, uint32_t, recent_pos)", "FIELD(S, float, recent_pos)",
     "tcs_abi.h: TCS_SHARED_FIELDS: FIELD(S, float, recent_pos): expected FIELD(S, type, name) "
     "with a type among uint32_t, int32_t, uint64_t, int64_t"),
    ("STRUCT(prof_func, PROF_FUNC_FIELDS)", "STRUCT(prof_func, PROF_FUNCS_FIELDS)",
     "tcs_abi.h: TCS_STRUCTS: STRUCT(prof_func, PROF_FUNCS_FIELDS) does not name a structure and its field list"),
])
def test_unreadable_header_lists_are_clear_errors(tmp_path, old, new, message):
    _, header = _copy_profiler_sources(tmp_path)
    _edit(header, old, new)
    with pytest.raises(NativeLayoutError) as info:
        native_abi.parse_header(header)
    assert str(info.value) == message
