"""`--verify-offload`: every accelerator operation recomputed from what the firmware
wrote to its registers, and compared with what the firmware then read back.

The verifier keeps a shadow of each accelerator's inputs (only the writes the RTL
accepts: `accepted`), computes the expected result of every START with a
reference implementation (AES: `cryptography`; SHA-256: the FIPS 180-4 compression
function below, tested against hashlib), and compares every output word the firmware
reads once the operation is done. A mismatch is reported with the operation's cycle,
PC and function, its operands, and the read that exposed it.

The SHA-256 compression needs a reference that can start from any chaining value (a
resumed context), which hashlib does not expose; `sha256_compress` is that reference,
and tests hold it to hashlib over padded messages.
"""

from __future__ import annotations

from functools import lru_cache
from dataclasses import dataclass, field
from math import isqrt
from typing import Callable

from tlscosim.rtl.regmaps import AES_KEYLEN_CODES, register_map

MASK32 = 0xFFFFFFFF
AES_KEY_BITS = {code: bits for bits, code in AES_KEYLEN_CODES.items()}
AES_RESERVED_KEY_BITS = 256      # KEYLEN 3 behaves as 256 (rtl/regmaps.py)


# -- SHA-256 reference (FIPS 180-4) ------------------------------------------------------

def _primes(count: int) -> list[int]:
    found, n = [], 2
    while len(found) < count:
        if all(n % p for p in found if p * p <= n):
            found.append(n)
        n += 1
    return found


def _icbrt(n: int) -> int:
    x = int(round(n ** (1 / 3)))
    while x ** 3 > n:
        x -= 1
    while (x + 1) ** 3 <= n:
        x += 1
    return x


_PRIMES = _primes(64)
# First 32 bits of the fractional parts of the cube roots of the first 64 primes (K), of
# the square roots of the first 8 (SHA-256 IV), and the second 32 bits of those of the
# 9th to 16th (SHA-224 IV).
SHA256_K = [_icbrt(p << 96) & MASK32 for p in _PRIMES]
SHA256_IV = [isqrt(p << 64) & MASK32 for p in _PRIMES[:8]]
SHA224_IV = [isqrt(p << 128) & MASK32 for p in _PRIMES[8:16]]


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & MASK32


def sha256_compress(chain: list[int], block: bytes) -> list[int]:
    """One SHA-256 compression of a 64-byte block onto chaining value H0..H7."""
    w = [int.from_bytes(block[4 * i:4 * i + 4], "big") for i in range(16)]
    for t in range(16, 64):
        s0 = _rotr(w[t - 15], 7) ^ _rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotr(w[t - 2], 17) ^ _rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & MASK32)
    a, b, c, d, e, f, g, h = chain
    for t in range(64):
        t1 = (h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g))
              + SHA256_K[t] + w[t]) & MASK32
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & MASK32
        a, b, c, d, e, f, g, h = (t1 + t2) & MASK32, a, b, c, (d + t1) & MASK32, e, f, g
    return [(x + y) & MASK32 for x, y in zip(chain, (a, b, c, d, e, f, g, h))]


def aes_block(key: bytes, block: bytes, decrypt: bool) -> bytes:
    return _ecb_context(key, decrypt).update(block)


@lru_cache(maxsize=16)
def _ecb_context(key: bytes, decrypt: bool):
    """An ECB context per key and direction, kept: ECB has no state between blocks, and
    making a context costs more than the block (the verifier sees millions of them)."""
    # Imported here: boards load the control model (the usage monitor) without it.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    return cipher.decryptor() if decrypt else cipher.encryptor()


# -- what the verifier sees ----------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    """One bus access to an accelerator, as the device performed it."""

    device: str
    register: str
    index: int
    write: bool
    value: int          # the 32-bit word lanes (shifted into place)
    mask: int           # the lanes accessed
    busy: bool          # the core was busy when the access was made
    cycle: int
    pc: int | None


@dataclass
class Operation:
    device: str
    kind: str                      # "aes-128 encrypt", "sha-256 block (init)", ...
    operands: dict[str, str]
    expected: list[int]            # the output words
    cycle: int
    pc: int | None
    checked: bool = False
    mismatched: bool = False


@dataclass
class Mismatch:
    operation: Operation
    where: str                     # the operation's function
    register: str
    index: int
    expected: int
    got: int
    read_cycle: int
    read_where: str
    pc_of_read: int | None = None

    def format(self) -> str:
        op = self.operation
        operands = ", ".join(f"{k}={v}" for k, v in op.operands.items())
        return (f"{op.device}: {op.kind} started at cycle {op.cycle} by pc={_hex(op.pc)} ({self.where}) "
                f"with {operands}: {self.register}[{self.index}] read {self.got:#010x} at cycle "
                f"{self.read_cycle} ({self.read_where}), the reference gives {self.expected:#010x}")

    def to_dict(self) -> dict:
        op = self.operation
        return {"device": op.device, "operation": op.kind, "cycle": op.cycle, "pc": op.pc,
                "function": self.where, "operands": op.operands, "register": f"{self.register}[{self.index}]",
                "expected": self.expected, "got": self.got, "read_cycle": self.read_cycle,
                "read_function": self.read_where}


def _hex(value: int | None) -> str:
    return "?" if value is None else f"{value:#010x}"


NEVER = float("inf")


class _Shadow:
    """The inputs of one accelerator as the RTL holds them, and the operations in flight.

    What the RTL takes (docs/rtl.md, "Registered START, streaming"): CTRL and the input
    buffer are locked only while a START is pending; the operands the running core reads
    (`LOCKED_WHILE_BUSY`) while it runs or a START is pending; STATUS and IRQ_ENABLE
    always. A START (CTRL.START, or with CTRL.AUTOSTART the write of the buffer's last
    word) is pending until the core takes it: the cycle after it when the core was idle,
    else when the running operation ends, which the shadow learns from STATUS reads
    (INPUT_READY, DONE, BUSY) or from the device's busy line falling. Operands are read
    when the core takes the START; they cannot change while it is pending (locked), so
    the reference result is computed when it is accepted.
    """

    OUTPUT = ""
    INPUT_BUFFER = ""
    LOCKED_WHILE_BUSY: tuple[str, ...] = ()
    HOLDS_OUTPUT = False        # a finished operation waits for its output's release

    def __init__(self, device: str, regmap, reference: bool = True):
        self.device = device
        self.regmap = regmap
        self.reference = reference      # False: the control state only (the usage monitor)
        self.values = {r.name: [0] * r.count for r in regmap}
        ctrl = regmap["CTRL"]
        self._start, self._clear = ctrl.field("START"), ctrl.field("CLEAR")
        self._autostart = ctrl.field("AUTOSTART")
        self._kept = sum(f.mask for f in ctrl.fields if f not in (self._start, self._clear))
        status = regmap["STATUS"]
        self._done, self._busy = status.field("DONE"), status.field("BUSY")
        self._input_ready, self._output_valid = status.field("INPUT_READY"), status.field("OUTPUT_VALID")
        self._last_input = regmap[self.INPUT_BUFFER].count - 1
        self._op_ctrl = 0
        self.ctrl = 0                   # CTRL's stored fields
        self.ops: list[Operation] = []  # accepted since reset or CLEAR, oldest first (the last few)
        self.accepted = 0               # how many
        self.completed = 0              # of which the firmware has seen complete
        self.pending_until: float | None = None   # the last cycle the newest may still be pending
        self.queued_unreleased = False  # newest queued behind a running one, no release since
        self.clear_cycle: int | None = None       # the cycle a registered CLEAR resets the core

    @property
    def done_mask(self) -> int:
        return self._done.mask

    def store(self, access: Access) -> None:
        words = self.values[access.register]
        words[access.index] = (words[access.index] & ~access.mask) | (access.value & access.mask)

    def bytes_of(self, register: str, count: int) -> bytes:
        return b"".join(w.to_bytes(4, "little") for w in self.values[register])[:count]

    def ctrl_field(self, access: Access, name: str) -> int:
        """A CTRL field of the operation being started (the stored CTRL, as the core reads it)."""
        return self.regmap["CTRL"].field(name).extract(self._op_ctrl)

    def begin(self, access: Access) -> Operation:
        raise NotImplementedError

    def take_delay(self) -> int:
        """Cycles an idle core spends before it takes a START (and copies the buffer)."""
        return 0

    def taken_setup(self) -> None:
        """The state a START leaves in the core (its key schedule)."""

    def operand_written(self, register: str) -> None:
        """An accepted write of an operand register."""

    # -- the RTL's control state ---------------------------------------------------------------

    def pending(self, access: Access) -> bool:
        if self.pending_until is None:
            return False
        if not access.busy or access.cycle > self.pending_until:
            self.pending_until = None      # taken (an idle core has no START waiting)
            return False
        return True

    def _idle(self, access: Access) -> bool:
        """The core neither runs nor holds a finished operation (the busy line is low while
        a finished AES block waits for its output's release)."""
        return not access.busy and not (self.HOLDS_OUTPUT and self.queued_unreleased)

    def running(self, access: Access) -> bool:
        """The core runs an operation (or holds a finished one): its operands are locked."""
        if self.accepted == self.completed:
            return False                   # nothing in flight (a busy line is the wipe)
        return access.busy or (self.HOLDS_OUTPUT and self.queued_unreleased)

    def accepts(self, access: Access) -> bool:
        """Whether the RTL takes this write."""
        register = access.register
        if register in ("STATUS", "IRQ_ENABLE"):
            return True
        if self.clear_cycle is not None and access.cycle == self.clear_cycle:
            return False                   # the registered CLEAR resets the core now
        if register == "CTRL" and self._clear.extract(access.value & access.mask):
            return True
        if register in ("CTRL", self.INPUT_BUFFER):
            return not self.pending(access)
        if register in self.LOCKED_WHILE_BUSY:
            return not self.pending(access) and not self.running(access)
        return True                        # read-only or unmapped: nothing to store

    def start_requested(self, access: Access) -> bool:
        if access.register == "CTRL":
            return bool(self._start.extract(access.value & access.mask))
        return (access.register == self.INPUT_BUFFER and access.index == self._last_input
                and bool(self._autostart.extract(self.ctrl)))

    def write(self, access: Access) -> Operation | None:
        """An accepted write; returns the operation it starts, if any."""
        if access.register == "CTRL" and self._clear.extract(access.value & access.mask):
            self._reset(access.cycle + 1)
            return None
        if access.register == "STATUS":
            written = access.value & access.mask
            if written & self._output_valid.mask:
                self.queued_unreleased = False
            if written & self._done.mask and self._idle(access) and not self.pending(access):
                self.completed = self.accepted    # acknowledging DONE (an interrupt handler)
            return None
        starting = self.start_requested(access)
        if access.register == "CTRL":
            self.ctrl = access.value & access.mask & self._kept | self.ctrl & ~(access.mask & self._kept)
        else:
            self.store(access)
            self.operand_written(access.register)
        if not starting:
            return None
        self._op_ctrl = self.ctrl
        op = self.begin(access) if self.reference else Operation(self.device, "", {}, [], access.cycle, access.pc)
        idle = self._idle(access)
        if idle:
            self.completed = self.accepted         # nothing can still be running
        self.pending_until = access.cycle + 1 + self.take_delay() if idle else NEVER
        self.taken_setup()
        self.queued_unreleased = not idle
        self.accepted += 1
        self.ops = self.ops[-2:] + [op]
        return op

    def status_read(self, access: Access) -> None:
        """What a STATUS read tells of the operations in flight. The newest START cleared
        DONE, so a DONE seen while busy is the end of the one before it; an operation
        taken (no START pending) means the one before it ended too."""
        value = access.value
        pending = not self._input_ready.extract(value)
        if not pending:
            self.pending_until = None
        if not self._busy.extract(value):
            self.completed = self.accepted         # nothing pending, nothing running
        elif self._done.extract(value) or not pending:
            self.completed = max(self.completed, self.accepted - 1)

    def observed_result(self) -> Operation | None:
        """The operation whose result the output registers hold, as far as the firmware saw."""
        back = self.accepted - self.completed     # of the kept ones, how far from the newest
        if self.completed == 0 or back >= len(self.ops):
            return None
        return self.ops[-1 - back]

    def _reset(self, clear_cycle: int | None) -> None:
        for name, words in self.values.items():
            if name != "IRQ_ENABLE":
                words[:] = [0] * len(words)
        self.ctrl = 0
        self.ops, self.accepted, self.completed = [], 0, 0
        self.pending_until, self.queued_unreleased = None, False
        self.clear_cycle = clear_cycle
        self.taken_setup_reset()

    def taken_setup_reset(self) -> None:
        """CLEAR wipes what the core kept (its key schedule)."""


class _AesShadow(_Shadow):
    OUTPUT = "DOUT"
    INPUT_BUFFER = "DIN"
    LOCKED_WHILE_BUSY = ("KEY",)
    HOLDS_OUTPUT = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule_bits: int | None = None     # the key size the core's schedule is for

    def _op_bits(self) -> int:
        return AES_KEY_BITS.get(self.regmap["CTRL"].field("KEYLEN").extract(self._op_ctrl), AES_RESERVED_KEY_BITS)

    def take_delay(self) -> int:
        # A stale schedule is expanded first, 4 (Nr + 1) + 1 cycles (docs/rtl.md, timing
        # contract); the core takes DIN when the expansion ends.
        bits = self._op_bits()
        return 0 if self.schedule_bits == bits else 4 * (bits // 32 + 7) + 1

    def taken_setup(self) -> None:
        self.schedule_bits = self._op_bits()

    def operand_written(self, register: str) -> None:
        if register == "KEY":
            self.schedule_bits = None

    def taken_setup_reset(self) -> None:
        self.schedule_bits = None

    def begin(self, access: Access) -> Operation:
        bits = AES_KEY_BITS.get(self.ctrl_field(access, "KEYLEN"), AES_RESERVED_KEY_BITS)
        decrypt = bool(self.ctrl_field(access, "DECRYPT"))
        key, din = self.bytes_of("KEY", bits // 8), self.bytes_of("DIN", 16)
        out = aes_block(key, din, decrypt)
        return Operation(self.device, f"aes-{bits} {'decrypt' if decrypt else 'encrypt'}",
                         {"key": key.hex(), "in": din.hex()},
                         [int.from_bytes(out[4 * i:4 * i + 4], "little") for i in range(4)],
                         access.cycle, access.pc)


class _Sha256Shadow(_Shadow):
    OUTPUT = "DIGEST"
    INPUT_BUFFER = "BLOCK"
    LOCKED_WHILE_BUSY = ("DIGEST",)

    def begin(self, access: Access) -> Operation:
        init, sha224 = self.ctrl_field(access, "INIT"), self.ctrl_field(access, "SHA224")
        chain = (SHA224_IV if sha224 else SHA256_IV) if init else list(self.values["DIGEST"])
        block = self.bytes_of("BLOCK", 64)
        result = sha256_compress(chain, block)
        self.values["DIGEST"] = list(result)      # the next block chains from it
        kind = f"sha-{224 if init and sha224 else 256} block" + (" (init)" if init else "")
        operands = {"block": block.hex()}
        if not init:
            operands["chain"] = "".join(f"{w:08x}" for w in chain)
        return Operation(self.device, kind, operands, result, access.cycle, access.pc)


def _gcm_shadow(*args, **kwargs):
    from .offload_verify_gcm import GcmShadow      # it imports this module: loaded on use
    return GcmShadow(*args, **kwargs)


SHADOWS = {"aes": _AesShadow, "sha256": _Sha256Shadow, "gcm": _gcm_shadow}


@dataclass
class OffloadVerifier:
    """Receives every accelerator access (`observe`) and checks every operation."""

    describe: Callable[[int], str] = lambda pc: f"{pc:#010x}"
    started: int = 0              # operations started (only the current one is kept)
    checked: int = 0              # of which the firmware read a result
    mismatches: list[Mismatch] = field(default_factory=list)
    unverified: set[str] = field(default_factory=set)   # devices used that have no reference
    _shadows: dict[str, _Shadow] = field(default_factory=dict)

    def attach(self, device: str, core: str) -> None:
        if core in SHADOWS:                # a core without a reference model: reported when used
            self._shadows[device] = SHADOWS[core](device, register_map(core))

    def observe(self, access: Access) -> None:
        shadow = self._shadows.get(access.device)
        if shadow is None:
            self.unverified.add(access.device)
            return
        if access.write:
            if shadow.accepts(access) and shadow.write(access) is not None:
                self.started += 1
            return
        if access.register == "STATUS":
            shadow.status_read(access)
            return
        if access.register != shadow.OUTPUT:
            return
        # Results count once the firmware has seen the operation complete (a read before
        # that is the firmware's mistake, reported by the device as an early read).
        op = shadow.observed_result()
        if op is None:
            return
        if not op.checked:
            op.checked = True
            self.checked += 1
        expected = op.expected[access.index] & access.mask
        got = access.value & access.mask
        if got != expected and not op.mismatched:
            op.mismatched = True
            self.mismatches.append(Mismatch(op, self._where(op.pc), access.register, access.index,
                                            expected, got, access.cycle, self._where(access.pc), access.pc))

    def _where(self, pc: int | None) -> str:
        return "?" if pc is None else self.describe(pc)

    def summary(self) -> dict:
        return {"operations": self.started, "checked": self.checked,
                "mismatches": len(self.mismatches),
                "first_mismatch": self.mismatches[0].to_dict() if self.mismatches else None,
                "unverified_devices": sorted(self.unverified)}
