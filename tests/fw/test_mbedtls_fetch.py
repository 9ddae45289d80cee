"""The third-party fetch: the mirror is read from apt's own configuration, and what is
unpacked is the upstream release we build against (its own version header says so)."""

import re

import pytest

from tlscosim.errors import UserError
from tlscosim.fw import thirdparty


def test_mirror_from_deb822_stanza_skips_security(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
        "Components: main\n\nTypes: deb\nURIs: http://mirror.example/debian/\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n")
    assert thirdparty.debian_mirror_uri(tmp_path) == "http://mirror.example/debian"


def test_mirror_from_one_line_entry(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main\n")
    assert thirdparty.debian_mirror_uri(tmp_path) == "http://m.example/debian"


def test_no_mirror_is_a_user_error(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    with pytest.raises(UserError) as exc:
        thirdparty.debian_mirror_uri(tmp_path)
    assert str(exc.value) == (
        f"no Debian archive found in {tmp_path}/sources.list or {tmp_path}/sources.list.d/: "
        f"the third-party sources are fetched as Debian source packages")


def test_unpacked_sources_are_the_pinned_releases():
    mbedtls = thirdparty.require("mbedtls")
    header = (mbedtls / "include" / "mbedtls" / "build_info.h").read_text()
    assert re.search(r'#define MBEDTLS_VERSION_STRING\s+"3\.6\.6"', header)
    assert (mbedtls / "framework" / "scripts" / "generate_test_code.py").is_file()
    lwip = thirdparty.require("lwip")
    init = (lwip / "src" / "include" / "lwip" / "init.h").read_text()
    assert re.search(r"#define LWIP_VERSION_MAJOR\s+2\b", init)
    assert re.search(r"#define LWIP_VERSION_MINOR\s+2\b", init)
    assert re.search(r"#define LWIP_VERSION_REVISION\s+1\b", init)
    ready = dict(line.split("=", 1) for line in thirdparty.READY_FILE.read_text().splitlines())
    assert ready == {"mbedtls": str(mbedtls), "lwip": str(lwip)}
