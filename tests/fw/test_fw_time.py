"""The board's time as Mbed TLS sees it (sw/mbedtls/platform_time.c, sw/apps/timecheck):
under tlscosim from the RTC the simulator sets (--rtc-epoch), under QEMU (no RTC) from
--time (tlscosim_time_set) or the host's clock, advanced by the uptime timer. Python's
datetime and the `cryptography` package are the oracles for dates and validity."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tlscosim.fw.build import build_firmware
from tlscosim.fw.qemu import run_qemu

UTC = datetime.timezone.utc
NOT_BEFORE = datetime.datetime(2030, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime.datetime(2030, 12, 31, 12, 0, 0, tzinfo=UTC)
BADCERT_EXPIRED, BADCERT_FUTURE = 0x01, 0x200        # mbedtls/x509.h
USAGE = "usage: [--time EPOCH] [--cert FILE] [--wait-ms N]"

NOW_LINE = re.compile(r"timecheck: (now|later) (\d+) ms (\d+) utc (\S+)")
CERT_LINE = re.compile(r"timecheck: cert valid_from (\S+) valid_to (\S+) from_is_future (\d) to_is_past (\d) "
                       r"verify (\d) flags 0x([0-9a-f]{8})")


@pytest.fixture(scope="module")
def timecheck():
    return build_firmware(["timecheck"]).elfs["timecheck"]


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory):
    """A self-signed certificate valid from NOT_BEFORE to NOT_AFTER, as cert.pem."""
    folder = tmp_path_factory.mktemp("timecheck")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "timecheck")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder


def utc_text(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(output: str) -> dict:
    """{'source': ..., 'now'/'later': (seconds, ms, utc), 'cert': (...)} from timecheck's lines."""
    found = {}
    for line in output.splitlines():
        if m := NOW_LINE.fullmatch(line):
            found[m[1]] = (int(m[2]), int(m[3]), m[4])
        elif m := CERT_LINE.fullmatch(line):
            found["cert"] = {"valid_from": m[1], "valid_to": m[2], "from_is_future": int(m[3]),
                             "to_is_past": int(m[4]), "verify_failed": int(m[5]), "flags": int(m[6], 16)}
        elif line.startswith("timecheck: source "):
            found["source"] = line.split()[-1]
    return found


def run_tlscosim(elf, *options, args=(), root=None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tlscosim.cli", "run", str(elf), "-q", *options]
    if root is not None:
        cmd += ["--semihosting-root", str(root)]
    return subprocess.run(cmd + ["--", *args], capture_output=True, text=True, timeout=300)


def check_clock(found: dict, epoch: int, slack_ms: int = 100) -> None:
    """The first reading: `epoch` (plus the few milliseconds the boot took: simulated
    under tlscosim, host time under QEMU), its date by Python's datetime, seconds and
    milliseconds from one clock."""
    seconds, ms, utc = found["now"]
    assert seconds == epoch
    assert epoch * 1000 <= ms < epoch * 1000 + slack_ms
    assert ms // 1000 == seconds
    assert utc == utc_text(datetime.datetime.fromtimestamp(epoch, UTC))


def check_validity(found: dict, epoch: int) -> None:
    """What Mbed TLS concluded about the certificate at `epoch`, against Python."""
    now = datetime.datetime.fromtimestamp(epoch, UTC)
    cert = found["cert"]
    assert (cert["valid_from"], cert["valid_to"]) == (utc_text(NOT_BEFORE), utc_text(NOT_AFTER))
    future, past = NOT_BEFORE > now, NOT_AFTER < now
    assert (cert["from_is_future"], cert["to_is_past"]) == (int(future), int(past))
    assert cert["flags"] == (BADCERT_FUTURE if future else 0) | (BADCERT_EXPIRED if past else 0)
    assert cert["verify_failed"] == int(future or past)


EPOCHS = {
    "before": int(NOT_BEFORE.timestamp()) - 1,
    "first_second": int(NOT_BEFORE.timestamp()),
    "last_second": int(NOT_AFTER.timestamp()),
    "after": int(NOT_AFTER.timestamp()) + 1,
    "2023": 1_700_000_000,
    "beyond_2106": 5_000_000_000,      # needs the RTC's high word and a 64-bit time_t
}


@pytest.mark.parametrize("name", EPOCHS)
def test_rtc_epoch_gives_mbedtls_time_and_certificate_validity(timecheck, cert_dir, name):
    epoch = EPOCHS[name]
    proc = run_tlscosim(timecheck, "--rtc-epoch", str(epoch), args=["--cert", "cert.pem"], root=cert_dir)
    assert proc.returncode == 0, proc.stderr
    found = parse(proc.stdout)
    assert found["source"] == "rtc"
    check_clock(found, epoch)
    check_validity(found, epoch)


def test_board_time_advances_with_simulated_time_deterministically(timecheck):
    epoch = 1_893_455_999
    runs = [run_tlscosim(timecheck, "--rtc-epoch", str(epoch), args=["--wait-ms", "100"]) for _ in range(2)]
    assert runs[0].returncode == runs[1].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout          # ms included: only cycles move the clock
    found = parse(runs[0].stdout)
    (s0, ms0, _), (s1, ms1, utc1) = found["now"], found["later"]
    assert 100 <= ms1 - ms0 < 110
    assert s0 == s1 == ms1 // 1000 == epoch
    assert utc1 == "2029-12-31T23:59:59Z"


@pytest.mark.parametrize("name", ["first_second", "beyond_2106"])
def test_firmware_time_set_overrides_the_rtc(timecheck, cert_dir, name):
    epoch = EPOCHS[name]
    proc = run_tlscosim(timecheck, "--rtc-epoch", "1700000000", args=["--time", str(epoch), "--cert", "cert.pem"],
                        root=cert_dir)
    assert proc.returncode == 0, proc.stderr
    found = parse(proc.stdout)
    assert found["source"] == "rtc"                   # set through the RTC's registers, both words
    check_clock(found, epoch)
    check_validity(found, epoch)


def test_bad_firmware_argument_is_a_clear_error(timecheck):
    proc = run_tlscosim(timecheck, args=["--time", "soon"])
    assert proc.returncode == 2
    assert proc.stdout == f"timecheck: error: bad argument '--time' ({USAGE})\n"


@pytest.mark.parametrize("name", ["before", "last_second", "after"])
def test_qemu_time_option_gives_the_same_answers(timecheck, cert_dir, name):
    epoch = EPOCHS[name]
    result = run_qemu(timecheck, timeout_s=30, cwd=cert_dir,
                      semihosting_args=["timecheck", "--time", str(epoch), "--cert", "cert.pem", "--wait-ms", "50"])
    assert result.exit_code == 0, result.stderr
    found = parse(result.output.decode())
    assert found["source"] == "set"                   # QEMU reads the RTC's ID as 0
    check_clock(found, epoch, slack_ms=1000)
    check_validity(found, epoch)
    assert 50 <= found["later"][1] - found["now"][1] < 1300   # the set time advances with TIMER1


def test_qemu_without_time_uses_the_hosts_clock_and_its_timer_advances(timecheck):
    before = time.time()
    result = run_qemu(timecheck, timeout_s=30, semihosting_args=["timecheck", "--wait-ms", "300"])
    after = time.time()
    assert result.exit_code == 0, result.stderr
    found = parse(result.output.decode())
    assert found["source"] == "host"
    (s0, ms0, _), (_s1, ms1, _) = found["now"], found["later"]
    assert int(before) <= s0 <= after
    # TIMER1 under QEMU runs in host time: at least the wait, plus whatever the host's
    # scheduler took between the last two readings (loose: the machine is shared).
    assert 300 <= ms1 - ms0 < 1300
    assert result.wall_s >= 0.3


def test_qemu_bad_argument_is_the_same_error(timecheck):
    result = run_qemu(timecheck, timeout_s=30, semihosting_args=["timecheck", "--wait-ms"])
    assert result.exit_code == 2
    assert result.output.decode() == f"timecheck: error: bad argument '--wait-ms' ({USAGE})\n"


def test_python_api_start_takes_rtc_epoch(timecheck):
    import tlscosim
    epoch = EPOCHS["beyond_2106"]
    with tlscosim.start(timecheck, rtc_epoch=epoch, args=["--wait-ms", "10"]) as sim:
        line = sim.uart.expect(r"timecheck: later [^\n]*\n", timeout_s=60)
    found = parse(line[0].strip())
    assert found["later"][0] == epoch and found["later"][2] == "2128-06-11T08:53:20Z"
    assert sim.result.exit_code == 0
