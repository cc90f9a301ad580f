"""Many runs' random streams at once, bit for bit numpy's.

Each Server run draws from its own streams, ``Generator(PCG64(SeedSequence(entropy,
spawn_key=(*prefix, i, role, phase, stream, column))))`` for run ``i`` (:mod:`.draws`). Building
one Generator costs about 15 us, more than the rest of a small run, so the batch engine
(:mod:`.batch`) computes the streams of many runs together: :func:`uniforms` runs numpy's
``SeedSequence`` hash (its ``mix_entropy`` and ``generate_state``), PCG64's seeding (``srandom``:
``state = 0; inc = 2 * initseq + 1; step; state += initstate; step``) and its XSL-RR output on
``uint64`` arrays, one element per run, and returns exactly what ``Generator.random(n)`` returns
for each run. The tests compare it with numpy's Generators over many keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["entropy_words", "uniforms"]

_M32 = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
#: PCG64's 128-bit multiplier, as (high, low) 64-bit halves.
_MUL_HI, _MUL_LO = 0x2360ED051FC65DA4, 0x4385DF649FCCF645
_U64 = np.uint64


def entropy_words(value: object) -> list[int] | None:
    """``value`` (an int or a sequence of ints) as numpy's SeedSequence splits it into 32-bit
    words, or None for anything else (then the caller draws run by run)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        v = int(value)
        if v < 0:
            return None
        words = []
        while True:
            words.append(v & _M32)
            v >>= 32
            if v == 0:
                return words
    if isinstance(value, Sequence) and not isinstance(value, str):
        out: list[int] = []
        for item in value:
            part = entropy_words(item)
            if part is None or not isinstance(item, (int, np.integer)):
                return None
            out += part
        return out
    return None


class _Hash:
    """The running hash constant of one SeedSequence pass (the same for every run)."""

    def __init__(self, start: int, mult: int) -> None:
        self.value, self.mult = start, mult

    def mix(self, x: np.ndarray) -> np.ndarray:
        x = x ^ np.uint32(self.value)
        self.value = (self.value * self.mult) & _M32
        x = x * np.uint32(self.value)
        return x ^ (x >> np.uint32(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
    return r ^ (r >> np.uint32(16))


def _pool(words: list[np.ndarray]) -> list[np.ndarray]:
    """SeedSequence.mix_entropy over per-run word arrays."""
    h = _Hash(_INIT_A, _MULT_A)
    zero = np.zeros_like(words[0])
    mixer = [h.mix(words[i] if i < len(words) else zero) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                mixer[dst] = _mix(mixer[dst], h.mix(mixer[src]))
    for src in range(_POOL, len(words)):
        for dst in range(_POOL):
            mixer[dst] = _mix(mixer[dst], h.mix(words[src]))
    return mixer


def _seed_state(pool: list[np.ndarray]) -> list[np.ndarray]:
    """SeedSequence.generate_state(4, uint64) as four uint64 arrays."""
    h = _Hash(_INIT_B, _MULT_B)
    w32 = [h.mix(pool[k % _POOL]) for k in range(8)]
    return [w32[2 * k].astype(_U64) | (w32[2 * k + 1].astype(_U64) << _U64(32)) for k in range(4)]


def _mulhi(a: np.ndarray, b: int) -> np.ndarray:
    """High 64 bits of ``a * b`` (uint64 array times a 64-bit constant)."""
    m = _U64(_M32)
    a0, a1 = a & m, a >> _U64(32)
    b0, b1 = _U64(b & _M32), _U64(b >> 32)
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _U64(32)) + (p01 & m) + (p10 & m)
    return p11 + (p01 >> _U64(32)) + (p10 >> _U64(32)) + (mid >> _U64(32))


def _step(hi: np.ndarray, lo: np.ndarray, inc_hi: np.ndarray, inc_lo: np.ndarray) -> tuple:
    """One LCG step: state * multiplier + inc (mod 2**128)."""
    new_hi = _mulhi(lo, _MUL_LO) + lo * _U64(_MUL_HI) + hi * _U64(_MUL_LO)
    new_lo = lo * _U64(_MUL_LO)
    out_lo = new_lo + inc_lo
    carry = (out_lo < new_lo).astype(_U64)
    return new_hi + inc_hi + carry, out_lo


def uniforms(entropy: Sequence[int], keys: Sequence[np.ndarray | int], n: int) -> np.ndarray:
    """``Generator(PCG64(SeedSequence(entropy, spawn_key=keys[:, r]))).random(n)`` for every
    run ``r``, as a ``(runs, n)`` float64 array.

    ``entropy`` is the seed's 32-bit words (:func:`entropy_words`); ``keys`` the spawn key, each
    element a scalar (the same for every run) or an array of per-run values below ``2**32``.
    """
    runs = max((k.shape[0] for k in keys if isinstance(k, np.ndarray)), default=1)
    ones = np.ones(runs, dtype=np.uint32)
    words = [ones * np.uint32(w) for w in entropy]
    if keys and len(words) < _POOL:
        words += [ones * np.uint32(0)] * (_POOL - len(words))
    words += [np.asarray(k, dtype=np.uint32) * ones for k in keys]
    s = _seed_state(_pool(words))
    init_hi, init_lo, seq_hi, seq_lo = s
    inc_hi = (seq_hi << _U64(1)) | (seq_lo >> _U64(63))
    inc_lo = (seq_lo << _U64(1)) | _U64(1)
    zero = np.zeros(runs, dtype=_U64)
    hi, lo = _step(zero, zero, inc_hi, inc_lo)
    lo2 = lo + init_lo
    hi = hi + init_hi + (lo2 < lo).astype(_U64)
    hi, lo = _step(hi, lo2, inc_hi, inc_lo)
    out = np.empty((runs, n), dtype=np.float64)
    for k in range(n):
        hi, lo = _step(hi, lo, inc_hi, inc_lo)
        x = hi ^ lo
        rot = hi >> _U64(58)
        v = (x >> rot) | (x << ((_U64(64) - rot) & _U64(63)))
        out[:, k] = (v >> _U64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
    return out
