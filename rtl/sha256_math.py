"""SHA-256 constants (FIPS 180-4, 4.2.2 and 5.3), derived from the primes rather than copied."""

from __future__ import annotations

from functools import lru_cache
from math import isqrt

WORD_MASK = 0xFFFF_FFFF


def _primes(count: int) -> list[int]:
    found: list[int] = []
    candidate = 2
    while len(found) < count:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def _icbrt(n: int) -> int:
    lo, hi = 0, 1 << (n.bit_length() // 3 + 1)
    while lo < hi:                      # largest x with x**3 <= n
        mid = (lo + hi + 1) // 2
        if mid ** 3 <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=None)
def round_constants() -> tuple[int, ...]:
    """K: the first 32 fraction bits of the cube roots of the first 64 primes."""
    return tuple(_icbrt(p << 96) & WORD_MASK for p in _primes(64))


@lru_cache(maxsize=None)
def initial_values(sha224: bool = False) -> tuple[int, ...]:
    """H(0): fraction bits of square roots of primes 1-8 (SHA-256: bits 1-32) or 9-16
    (SHA-224: bits 33-64)."""
    primes = _primes(16)
    if sha224:
        return tuple(isqrt(p << 128) & WORD_MASK for p in primes[8:])
    return tuple((isqrt(p << 64)) & WORD_MASK for p in primes[:8])
