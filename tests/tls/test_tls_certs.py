"""The run-time PKI (tlscosim.tls.certs), checked by OpenSSL's own verifier."""

import datetime
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from tlscosim.tls.certs import VARIANTS, make_pki

HOST = "tlscosim.test"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), host=HOST)


def openssl_verify(ca, cert, purpose="sslserver", host=HOST):
    cmd = ["openssl", "verify", "-CAfile", str(ca), "-purpose", purpose]
    if host:
        cmd += ["-verify_hostname", host]
    done = subprocess.run(cmd + [str(cert)], capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout + done.stderr


def load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_server_and_client_certificates_verify(pki):
    rc, out = openssl_verify(pki.ca_cert, pki.server_cert)
    assert rc == 0, out
    rc, out = openssl_verify(pki.ca_cert, pki.client_cert, purpose="sslclient", host=None)
    assert rc == 0, out


def test_purposes_are_not_interchangeable(pki):
    # The server certificate carries serverAuth only, the client certificate clientAuth only.
    rc, out = openssl_verify(pki.ca_cert, pki.server_cert, purpose="sslclient", host=None)
    assert rc != 0 and "unsuitable certificate purpose" in out
    rc, out = openssl_verify(pki.ca_cert, pki.client_cert, purpose="sslserver", host=None)
    assert rc != 0 and "unsuitable certificate purpose" in out


def test_contract_fields(pki):
    ca, server = load(pki.ca_cert), load(pki.server_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    for cert in (ca, server, load(pki.client_cert)):
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        assert cert.public_key().curve.name == "secp256r1"
        assert cert.signature_hash_algorithm.name == "sha256"
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == [HOST]
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    start = server.not_valid_before_utc
    assert server.not_valid_after_utc - start == datetime.timedelta(days=31)
    assert start == pki.now - datetime.timedelta(days=1)
    for path in (pki.server_key, pki.client_key, pki.ca_key):
        assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")


@pytest.mark.parametrize("name, reason", [
    ("expired", "certificate has expired"),
    ("not_yet_valid", "certificate is not yet valid"),
    ("wrong_host", "hostname mismatch"),
    ("unknown_ca", "unable to get local issuer certificate"),
])
def test_variants_fail_for_their_reason(pki, name, reason):
    cert, key = pki.variant(name)
    assert key.exists()
    rc, out = openssl_verify(pki.ca_cert, cert)
    assert rc != 0
    assert reason in out, out


def test_variants_listed_and_unknown_refused(pki):
    assert set(VARIANTS) == {"expired", "not_yet_valid", "wrong_host", "unknown_ca"}
    with pytest.raises(ValueError, match="unknown certificate variant 'revoked'"):
        pki.variant("revoked")


def test_explicit_now_anchors_validity(tmp_path):
    now = datetime.datetime(2030, 6, 1, 12, 0, 0)
    pki = make_pki(tmp_path, now=now)
    cert = load(pki.server_cert)
    assert cert.not_valid_before_utc == datetime.datetime(2030, 5, 31, 12, tzinfo=datetime.timezone.utc)
    rc, out = openssl_verify(pki.ca_cert, pki.server_cert)
    assert rc != 0 and "not yet valid" in out
