"""Flash and RAM per component of a firmware, from the GNU ld map file the build writes
(build/fw/APP.map): every input section placed in an output section is attributed to the
object or archive member it came from.

Flash: .isr_vector, .text, .rodata, .ARM.* and the load image of .data. RAM: .data,
.bss and COMMON. The heap and stack regions (reserved, not used) are reported apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

FLASH_SECTIONS = (".isr_vector", ".text", ".rodata", ".ARM.exidx", ".ARM.extab", ".init_array",
                  ".fini_array", ".preinit_array")
RAM_AND_FLASH = (".data",)
RAM_SECTIONS = (".bss",)
RESERVED = (".heap", ".stack")

_OUTPUT = re.compile(r"^(\.[\w.]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)")
_INPUT = re.compile(r"^ (\S+)?\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$")
_INPUT_NAME_ONLY = re.compile(r"^ (\.\S+|COMMON)$")
_MEMBER = re.compile(r"^(?P<archive>.*?)(?P<lib>lib[\w.+-]+)\.a\((?P<member>[^)]+)\)$")


@dataclass
class Footprint:
    flash: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ram: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    modules: dict[str, dict[str, int]] = field(default_factory=dict)    # Mbed TLS per object
    reserved: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        components = sorted(set(self.flash) | set(self.ram))
        return {"components": {c: {"flash": self.flash.get(c, 0), "ram": self.ram.get(c, 0)} for c in components},
                "total": {"flash": sum(self.flash.values()), "ram": sum(self.ram.values())},
                "mbedtls_modules": dict(sorted(self.modules.items(), key=lambda kv: -kv[1]["flash"])),
                "reserved": self.reserved}


def component_of(source: str) -> tuple[str, str | None]:
    """(component, Mbed TLS module or None) of an input file named in the map."""
    m = _MEMBER.match(source)
    if m:
        lib, member = m.group("lib"), m.group("member")
        if lib.startswith("libmbed"):
            return "Mbed TLS", member.removesuffix(".o")
        if lib == "libnet":
            return ("board" if member.startswith("lan9118") else "lwIP"), None
        if lib in ("libc", "libg", "libm", "libgcc", "libnosys", "libc_nano"):
            return "C library", None
        return lib, None
    path = source.replace("\\", "/")
    if "/tls-lib/" in path:
        return "TLS library", None
    if "/apps/" in path:
        return "app", None
    if "/board/" in path or "/drivers/" in path:
        return "board", None
    if "/mbedtls/" in path:
        return "Mbed TLS", Path(path).stem
    if "/lwip/" in path:
        return "lwIP", None
    if path.endswith(".o") and ("crt" in Path(path).name or "/gcc/" in path):
        return "C library", None
    return "other", None


def parse_map(path: str | Path) -> Footprint:
    text = Path(path).read_text(errors="replace")
    start = text.find("Linker script and memory map")
    if start < 0:
        raise ValueError(f"{path}: not a GNU ld map file (no 'Linker script and memory map')")
    fp = Footprint()
    output = None
    pending_name = None
    for line in text[start:].splitlines():
        m = _OUTPUT.match(line)
        if m:
            output = m.group(1)
            if output in RESERVED:
                fp.reserved[output.lstrip(".")] = int(m.group(3), 16)
            continue
        if line.startswith(".") or line.startswith("/DISCARD/"):
            output = line.split()[0]   # output section whose address is on the next line
            continue
        if _INPUT_NAME_ONLY.match(line):
            pending_name = line.strip()
            continue
        m = _INPUT.match(line)
        if not m or output is None:
            pending_name = None
            continue
        name = m.group(1) or pending_name
        pending_name = None
        if name is None or name.startswith("*") or m.group(4).startswith("load address"):
            continue
        size, source = int(m.group(3), 16), m.group(4).strip()
        if size == 0 or not (source.endswith(".o") or source.endswith(")")):
            continue
        in_flash = output in FLASH_SECTIONS or output in RAM_AND_FLASH
        in_ram = output in RAM_AND_FLASH or output in RAM_SECTIONS
        if not (in_flash or in_ram):
            continue
        component, module = component_of(source)
        if in_flash:
            fp.flash[component] += size
        if in_ram:
            fp.ram[component] += size
        if module is not None:
            entry = fp.modules.setdefault(module, {"flash": 0, "ram": 0})
            entry["flash"] += size if in_flash else 0
            entry["ram"] += size if in_ram else 0
    return fp
