"""The 64-bit SimHash of a prompt, exactly as ``contracts/README.md`` defines it."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence

_TOKEN = re.compile(r"\w+")


def prompt_simhash(text: str) -> str:
    """Return the contract SimHash of ``text`` as 16 lower-case hex digits.

    Lower-case, tokenise with ``\\w+``, hash each pair of consecutive tokens (or the single
    token) with BLAKE2b-64 big-endian, and keep bit i where most feature hashes set it.

    Examples
    --------
    >>> prompt_simhash("What is the capital of France?")
    'e99c734a9fe446da'
    >>> prompt_simhash("   ")
    '0000000000000000'
    """
    tokens = _TOKEN.findall(text.lower())
    features = [f"{a} {b}" for a, b in itertools.pairwise(tokens)] if len(tokens) > 1 else tokens
    if not features:
        return "0" * 16
    # Column-wise vote over the features' 64-bit hashes written as binary strings (most
    # significant bit first): bit i is set where more than half of the hashes set it.
    rows = [
        format(int.from_bytes(hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest(), "big"), "064b")
        for f in features
    ]
    half = len(rows)
    bits = "".join("1" if 2 * col.count("1") > half else "0" for col in zip(*rows, strict=True))
    return f"{int(bits, 2):016x}"


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes.

    Examples
    --------
    >>> hamming(0b1011, 0b0001)
    2
    """
    return (a ^ b).bit_count()


def nearest_of(sh: int, hashes: Sequence[int], k: int) -> tuple[int, int]:
    """:func:`ring_nearest` over the first ``k`` hashes only (a ring not yet full); ``(65, -1)``
    when ``k`` is 0. A plain loop: for a few hashes it beats a list of distances and ``min``.

    >>> nearest_of(0b11, [0b00, 0b01, 0b01, 0b11], 3)
    (1, 1)
    """
    best, at = 65, -1
    for i in range(k):
        d = (sh ^ hashes[i]).bit_count()
        if d < best:
            best, at = d, i
    return best, at


def ring_nearest(sh: int, ring: Sequence[int]) -> tuple[int, int]:
    """The Hamming distance from ``sh`` to the nearest of a full ring's 16 hashes, and its slot
    (the first, on a tie).

    The hottest lines of the detector (accounts and campaign groups scan a ring per request):
    unrolled, a chain of comparisons beats a tuple of distances and ``min`` (a slow builtin).

    >>> ring_nearest(0b11, [0b01] * 15 + [0b11])
    (0, 15)
    >>> ring_nearest(0b11, [0b00, 0b01] * 8)
    (1, 1)
    """
    r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15 = ring
    best, at = (sh ^ r0).bit_count(), 0
    d = (sh ^ r1).bit_count()
    if d < best:
        best, at = d, 1
    d = (sh ^ r2).bit_count()
    if d < best:
        best, at = d, 2
    d = (sh ^ r3).bit_count()
    if d < best:
        best, at = d, 3
    d = (sh ^ r4).bit_count()
    if d < best:
        best, at = d, 4
    d = (sh ^ r5).bit_count()
    if d < best:
        best, at = d, 5
    d = (sh ^ r6).bit_count()
    if d < best:
        best, at = d, 6
    d = (sh ^ r7).bit_count()
    if d < best:
        best, at = d, 7
    d = (sh ^ r8).bit_count()
    if d < best:
        best, at = d, 8
    d = (sh ^ r9).bit_count()
    if d < best:
        best, at = d, 9
    d = (sh ^ r10).bit_count()
    if d < best:
        best, at = d, 10
    d = (sh ^ r11).bit_count()
    if d < best:
        best, at = d, 11
    d = (sh ^ r12).bit_count()
    if d < best:
        best, at = d, 12
    d = (sh ^ r13).bit_count()
    if d < best:
        best, at = d, 13
    d = (sh ^ r14).bit_count()
    if d < best:
        best, at = d, 14
    d = (sh ^ r15).bit_count()
    if d < best:
        best, at = d, 15
    return best, at
