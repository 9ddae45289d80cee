"""The accelerators' register maps: declared once, here, next to their RTL.

The RTL's bus bridge decodes addresses from these maps, the RTL reads its field
positions from them, and the C headers and JSON maps are generated from them; nothing
else writes an offset. Byte order: KEY, DIN, DOUT and BLOCK are byte images (byte k of
the key/block at offset +k, so a little-endian CPU copies them with memcpy); DIGEST[i]
is the chaining word H_i as a 32-bit value (the layout of Mbed TLS's `state[i]`).
"""

from __future__ import annotations

from tlscosim.regmap import Field, Register, RegisterMap

WINDOW_SIZE = 0x1000

# KEYLEN field encoding (CTRL.KEYLEN) -> key bits; 3 is reserved and behaves as 256.
AES_KEYLEN_CODES = {128: 0, 192: 1, 256: 2}


def _ascii_id(tag: str) -> int:
    """A 4-character tag as the word a little-endian CPU reads (first character lowest)."""
    return int.from_bytes(tag.encode("ascii"), "little")


def _common_registers(tag: str, version: int, ctrl_fields: tuple[Field, ...],
                      status_fields: tuple[Field, ...]) -> tuple[Register, ...]:
    """ID, VERSION, CTRL, STATUS, IRQ_ENABLE, BLOCKS: the same at the same offsets in every core."""
    return (
        Register("ID", 0x000, access="ro", reset=_ascii_id(tag),
                 description=f"Identifies the core ('{tag}' in ASCII, first character in the low "
                             "byte). Reads 0 where no accelerator is present (QEMU)."),
        Register("VERSION", 0x004, access="ro", reset=version,
                 description="Register interface version.",
                 fields=(Field("MINOR", 0, 16), Field("MAJOR", 16, 16))),
        Register("CTRL", 0x008, access="rw",
                 description="Operation parameters; writing START=1 requests an operation with the "
                             "parameters written in the same write; the core begins it in the next "
                             "cycle it is free (START is registered). START and CLEAR read as 0. "
                             "A write while a START is pending is discarded (STATUS.WERR is set), "
                             "unless it sets CLEAR.",
                 fields=(Field("START", 0, description="Write 1 to start one operation; while "
                                                       "an operation runs, it is queued."),)
                        + ctrl_fields + (
                     Field("AUTOSTART", 6, description="1: a write to the last input word also "
                                                       "acts as START with these parameters."),
                     Field("CLEAR", 7, description="Write 1 to zeroize: abort any operation and "
                                                   "wipe keys, key schedule, state, input and "
                                                   "output (as a reset does; BUSY while wiping)."),
                 )),
        Register("STATUS", 0x00C, access="w1c",
                 description="BUSY is read-only; DONE and WERR are cleared by writing 1.",
                 fields=(
                     Field("BUSY", 0, description="An operation is running (read-only)."),
                     Field("DONE", 1, description="The last operation finished; cleared by START "
                                                  "or by writing 1."),
                     Field("WERR", 2, description="A write to CTRL or an input register was "
                                                  "discarded because it was locked (sticky)."),
                 ) + status_fields + (
                     Field("INPUT_READY", 4, description="The input buffer and CTRL may be written: "
                                                         "no START is pending (read-only)."),
                     Field("OUTPUT_VALID", 5, description="The output holds a result not yet "
                                                          "released; released by START or by "
                                                          "writing 1."),
                 )),
        Register("IRQ_ENABLE", 0x010, access="rw",
                 description="The interrupt line is high while STATUS.DONE and DONE here are both 1.",
                 fields=(Field("DONE", 0),)),
        Register("BLOCKS", 0x014, access="ro",
                 description="Blocks processed since reset (wraps at 2^32): proves the offload."),
    )


def _aes_map() -> RegisterMap:
    ctrl = (
        Field("DECRYPT", 1, description="0: encrypt, 1: decrypt."),
        Field("KEYLEN", 2, 2, description="Key size: 0 = 128, 1 = 192, 2 = 256 bits (3 behaves as 2)."),
    )
    status = (Field("KEY_READY", 3, description="The key schedule for KEY and CTRL.KEYLEN is "
                                                 "expanded; otherwise START expands it first."),)
    regs = _common_registers("AES1", 0x0001_0001, ctrl, status) + (
        Register("KEY", 0x020, access="wo", count=8,
                 description="Key bytes in order (128-bit keys use KEY[0..3], 192 KEY[0..5]). A "
                             "write marks the key schedule stale. Discarded while BUSY. Reads 0."),
        Register("DIN", 0x040, access="rw", count=4,
                 description="Input buffer: block bytes in order. The core copies it when the "
                             "block begins, so the next block may be written while one runs; "
                             "discarded while a START is pending."),
        Register("DOUT", 0x050, access="ro", count=4,
                 description="Output block of the last operation, bytes in order. A block "
                             "finishing while OUTPUT_VALID is 1 waits (BUSY) until it is "
                             "released, so no result is overwritten unread."),
    )
    return RegisterMap("aes", WINDOW_SIZE, regs,
                       "AES-128/192/256 ECB block accelerator (one round per cycle)")


def _sha256_map() -> RegisterMap:
    ctrl = (
        Field("INIT", 1, description="1: start a new message from the initial values; 0: "
                                     "continue from DIGEST."),
        Field("SHA224", 2, description="With INIT: use the SHA-224 initial values."),
    )
    regs = _common_registers("SHA2", 0x0001_0001, ctrl, ()) + (
        Register("BLOCK", 0x040, access="wo", count=16,
                 description="Input buffer: the 64 message bytes of one block in order "
                             "(padding is done by software). Copied into the message schedule "
                             "when the block begins, so the next block may be written while one "
                             "runs; discarded while a START is pending. Reads 0."),
        Register("DIGEST", 0x080, access="rw", count=8,
                 description="Chaining value H0..H7 as 32-bit values; the digest is H_i "
                             "big-endian. Writable to resume a saved context. Discarded while BUSY."),
    )
    return RegisterMap("sha256", WINDOW_SIZE, regs,
                       "SHA-256/224 compression accelerator (one round per cycle)")


# CTRL.OP of the GCM core: one operation per START.
GCM_OPS = {"INIT": 0, "AAD": 1, "ENCRYPT": 2, "DECRYPT": 3, "TAG": 4}


def _gcm_map() -> RegisterMap:
    ops = ", ".join(f"{code} = {name}" for name, code in GCM_OPS.items())
    ctrl = (
        Field("OP", 1, 3, description=f"Operation: {ops}. INIT computes H (once per key) and "
                                      "E_K(J0) with J0 = IV || 1, and restarts CTR at 2 and the "
                                      "lengths at 0; AAD and ENCRYPT/DECRYPT take one block of "
                                      "DIN (BYTES of it); TAG hashes the lengths and writes the "
                                      "tag to DOUT.", values=tuple(GCM_OPS.items())),
        Field("SLOT", 4, description="Key slot: KEY0 or KEY1 (each keeps its own schedule and H)."),
        Field("KEYLEN", 8, 2, description="Key size of the slot: 0 = 128, 1 = 192, 2 = 256 bits."),
        Field("BYTES", 10, 5, description="Valid bytes of DIN for AAD/ENCRYPT/DECRYPT: 1..16 "
                                          "(0 means 16); the rest is ignored and DOUT's rest is 0."),
    )
    status = (Field("KEY_READY", 3, description="The schedule of CTRL.SLOT is expanded for "
                                                 "CTRL.KEYLEN."),)
    key_text = ("Key bytes of slot {n} in order (128-bit keys use [0..3]). A write marks the "
                "slot's schedule and H stale. Discarded while BUSY. Reads 0.")
    regs = _common_registers("GCM1", 0x0001_0000, ctrl, status) + (
        Register("KEY0", 0x020, access="wo", count=8, description=key_text.format(n=0)),
        Register("KEY1", 0x040, access="wo", count=8, description=key_text.format(n=1)),
        Register("IV", 0x060, access="rw", count=3,
                 description="The 96-bit IV, bytes in order; read by INIT. Discarded while BUSY."),
        Register("CTR", 0x06C, access="rw",
                 description="The counter of the next ENCRYPT/DECRYPT block (the last 32 bits of "
                             "the counter block, as a value); INIT sets 2, each block adds 1. "
                             "Discarded while BUSY."),
        Register("DIN", 0x070, access="rw", count=4,
                 description="Input buffer: AAD, plaintext or ciphertext block, bytes in order. "
                             "Copied when the operation begins; discarded while a START is pending."),
        Register("DOUT", 0x080, access="ro", count=4,
                 description="Ciphertext/plaintext of the last block, or the tag after TAG, bytes "
                             "in order. A block finishing while OUTPUT_VALID is 1 waits until it "
                             "is released."),
        Register("AAD_BYTES", 0x090, access="ro", description="AAD bytes hashed since INIT."),
        Register("TEXT_BYTES", 0x094, access="ro", description="Text bytes processed since INIT."),
    )
    return RegisterMap("gcm", WINDOW_SIZE, regs,
                       "AES-GCM accelerator (counter mode + GHASH, two key slots)")


_DECLARATIONS = {"aes": _aes_map, "sha256": _sha256_map, "gcm": _gcm_map}
CORES = tuple(_DECLARATIONS)


def register_map(core: str) -> RegisterMap:
    """The register map of accelerator `core` ("aes" or "sha256")."""
    try:
        build = _DECLARATIONS[core]
    except KeyError:
        raise KeyError(f"no accelerator core {core!r}; known cores: {', '.join(CORES)}") from None
    return build()
