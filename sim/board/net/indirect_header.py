"""The C header of the LAN9118's indirect registers (MAC CSRs behind MAC_CSR_CMD, PHY
registers behind MII_ACC), generated from their maps in platform/peripherals/.

The memory-mapped registers are in the generated board.h; these are not memory-mapped,
so board.h does not hold them. The header is committed under sw/drivers/ and a test keeps
it equal to this output: `python -m tlscosim.sim.board.net.indirect_header > sw/drivers/lan9118_indirect.h`.
"""

from __future__ import annotations

from tlscosim.boarddesc import load_register_map
from tlscosim.cheader import header_text
from tlscosim.regmap import c_identifier

# map name -> (macro prefix, bytes per index step in the map's offsets)
INDIRECT_MAPS = {"lan9118_mac": ("LAN9118_MAC", 4), "lan9118_phy": ("LAN9118_PHY", 2)}


def indirect_lines(map_name: str) -> list[str]:
    prefix, step = INDIRECT_MAPS[map_name]
    regmap = load_register_map(map_name)
    lines = [f"/* {regmap.description} */"]
    for reg in regmap:
        r = c_identifier(prefix, reg.name)
        lines.append(f"#define {r}_INDEX {reg.offset // step}u")
        if reg.reset:
            lines.append(f"#define {r}_RESET 0x{reg.reset:08X}u")
        for fld in reg.fields:
            f = c_identifier(r, fld.name)
            lines += [f"#define {f}_OFFSET {fld.lsb}u", f"#define {f}_SIZE {fld.width}u",
                      f"#define {f}_MASK 0x{fld.mask:08X}u"]
    return lines


def indirect_header() -> str:
    body: list[str] = []
    for name in INDIRECT_MAPS:
        body += indirect_lines(name) + [""]
    return header_text("LAN9118_INDIRECT_H", "LAN9118 MAC and PHY registers (platform/peripherals/lan9118_{mac,phy}.toml).",
                       body[:-1])


if __name__ == "__main__":
    print(indirect_header(), end="")
