#!/usr/bin/env bash
# Sets up everything tlscosim needs on a Debian machine (run as root): the Debian
# packages (cross toolchain, QEMU, HDL tools), a virtualenv with the Python packages,
# and the third-party firmware sources. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

DEBIAN_PACKAGES=(
    gcc-arm-none-eabi libnewlib-arm-none-eabi   # firmware cross toolchain + C library
    qemu-system-arm                             # independent cross-check of the firmware
    make gcc g++                                # firmware build; native hooks; Verilator models (C++)
    verilator yosys nextpnr-ice40 fpga-icestorm # Verilog lint, synthesis, place and route
    iproute2 iputils-ping tshark                # the board's TAP link in a namespace; ping; pcap checks
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: tlscosim needs Python >= 3.11 ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating .venv"
    "$PYTHON" -m venv .venv
fi
# Reinstall only when the dependency declaration changed.
stamp=.venv/.tlscosim-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    echo "setup: installing Python packages"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]'
    echo "$want" > "$stamp"
fi
# Third-party firmware sources (Mbed TLS, lwIP): Debian source packages, unpacked under third_party/.
.venv/bin/python -m tlscosim.fw.thirdparty
echo "setup: ready"
