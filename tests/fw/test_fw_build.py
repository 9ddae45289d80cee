"""`tlscosim build`: outputs, incrementality and the errors users see."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tlscosim.errors import UserError
from tlscosim.fw import build
from tlscosim.fw.build import available_apps, build_firmware, elf_path, make_command, output_dir


def tlscosim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tlscosim.cli", *args], capture_output=True, text=True)


def test_every_app_is_built_with_map_and_listing(firmware):
    assert {"hello", "selfcheck", "bench", "exitcode", "crash"} <= set(firmware.elfs)
    for app, elf in firmware.elfs.items():
        assert elf == elf_path(app) == output_dir() / f"{app}.elf"
        assert elf.stat().st_size > 0
        assert elf.with_suffix(".map").is_file()
        assert "<Reset_Handler>:" in elf.with_suffix(".lst").read_text()


def test_second_build_runs_no_tool(board, firmware):
    elfs = list(firmware.elfs.values())
    before = [e.stat().st_mtime_ns for e in elfs]
    again = build_firmware()
    assert not again.ran_tools, again.log
    assert [e.stat().st_mtime_ns for e in elfs] == before
    question = subprocess.run(make_command(available_apps(), board, out_dir=output_dir(), goals=("-q", "all")))
    assert question.returncode == 0, "make -q: something is out of date after a build"


def test_cli_build_reports_up_to_date(firmware):
    proc = tlscosim("build", "hello")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "firmware up to date"
    assert str(elf_path("hello")) in proc.stdout


def test_objects_depend_on_the_generated_header(board, firmware):
    deps = (output_dir() / ".obj" / board.name / "board" / "uart.d").read_text()
    assert f"gen/{board.name}/board.h" in deps


def test_unknown_app_is_a_user_error():
    with pytest.raises(UserError, match=r"unknown firmware app\(s\) nosuchapp; known apps: .*hello"):
        build_firmware(["nosuchapp"])
    proc = tlscosim("build", "nosuchapp")
    assert proc.returncode == 2
    assert proc.stderr.startswith("tlscosim: error: unknown firmware app(s) nosuchapp")
    assert "Traceback" not in proc.stderr


def test_missing_compiler_is_a_user_error(monkeypatch):
    monkeypatch.setattr(build, "CROSS_PREFIX", "no-such-cross-")
    with pytest.raises(UserError, match="no-such-cross-gcc not found on PATH"):
        build_firmware(["hello"])


def test_compile_error_shows_the_compiler_output(tmp_path):
    app = tmp_path / "apps" / "broken"
    app.mkdir(parents=True)
    (app / "main.c").write_text("int main(void) { return undeclared_name; }\n")
    with pytest.raises(UserError) as info:
        build_firmware(["broken"], apps_dir=tmp_path / "apps", out_dir=tmp_path / "out")
    message = str(info.value)
    assert message.startswith("firmware build failed")
    assert "main.c" in message and "undeclared_name" in message and "error:" in message
