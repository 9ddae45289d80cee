"""AES arithmetic in GF(2^8), computed from FIPS-197's definitions rather than copied tables.

Used twice: in Python to build the S-box ROM contents, and on Amaranth values to build
MixColumns as XOR networks (`xtime` works on ints and on 8-bit Values alike).
"""

from __future__ import annotations

from functools import lru_cache

AES_POLY = 0x11B


def gf_mul(a: int, b: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        a <<= 1
        if a & 0x100:
            a ^= AES_POLY
        b >>= 1
    return result


def _affine(b: int) -> int:
    out = 0x63
    for shift in range(5):
        out ^= ((b << shift) | (b >> (8 - shift))) & 0xFF
    return out


@lru_cache(maxsize=None)
def sbox() -> tuple[int, ...]:
    inverse = [0] * 256
    for a in range(1, 256):
        for b in range(1, 256):
            if gf_mul(a, b) == 1:
                inverse[a] = b
                break
    return tuple(_affine(inverse[x]) for x in range(256))


@lru_cache(maxsize=None)
def inv_sbox() -> tuple[int, ...]:
    forward = sbox()
    table = [0] * 256
    for x, y in enumerate(forward):
        table[y] = x
    return tuple(table)


def xtime(a):
    """Multiply by {02}: works on ints and on 8-bit Amaranth values."""
    if isinstance(a, int):
        return ((a << 1) ^ (0x1B if a & 0x80 else 0)) & 0xFF
    from amaranth.hdl import Cat, Const
    msb, zero = a[7], Const(0, 1)
    shifted = Cat(zero, a[:7])
    return shifted ^ Cat(msb, msb, zero, msb, msb, Const(0, 3))   # 0x1B where the top bit fell out


def mix_column(col):
    """MixColumns on one column [a0, a1, a2, a3] (ints or 8-bit Values)."""
    out = []
    for i in range(4):
        a, b, c, d = (col[(i + k) % 4] for k in range(4))
        out.append(xtime(a) ^ xtime(b) ^ b ^ c ^ d)    # {02}a ^ {03}b ^ c ^ d
    return out


def inv_mix_premap(col):
    """The cheap map P with InvMixColumns = MixColumns o P: y_i = x_i ^ {04}(x_i ^ x_{i+2}).

    ([0e 0b 0d 09] = [02 03 01 01] x [05 00 04 00]), so decryption reuses the MixColumns
    network behind a few XORs instead of a second, larger one.
    """
    return [col[i] ^ xtime(xtime(col[i] ^ col[(i + 2) % 4])) for i in range(4)]
