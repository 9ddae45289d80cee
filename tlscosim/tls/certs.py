"""A throwaway PKI for TLS runs: one CA, a server and a client certificate (ECDSA P-256,
SHA-256, PEM files), plus broken variants of the server certificate for negative tests.

    pki = make_pki(folder, host="tlscosim.test")
    pki.ca_cert, pki.server_cert, pki.server_key, ...
    cert, key = pki.variant("expired")
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VARIANTS = ("expired", "not_yet_valid", "wrong_host", "unknown_ca")

# The default validity window around `now`: wide enough for slow simulated runs.
VALID_BEFORE = datetime.timedelta(days=1)
VALID_AFTER = datetime.timedelta(days=30)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tlscosim"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _ca_certificate(key, common_name: str, now: datetime.datetime) -> x509.Certificate:
    return (x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - VALID_BEFORE).not_valid_after(now + VALID_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))


def _leaf_certificate(key, host: str, usage, ca_cert, ca_key,
                      not_before: datetime.datetime, not_after: datetime.datetime
                      ) -> x509.Certificate:
    return (x509.CertificateBuilder()
            .subject_name(_name(host)).issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


@dataclass
class Pki:
    folder: Path
    host: str
    now: datetime.datetime
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    _ca: tuple = field(repr=False, default=None)
    _variants: dict = field(repr=False, default_factory=dict)

    def variant(self, name: str) -> tuple[Path, Path]:
        """A server certificate broken one way, with its key: (cert_path, key_path).
        Made on first use; "unknown_ca" is signed by a CA outside this PKI."""
        if name not in VARIANTS:
            raise ValueError(f"unknown certificate variant {name!r}; "
                             f"choose from {', '.join(VARIANTS)}")
        if name not in self._variants:
            self._variants[name] = self._make_variant(name)
        return self._variants[name]

    def _make_variant(self, name: str) -> tuple[Path, Path]:
        ca_cert, ca_key = self._ca
        host = self.host
        not_before, not_after = self.now - VALID_BEFORE, self.now + VALID_AFTER
        if name == "expired":
            not_before, not_after = self.now - 60 * VALID_BEFORE, self.now - VALID_BEFORE
        elif name == "not_yet_valid":
            not_before, not_after = self.now + VALID_BEFORE, self.now + VALID_AFTER
        elif name == "wrong_host":
            host = "wrong." + self.host
        elif name == "unknown_ca":
            ca_key = _new_key()
            ca_cert = _ca_certificate(ca_key, "tlscosim other CA", self.now)
        key = _new_key()
        cert = _leaf_certificate(key, host, ExtendedKeyUsageOID.SERVER_AUTH, ca_cert, ca_key,
                                 not_before, not_after)
        cert_path = self.folder / f"server-{name}.crt"
        key_path = self.folder / f"server-{name}.key"
        _write_cert(cert_path, cert)
        _write_key(key_path, key)
        return cert_path, key_path


def make_pki(folder, host: str = "tlscosim.test", now: datetime.datetime | None = None) -> Pki:
    """Create a CA, a server certificate for `host` (serverAuth) and a client certificate
    (clientAuth) as PEM files in `folder` (created if missing). `now` (aware or naive UTC)
    anchors the validity window: now - 1 day .. now + 30 days."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    now = now.replace(microsecond=0)
    ca_key = _new_key()
    ca_cert = _ca_certificate(ca_key, "tlscosim test CA", now)
    paths = {}
    _write_cert(paths.setdefault("ca_cert", folder / "ca.crt"), ca_cert)
    _write_key(paths.setdefault("ca_key", folder / "ca.key"), ca_key)
    for role, usage, name in (("server", ExtendedKeyUsageOID.SERVER_AUTH, host),
                              ("client", ExtendedKeyUsageOID.CLIENT_AUTH, "client." + host)):
        key = _new_key()
        cert = _leaf_certificate(key, name, usage, ca_cert, ca_key,
                                 now - VALID_BEFORE, now + VALID_AFTER)
        _write_cert(paths.setdefault(f"{role}_cert", folder / f"{role}.crt"), cert)
        _write_key(paths.setdefault(f"{role}_key", folder / f"{role}.key"), key)
    return Pki(folder=folder, host=host, now=now, _ca=(ca_cert, ca_key), **paths)
