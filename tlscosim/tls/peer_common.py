"""What the host's TLS peers (https_server, https_client) share: TLS versions, group
names, the deterministic HTTP body, IANA cipher names, the per-connection report file."""

from __future__ import annotations

import hashlib
import json
import os
import ssl
import subprocess
from functools import lru_cache
from pathlib import Path

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}

# Mbed TLS group names (the firmware's --group) -> OpenSSL's short names.
OPENSSL_GROUPS = {"secp256r1": "prime256v1", "secp384r1": "secp384r1", "secp521r1": "secp521r1",
                  "x25519": "X25519", "x448": "X448"}

BODY_PATTERN = b"tlscosim deterministic HTTP body 0123456789abcdef\n"


def http_body(size: int) -> bytes:
    """The response body of `size` bytes: a fixed pattern repeated, so both ends can
    compute its hash."""
    reps = size // len(BODY_PATTERN) + 1
    return (BODY_PATTERN * reps)[:size]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pin_version(context: ssl.SSLContext, tls: str) -> None:
    if tls not in VERSIONS:
        raise SystemExit(f"--tls must be one of {', '.join(VERSIONS)}, not {tls!r}")
    context.minimum_version = context.maximum_version = VERSIONS[tls]


def pin_group(context: ssl.SSLContext, group: str | None) -> None:
    """Only `group` for the key exchange (OpenSSL 3: set_ecdh_curve sets the group list)."""
    if group is None:
        return
    try:
        context.set_ecdh_curve(OPENSSL_GROUPS.get(group, group))
    except (ValueError, ssl.SSLError):
        raise SystemExit(f"--group {group}: not a group OpenSSL knows") from None


@lru_cache(maxsize=1)
def _iana_names() -> dict[str, str]:
    """OpenSSL cipher name -> IANA (RFC) name, from `openssl ciphers -stdname`."""
    try:
        out = subprocess.run(["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"], capture_output=True,
                             text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    names = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "-":
            names[parts[2]] = parts[0]
    return names


def iana_cipher_name(openssl_name: str) -> str:
    if openssl_name.startswith("TLS_"):
        return openssl_name          # TLS 1.3 suites carry their IANA names in OpenSSL
    return _iana_names().get(openssl_name, openssl_name)


def connection_view(sock: ssl.SSLSocket) -> dict:
    """The negotiated parameters as this end sees them."""
    cipher = sock.cipher()
    name = cipher[0] if cipher else None
    return {"version": sock.version(), "cipher": name,
            "cipher_iana": iana_cipher_name(name) if name else None,
            "session_reused": bool(sock.session_reused)}


class ReportFile:
    """Connections as a JSON list, rewritten after each one so that a peer stopped
    early still leaves what it saw."""

    def __init__(self, path: str | None, role: str):
        self.path = Path(path) if path else None
        self.data = {"role": role, "connections": []}

    def add(self, record: dict) -> None:
        self.data["connections"].append(record)
        self.write()

    def write(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.write_text(json.dumps(self.data, indent=2) + "\n")
        os.replace(tmp, self.path)
