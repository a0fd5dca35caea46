"""SimHash of a prompt, exactly as the data contract describes it.

Bit counting is done with one big-integer addition per feature: every bit of a
feature hash is spread into its own 16-bit lane, so summing the spread values
counts, per bit, how many features have it set.  A cache per feature and per
text keeps generation of hundreds of thousands of events fast.
"""

from __future__ import annotations

import hashlib
import itertools
import re

_TOKEN = re.compile(r"\w+")
_LANE = 16
_MASK = (1 << _LANE) - 1

# _SPREAD[b] puts bit j of byte b at lane j (bit position 16 * j).
_SPREAD = [sum(((b >> j) & 1) << (_LANE * j) for j in range(8)) for b in range(256)]

_feature_cache: dict[str, int] = {}
_text_cache: dict[str, str] = {}


def _spread(feature: str) -> int:
    v = _feature_cache.get(feature)
    if v is None:
        h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
        v = 0
        for k in range(8):
            v |= _SPREAD[(h >> (8 * k)) & 0xFF] << (_LANE * 8 * k)
        _feature_cache[feature] = v
    return v


def _compute(text: str) -> str:
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return "0000000000000000"
    features = tokens if len(tokens) == 1 else [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    total = 0
    for f in features:
        total += _spread(f)
    n = len(features)
    out = 0
    for i in range(64):
        ones = (total >> (_LANE * i)) & _MASK
        # sum of +1/-1 is ones - (n - ones); bit set when that is > 0
        if 2 * ones > n:
            out |= 1 << i
    return f"{out:016x}"


def simhash(text: str) -> str:
    """64-bit SimHash of `text` as 16 lower-case hex digits (cached per text)."""
    h = _text_cache.get(text)
    if h is None:
        h = _compute(text)
        _text_cache[text] = h
    return h


def clear_caches() -> None:
    _feature_cache.clear()
    _text_cache.clear()
