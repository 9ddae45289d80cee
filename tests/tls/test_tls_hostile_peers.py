"""The hostile peers themselves, on the host's loopback with no board: each does to a TLS
session what it says, judged by OpenSSL (Python's ssl and `openssl s_server`), which
nobody here wrote, and by scapy's TLS layer."""

import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest

from tlscosim.tls.certs import make_pki
from tlscosim.tls.hostile import broken_servers, client_hellos
from tlscosim.tls.hostile.garble_proxy import GarbleProxy, Target
from tlscosim.tls.hostile.mutations import BOGUS_CONTENT_TYPE
from tlscosim.tls.hostile.records import Record, RecordSplitter, alerts_in

HOST = "tlscosim.test"
RESPONSE = b"HTTP/1.0 200 OK\r\n\r\nhostile test body"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), host=HOST)


def _listener() -> socket.socket:
    return socket.create_server(("127.0.0.1", 0))


def _pin(context: ssl.SSLContext, version: ssl.TLSVersion) -> ssl.SSLContext:
    context.minimum_version = context.maximum_version = version
    return context


def _serve_once(pki, listener, version, outcome: dict) -> threading.Thread:
    """A Python ssl server answering one request; what it raised goes to outcome."""
    def serve():
        context = _pin(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), version)
        context.load_cert_chain(pki.server_cert, pki.server_key)
        conn, _ = listener.accept()
        conn.settimeout(10)
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1024)
                tls.sendall(RESPONSE)
        except (OSError, ssl.SSLError) as exc:
            outcome["server"] = exc
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def _client(pki, address, version, timeout_s=10.0) -> bytes:
    context = _pin(ssl.create_default_context(cafile=str(pki.ca_cert)), version)
    with socket.create_connection(address, timeout=timeout_s) as raw:
        with context.wrap_socket(raw, server_hostname=HOST) as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return tls.recv(1024)


def _through_proxy(pki, target, version=ssl.TLSVersion.TLSv1_3):
    """One session client -> proxy -> server; returns (client's result or exception,
    the proxy's report of the connection, server outcome)."""
    upstream, front, outcome = _listener(), _listener(), {}
    server = _serve_once(pki, upstream, version, outcome)
    proxy = GarbleProxy(front, upstream.getsockname(), target)
    proxying = threading.Thread(target=proxy.serve, args=(1,), daemon=True)
    proxying.start()
    try:
        result = _client(pki, front.getsockname(), version)
    except (OSError, ssl.SSLError) as exc:
        result = exc
    proxying.join(10)
    server.join(10)
    for sock in (upstream, front):
        sock.close()
    return result, proxy.connections[0], outcome


def test_splitter_finds_the_records_wherever_the_stream_is_cut():
    from scapy.layers.tls.record import TLS
    records = [Record(22, 0x0303, bytes(range(40))), Record(20, 0x0303, b"\x01"),
               Record(23, 0x0303, b"\xaa" * 300)]
    stream = b"".join(r.raw() for r in records)
    for chunk in (1, 3, 7, 64):
        splitter, found = RecordSplitter(), []
        for at in range(0, len(stream), chunk):
            found += splitter.feed(stream[at:at + chunk])
        assert found == records and splitter.pending == b""
    # scapy frames the same stream the same way.
    packet, types = TLS(stream), []
    while packet is not None and packet.haslayer(TLS):
        types.append(packet[TLS].type)
        packet = packet[TLS].payload if isinstance(packet[TLS].payload, TLS) else None
    assert types == [22, 20, 23]


def test_alerts_are_decoded_by_scapy():
    stream = bytes.fromhex("15030300020228" "15030300020100") + Record(21, 0x0303, b"x" * 24).raw()
    assert alerts_in(stream) == [{"level": "fatal", "description": "handshake_failure", "code": 40},
                                 {"level": "warning", "description": "close_notify", "code": 0}]
    # The third alert is encrypted (24 bytes): it cannot be read, and is not guessed at.


def test_proxy_without_a_mutation_keeps_the_session(pki):
    result, report, outcome = _through_proxy(pki, Target("none"))
    assert result == RESPONSE and "server" not in outcome
    assert report["to-client"]["garbled"] is None
    assert report["to-client"]["alerts"] == report["to-server"]["alerts"] == []
    # scapy names the plaintext handshake messages; none after TLS 1.3's ServerHello.
    assert report["to-client"]["records"][0]["messages"] == ["ServerHello"]
    assert report["to-server"]["records"][0]["messages"] == ["ClientHello"]
    assert all(r["type"] != "handshake" for r in report["to-client"]["records"][1:])


def test_proxy_names_tls12_messages_until_the_change_cipher_spec(pki):
    result, report, _ = _through_proxy(pki, Target("none"), ssl.TLSVersion.TLSv1_2)
    assert result == RESPONSE
    records = report["to-client"]["records"]
    plain = [m for r in records if r["type"] == "handshake" and "messages" in r for m in r["messages"]]
    # The ticket comes in the clear too: it precedes the server's ChangeCipherSpec.
    assert plain == ["ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone",
                     "NewSessionTicket"]
    ccs = [r["type"] for r in records].index("change_cipher_spec")
    assert records[ccs + 1]["type"] == "handshake" and "messages" not in records[ccs + 1]


@pytest.mark.parametrize("target, client_reason, alert", [
    # The first encrypted record (EncryptedExtensions) with a byte flipped: the AEAD tag fails.
    (Target("flip", 1, 23), "DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "bad_record_mac"),
    # The ServerHello under a content type that does not exist.
    (Target("retype"), "UNEXPECTED_MESSAGE", "unexpected_message"),
    # The ServerHello cut in half in a record whose length agrees.
    (Target("shorten"), "UNEXPECTED_MESSAGE", "unexpected_message"),
], ids=["flip", "retype", "shorten"])
def test_a_garbled_record_makes_openssl_fail_and_send_its_alert(pki, target, client_reason, alert):
    result, report, _ = _through_proxy(pki, target)
    assert isinstance(result, ssl.SSLError) and result.reason == client_reason
    assert [a["description"] for a in report["to-server"]["alerts"]] == [alert]
    garbled = report["to-client"]["garbled"]
    assert garbled["mutation"] == target.mutation
    if target.mutation == "retype":
        assert garbled["sent_bytes"] == 5 + garbled["length"]
    if target.content_type == 23:
        assert garbled["type"] == "application_data" and garbled["record"] > 1


def test_a_truncated_record_ends_the_stream_inside_it(pki):
    result, report, _ = _through_proxy(pki, Target("truncate"))
    assert isinstance(result, ssl.SSLEOFError)
    garbled = report["to-client"]["garbled"]
    assert garbled["sent_bytes"] == 5 + garbled["length"] // 2
    assert report["to-client"]["closed_by"] == "proxy"


def test_retype_uses_an_unassigned_content_type():
    from tlscosim.tls.hostile.mutations import retype
    out = retype(Record(22, 0x0303, b"abc")).data
    assert out[0] == BOGUS_CONTENT_TYPE and out[1:] == b"\x03\x03\x00\x03abc"


def _run_server(function, *args):
    listener, box = _listener(), {}
    thread = threading.Thread(target=lambda: box.update(function(listener, *args)), daemon=True)
    thread.start()
    return listener, thread, box


def test_stalling_server_leaves_only_the_client_timeout(pki):
    listener, thread, report = _run_server(broken_servers.stall, 20.0)
    with pytest.raises(TimeoutError):
        _client(pki, listener.getsockname(), ssl.TLSVersion.TLSv1_3, timeout_s=1.0)
    thread.join(10)
    assert report["closed_by"] == "client" and report["received_bytes"] > 0
    assert report["held_s"] < 10


@pytest.mark.parametrize("how, error", [("rst", ConnectionResetError), ("close", ssl.SSLEOFError)])
def test_vanishing_server_reads_the_client_hello_then_goes(pki, how, error):
    listener, thread, report = _run_server(broken_servers.vanish, how)
    with pytest.raises(error):
        _client(pki, listener.getsockname(), ssl.TLSVersion.TLSv1_3)
    thread.join(10)
    assert report["client_hello"] is True and report["server_name"] == HOST
    assert report["ciphers"] > 0 and report["how"] == how


def test_crafted_hellos_break_what_they_say():
    from scapy.layers.tls.handshake import TLSClientHello
    from scapy.layers.tls.record import TLS
    absurd = TLS(client_hellos.craft("absurd_suites"))[TLSClientHello]
    assert len(absurd.ciphers) == client_hellos.ABSURD_SUITE_COUNT
    assert len(client_hellos.craft("absurd_suites")) <= 5 + 16384
    lying = client_hellos.craft("lying_lengths")
    assert int.from_bytes(lying[5 + 4 + 35:5 + 4 + 37], "big") == 200       # the claim
    odd = client_hellos.craft("odd_suites")
    assert int.from_bytes(odd[5 + 4 + 35:5 + 4 + 37], "big") == 3
    cut = client_hellos.craft("truncated_extensions")
    # Record and handshake lengths agree with the bytes sent; the extension block's does not.
    assert int.from_bytes(cut[3:5], "big") == len(cut) - 5
    assert int.from_bytes(cut[6:9], "big") == len(cut) - 9
    with pytest.raises(ValueError, match="^unknown ClientHello variant 'x'; choose from valid, silent, "
                                         "lying_lengths, truncated_extensions, absurd_suites, odd_suites$"):
        client_hellos.craft("x")


@pytest.fixture(scope="module")
def openssl_server(pki):
    """`openssl s_server` on a loopback port, serving until the module ends."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is not installed")
    probe = _listener()
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
                             str(pki.server_cert), "-key", str(pki.server_key), "-www", "-quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield ("127.0.0.1", port)
    proc.terminate()
    proc.wait(5)


@pytest.mark.parametrize("variant, alert", [
    ("lying_lengths", "decode_error"), ("truncated_extensions", "decode_error"),
    ("odd_suites", "decode_error"), ("absurd_suites", "handshake_failure")])
def test_openssl_rejects_each_crafted_hello_with_an_alert(openssl_server, pki, variant, alert):
    reply = client_hellos.send_hello(openssl_server, client_hellos.craft(variant), timeout_s=10)
    assert [a["description"] for a in reply["alerts"]] == [alert]
    assert reply["ended"] == "closed"
    # ...and serves the next, good client.
    assert _client(pki, openssl_server, ssl.TLSVersion.TLSv1_3).startswith(b"HTTP/1.0 200 ok")


def test_the_valid_hello_the_others_break_is_answered(openssl_server):
    """The control: the same builder, unbroken (plus a key share), gets a ServerHello."""
    reply = client_hellos.send_hello(openssl_server, client_hellos.craft("valid"), timeout_s=3)
    assert reply["alerts"] == [] and reply["records"][0]["type"] == "handshake"
    assert reply["reply_bytes"] > 100 and reply["ended"] == "timeout"   # it waits for our Finished


def _cli(*args, timeout=30):
    return subprocess.run([sys.executable, "-m", "tlscosim.tls.hostile", *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, message", [
    (["proxy", "--upstream", "nowhere", "--mutate", "flip"],
     "argument --upstream: 'nowhere' is not HOST:PORT (a port from 1 to 65535)"),
    (["proxy", "--upstream", "127.0.0.1:1", "--mutate", "flip", "--type", "bogus"],
     "argument --type: unknown TLS content type 'bogus'; use a number or one of change_cipher_spec, "
     "alert, handshake, application_data, heartbeat"),
    (["proxy", "--upstream", "127.0.0.1:1", "--mutate", "flip", "--record", "0"],
     "argument --record: '0' is not a positive whole number"),
    (["stall", "--hold-s", "nan"], "argument --hold-s: 'nan' is not a positive number of seconds"),
])
def test_cli_rejects_bad_arguments_clearly(args, message):
    proc = _cli(*args)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_says_when_the_server_is_unreachable():
    probe = _listener()
    port = probe.getsockname()[1]
    probe.close()
    proc = _cli("hello", "--server", f"127.0.0.1:{port}", "--variant", "odd_suites")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"hostile: cannot reach 127.0.0.1:{port}: Connection refused"


def test_cli_hello_reports_the_alert_as_json(openssl_server, tmp_path):
    report = tmp_path / "hello.json"
    proc = _cli("hello", "--server", f"{openssl_server[0]}:{openssl_server[1]}",
                "--variant", "lying_lengths", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert data["peer"] == "hello" and data["alerts"][0]["description"] == "decode_error"


def test_cli_says_when_the_port_is_taken(tmp_path):
    taken = _listener()
    port = taken.getsockname()[1]
    try:
        proc = _cli("stall", "--listen", f"127.0.0.1:{port}", "--report", str(tmp_path / "r.json"))
    finally:
        taken.close()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"hostile: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_cli_says_when_the_report_cannot_be_written(openssl_server, tmp_path):
    missing = tmp_path / "no-such-folder" / "r.json"
    proc = _cli("hello", "--server", f"{openssl_server[0]}:{openssl_server[1]}",
                "--variant", "odd_suites", "--report", str(missing))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"hostile: cannot write the report {missing}: No such file or directory"


def test_proxy_reports_an_upstream_that_refuses(pki):
    probe = _listener()
    dead = probe.getsockname()
    probe.close()
    front = _listener()
    proxy = GarbleProxy(front, dead, Target("flip"), connect_timeout_s=5)
    proxying = threading.Thread(target=proxy.serve, args=(1,), daemon=True)
    proxying.start()
    with pytest.raises((ssl.SSLError, OSError)):
        _client(pki, front.getsockname(), ssl.TLSVersion.TLSv1_3)
    proxying.join(10)
    front.close()
    assert proxy.connections[0]["error"] == f"upstream 127.0.0.1:{dead[1]}: Connection refused"
