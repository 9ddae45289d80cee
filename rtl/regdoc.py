"""Markdown tables of the register maps, for docs/rtl.md (a test keeps them in step)."""

from tlscosim.regmap import RegisterMap


def markdown_table(regmap: RegisterMap) -> str:
    lines = ["| offset | register | access | reset | fields | description |",
             "|---|---|---|---|---|---|"]
    for reg in regmap:
        offset = f"0x{reg.offset:03X}"
        name = reg.name
        if reg.count > 1:
            offset += f"-0x{reg.offset + reg.span - 1:03X}"
            name += f"[{reg.count}]"
        fields = ", ".join(
            f"{f.name} [{f.lsb + f.width - 1}:{f.lsb}]" if f.width > 1 else f"{f.name} [{f.lsb}]"
            for f in reg.fields)
        reset = f"0x{reg.reset:08X}" if reg.reset else "0"
        lines.append(f"| {offset} | {name} | {reg.access} | {reset} | {fields} | {reg.description} |")
    return "\n".join(lines) + "\n"
