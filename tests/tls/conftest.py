"""Fixtures of the `tlscosim handshake` tests: the command run once per set of options
(in a subprocess, as a user runs it), its stdout, stderr, exit status and JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class HandshakeRun:
    returncode: int
    stdout: str
    stderr: str
    report: dict | None
    folder: Path


@pytest.fixture(scope="session")
def handshake(tmp_path_factory):
    """handshake(*options) -> HandshakeRun, each distinct option list run once."""
    if os.geteuid() != 0:
        pytest.skip("the TAP link needs root")
    cache: dict[tuple, HandshakeRun] = {}

    def run(*options: str, outputs: bool = True) -> HandshakeRun:
        if options in cache:
            return cache[options]
        folder = tmp_path_factory.mktemp("handshake")
        extra = ["--json", str(folder / "report.json"), "--plot", str(folder / "phases.png"),
                 "--pcap", str(folder / "run.pcap"), "--profile", str(folder / "profile.json")] if outputs else []
        done = subprocess.run([sys.executable, "-m", "tlscosim.cli", "handshake", *options, *extra],
                              capture_output=True, text=True, timeout=1800)
        path = folder / "report.json"
        report = json.loads(path.read_text()) if path.exists() else None
        cache[options] = HandshakeRun(done.returncode, done.stdout, done.stderr, report, folder)
        return cache[options]

    return run
