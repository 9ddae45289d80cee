"""Shared by the tls_client tests (no tests here): the firmware built once, a PKI and a
known page in a folder the board reads through semihosting, and one board run on the TAP
link against an `openssl s_server` started in the run's namespace (--peer)."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tlscosim.fw.build import build_firmware
from tlscosim.tls.certs import make_pki

HOST = "tlscosim.test"
PORT = 4433
PAGE = "page.html"
# The page s_server -WWW serves: known bytes, so the body hash is checked against hashlib.
PAGE_BODY = b"".join(b"line %05d of the tlscosim test page\n" % i for i in range(200))

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the TAP link needs root")


def build_client():
    return build_firmware(["tls_client"]).elfs["tls_client"]


def pki_folder(tmp_path_factory):
    """PKI files and the page, in a folder the board opens files in by bare name; the
    folder and the Pki (for its broken variants)."""
    folder = tmp_path_factory.mktemp("tls-client")
    pki = make_pki(folder, host=HOST)
    (folder / PAGE).write_bytes(PAGE_BODY)
    return folder, pki


def page_sha256() -> str:
    return hashlib.sha256(PAGE_BODY).hexdigest()


def s_server(root: Path, *options: str, cert="server.crt", key="server.key") -> str:
    """`openssl s_server` serving the folder's files (-WWW) with the given certificate."""
    cmd = ["openssl", "s_server", "-accept", str(PORT), "-cert", str(cert), "-key", str(key), "-WWW", "-quiet",
           *options]
    return f"cd {shlex.quote(str(root))} && exec {shlex.join(cmd)}"


@dataclass
class ClientRun:
    returncode: int
    stdout: str
    stderr: str
    events: list

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["ev"] == kind]

    def one(self, kind: str, **match) -> dict:
        found = [e for e in self.of(kind) if all(e.get(k) == v for k, v in match.items())]
        assert len(found) == 1, (kind, match, self.stdout[-3000:], self.stderr[-2000:])
        return found[0]


def parse_events(text: str) -> list[dict]:
    """Each "@tls " line's JSON object (every such line must be one)."""
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("@tls ")]


def run_client(elf, root: Path, *fw_args: str, peer: str | None = None, timeout_s: int = 240,
               extra: tuple[str, ...] = ()) -> ClientRun:
    cmd = [sys.executable, "-m", "tlscosim.cli", "run", str(elf), "--timeout-s", str(timeout_s),
           "--semihosting-root", str(root), *extra]
    if peer is not None:
        cmd += ["--net", "tap", "--peer", peer]
    run = subprocess.run(cmd + ["--", *fw_args], capture_output=True, text=True, timeout=timeout_s + 60)
    return ClientRun(run.returncode, run.stdout, run.stderr, parse_events(run.stdout))


def page_args(*extra: str) -> list[str]:
    return ["--ca", "ca.crt", "--path", f"/{PAGE}", *extra]
