"""Vectorized checksums over Arrow string arrays of digits (Luhn, ABA) and IBAN mod-97.

Equal-length digit strings sit back to back in an Arrow data buffer, so a group
of them is a ``(rows, length)`` uint8 matrix for numpy: no Python loop per value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.fastpaths import as_arrow


def _digit_matrix(digits: pa.Array, length: int) -> np.ndarray:
    """View equal-length ASCII digit strings as an int matrix (copying only the data)."""
    arr = digits
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=arr.offset + len(arr) + 1)
    offsets = offsets[arr.offset:]
    start = int(offsets[0])
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8, count=int(offsets[-1]) - start,
                         offset=start)
    return data.reshape(-1, length).astype(np.int16) - 48


def _by_length(digits: pa.Array, lengths: range,
               check: Callable[[np.ndarray], np.ndarray]) -> pa.BooleanArray:
    """Apply ``check(matrix) -> bool[]`` to each group of equal-length strings."""
    n = len(digits)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return as_arrow(out)
    lens = pc.binary_length(digits).to_numpy(zero_copy_only=False)
    for length in lengths:
        idx = np.flatnonzero(lens == length)
        if idx.size == 0:
            continue
        group = digits.take(as_arrow(idx))
        out[idx] = check(_digit_matrix(group, length))
    return as_arrow(out)


def _luhn_matrix(m: np.ndarray) -> np.ndarray:
    length = m.shape[1]
    d = m.copy()
    d[:, length - 2::-2] *= 2
    d[d > 9] -= 9
    return (d.sum(axis=1) % 10) == 0


def luhn(digits: pa.Array, lengths: range = range(12, 20)) -> pa.BooleanArray:
    """Luhn check of digit-only strings; other lengths are False."""
    return _by_length(digits, lengths, _luhn_matrix)


def _aba_matrix(m: np.ndarray) -> np.ndarray:
    w = np.array([3, 7, 1, 3, 7, 1, 3, 7, 1], dtype=np.int16)
    checksum_ok = (m * w).sum(axis=1) % 10 == 0
    prefix = m[:, 0] * 10 + m[:, 1]
    # Federal Reserve routing symbols: 00-12, 21-32 (thrifts), 61-72 (electronic),
    # 80 (traveller's checks).
    prefix_ok = (prefix <= 12) | ((prefix >= 21) & (prefix <= 32)) | \
        ((prefix >= 61) & (prefix <= 72)) | (prefix == 80)
    nonzero = m.sum(axis=1) > 0
    return checksum_ok & prefix_ok & nonzero


def aba_routing(digits: pa.Array) -> pa.BooleanArray:
    """US ABA routing number checksum (3-7-1 weights) and Federal Reserve prefix."""
    return _by_length(digits, range(9, 10), _aba_matrix)


def iban_valid(value: str) -> bool:
    """ISO 13616 IBAN check: move the first four characters to the end, mod 97 == 1."""
    v = value.replace(" ", "").upper()
    if len(v) < 15 or len(v) > 34 or not v.isalnum():
        return False
    moved = v[4:] + v[:4]
    try:
        number = int("".join(str(int(ch, 36)) for ch in moved))
    except ValueError:
        return False
    return number % 97 == 1
