"""Where the project's folders are. The package runs from its checkout (editable
install): platform data, firmware sources and build outputs live beside it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_DIR = ROOT / "platform"
SW_DIR = ROOT / "sw"
BUILD_DIR = ROOT / "build"
FW_BUILD_DIR = BUILD_DIR / "fw"
GEN_DIR = BUILD_DIR / "gen"
NATIVE_BUILD_DIR = BUILD_DIR / "native"
THIRD_PARTY_DIR = ROOT / "third_party"
