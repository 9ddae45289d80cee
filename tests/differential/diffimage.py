"""Wraps a batch of generated programs into a firmware image per board and reads the
images' reports back.

Each program gets a workspace in SRAM: its buffer (filled from the program's seed), then
its result words. The image, for each program in turn: fills the buffer, sets the stack,
APSR and r0-r12 (r6/r7 the table and buffer bases), runs the body, stores r0-r12 (r6/r7
relative to their bases, which must give 0), SP relative to its start and APSR into the
result words. At the end it writes every workspace, raw, to the semihosting console
(SYS_WRITE on ":tt") and exits. The same source is linked for every board with the board's generated memory.ld.
"""

from __future__ import annotations

import random
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tlscosim.boarddesc import BoardDescription
from tlscosim.fw.generate import generate_board_files

from thumbgen import BUF_ABOVE, BUF_BELOW, DATA_REGS, SCS_SYMBOLS, TABLE_BYTES, Program

FIRMWARE_DIR = Path(__file__).parent / "firmware"
CROSS_GCC = "arm-none-eabi-gcc"
ARCH = ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft")

BUFFER_BYTES = BUF_BELOW + BUF_ABOVE
RESULT_WORDS = 16
WORKSPACE_WORDS = BUFFER_BYTES // 4 + RESULT_WORDS
WORKSPACE_BYTES = WORKSPACE_WORDS * 4
PROGRAM_STACK_BYTES = 512
# Result words (from the buffer's end): r0-r12 by number, then these.
SP_SLOT, APSR_SLOT = 13, 14
BASE_SLOTS = {"r6": 6, "r7": 7}
TABLE_SEED = 0x7AB1E5ED

ALL_REGS = tuple(f"r{n}" for n in range(13))


@dataclass(frozen=True)
class FinalState:
    """What a program left: r0-r12 (r6, r7 relative to their bases), SP relative to its
    start, APSR (NZCVQ and GE) and the buffer's bytes."""

    registers: tuple[int, ...]
    sp_offset: int
    apsr: int
    buffer: bytes

    @classmethod
    def parse(cls, workspace: bytes) -> "FinalState":
        result = struct.unpack_from(f"<{RESULT_WORDS}I", workspace, BUFFER_BYTES)
        return cls(tuple(result[:13]), result[SP_SLOT], result[APSR_SLOT], workspace[:BUFFER_BYTES])

    def differences(self, other: "FinalState") -> list[str]:
        """What differs, register by register and buffer word by word."""
        out = [f"r{n}: 0x{a:08x} != 0x{b:08x}" for n, (a, b) in enumerate(zip(self.registers, other.registers)) if a != b]
        if self.sp_offset != other.sp_offset:
            out.append(f"sp offset: {self.sp_offset:#x} != {other.sp_offset:#x}")
        if self.apsr != other.apsr:
            out.append(f"apsr: 0x{self.apsr:08x} != 0x{other.apsr:08x}")
        for i in range(0, BUFFER_BYTES, 4):
            a, b = self.buffer[i:i + 4], other.buffer[i:i + 4]
            if a != b:
                out.append(f"buffer[BUF{i - BUF_BELOW:+d}]: {a.hex()} != {b.hex()}")
        return out


def parse_report(output: bytes, programs: int) -> list[FinalState]:
    """The workspaces the image wrote, raw, one after the other."""
    if len(output) != programs * WORKSPACE_BYTES:
        raise ValueError(f"a report of {len(output)} bytes for {programs} programs "
                         f"({WORKSPACE_BYTES} each): {output[:200]!r}")
    return [FinalState.parse(output[i:i + WORKSPACE_BYTES]) for i in range(0, len(output), WORKSPACE_BYTES)]


def _table_words() -> list[int]:
    rng = random.Random(TABLE_SEED)
    return [rng.getrandbits(32) for _ in range(TABLE_BYTES // 4)]


def _scs_addresses(desc: BoardDescription) -> dict[str, int]:
    scs = desc.peripheral("scs")
    return {symbol: scs.base + scs.regmap.offset(symbol.split("_")[1]) for symbol in SCS_SYMBOLS}


def batch_source(programs: list[Program], desc: BoardDescription) -> str:
    """The generated assembly of a batch (board-independent apart from the SCS addresses,
    which both boards share: they come from the description all the same)."""
    lines = [".syntax unified", ".thumb"]
    lines += [f".equ {symbol}, 0x{addr:08x}" for symbol, addr in _scs_addresses(desc).items()]
    lines += [".text", ".global run_programs", ".type run_programs, %function", ".thumb_func", "run_programs:"]
    for i, program in enumerate(programs):
        lines += _program(i, program)
    for i in range(len(programs)):
        lines += [f"ldr r0, =workspace_{i}", "bl report_workspace"]
    lines += ["b exit_success", ".ltorg"]
    lines += [".align 2", "code_table:", *(f".word 0x{w:08x}" for w in _table_words())]
    lines += [".bss", ".align 3", "program_stack:", f".space {PROGRAM_STACK_BYTES}", "program_stack_top:"]
    for i in range(len(programs)):
        lines += [".align 2", f"workspace_{i}:", f".space {WORKSPACE_BYTES}"]
    return "\n".join("    " + line if not line.endswith(":") else line for line in lines) + "\n"


def _program(i: int, program: Program) -> list[str]:
    ws = f"workspace_{i}"
    result = BUFFER_BYTES - BUF_BELOW          # result words, from the buffer base
    init = [program.registers[r] for r in DATA_REGS]
    body = [line.replace(".Lp_", f".Lp{i}_") for line in program.body]
    return [
        f"@ program {i}: fill the workspace from the seed (xorshift32)",
        f"ldr r0, ={ws}", f"ldr r1, =0x{program.buffer_seed:08x}", f"ldr r2, ={WORKSPACE_WORDS}",
        f".Lfill{i}:",
        "lsls r3, r1, #13", "eors r1, r3", "lsrs r3, r1, #17", "eors r1, r3", "lsls r3, r1, #5", "eors r1, r3",
        "str r1, [r0], #4", "subs r2, r2, #1", f"bne .Lfill{i}",
        "ldr r0, =program_stack_top", "mov sp, r0",
        f"ldr r0, =0x{program.flags:08x}", "msr APSR_nzcvqg, r0",
        "ldr r6, =code_table", f"ldr r7, ={ws} + {BUF_BELOW}",
        f"ldr r0, =.Linit{i}", "ldm r0, {r0-r5, r8-r12}",     # base in the list, no writeback: r0 loaded
        *body,
        f"@ program {i}: results",
        *(f"str {r}, [r7, #{result + 4 * int(r[1:])}]" for r in DATA_REGS),
        "mrs r0, APSR", f"str r0, [r7, #{result + 4 * APSR_SLOT}]",
        "mov r0, sp", "ldr r1, =program_stack_top", "subs r0, r0, r1", f"str r0, [r7, #{result + 4 * SP_SLOT}]",
        "ldr r1, =code_table", "subs r0, r6, r1", f"str r0, [r7, #{result + 4 * BASE_SLOTS['r6']}]",
        f"ldr r1, ={ws} + {BUF_BELOW}", "subs r0, r7, r1", f"str r0, [r7, #{result + 4 * BASE_SLOTS['r7']}]",
        f"b .Lnext{i}", ".ltorg", ".align 2", f".Linit{i}:", *(f".word 0x{v:08x}" for v in init),
        f".Lnext{i}:",
    ]


class BuildError(Exception):
    """The assembler or linker refused a generated batch (a generator bug)."""


def build_images(programs: list[Program], boards: list[BoardDescription], folder: Path) -> dict[str, Path]:
    """Board name -> ELF of the batch."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "batch.S"
    source.write_text(batch_source(programs, boards[0]))
    defines = [f"-DWORKSPACE_WORDS={WORKSPACE_WORDS}"]
    objects = []
    for name, path in (("harness", FIRMWARE_DIR / "harness.S"), ("batch", source)):
        obj = folder / f"{name}.o"
        _run([CROSS_GCC, *ARCH, *defines, "-c", str(path), "-o", str(obj)])
        objects.append(str(obj))
    elfs = {}
    for desc in boards:
        elf = folder / f"{desc.name}.elf"
        _run([CROSS_GCC, *ARCH, "-nostdlib", "-nostartfiles", f"-T{FIRMWARE_DIR / 'batch.ld'}",
              f"-L{generate_board_files(desc)}", *objects, "-o", str(elf)])
        elfs[desc.name] = elf
    return elfs


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)}\n{proc.stderr}")
