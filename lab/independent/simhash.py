"""SimHash per the public contract (blake2b-8 over token bigrams), with caches for speed."""

# Printf-style formatting is kept verbatim from the generator as first written so that its output stays byte-identical
# (e.g. %d truncates floats where a {:d} format spec would raise).
# ruff: noqa: UP031
import hashlib
import re
import struct

_TOK = re.compile(r"\w+")
_LANE = 16  # bits per lane in the packed counter
_SPREAD8: list[int] = []
for _b in range(256):
    v = 0
    for _i in range(8):
        if (_b >> _i) & 1:
            v |= 1 << (_LANE * _i)
    _SPREAD8.append(v)
_feat_cache: dict[str, int] = {}
_text_cache: dict[str, str] = {}


def _spread(feature):
    s = _feat_cache.get(feature)
    if s is None:
        h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
        s = 0
        for k in range(8):
            s |= _SPREAD8[(h >> (8 * k)) & 255] << (_LANE * 8 * k)
        if len(_feat_cache) < 2_000_000:
            _feat_cache[feature] = s
    return s


def simhash(text):
    r = _text_cache.get(text)
    if r is not None:
        return r
    toks = _TOK.findall(text.lower())
    if not toks:
        r = "0000000000000000"
    else:
        feats = [toks[0]] if len(toks) == 1 else [toks[i] + " " + toks[i + 1] for i in range(len(toks) - 1)]
        n = len(feats)
        acc = 0
        for f in feats:
            acc += _spread(f)
        counts = struct.unpack("<64H", acc.to_bytes(128, "little"))
        out = 0
        for i, c in enumerate(counts):
            if 2 * c > n:  # sum(+1 set, -1 clear) > 0
                out |= 1 << i
        r = "%016x" % out
    if len(_text_cache) < 300_000:
        _text_cache[text] = r
    return r


def _reference(text):
    toks = re.findall(r"\w+", text.lower())
    if not toks:
        return "0000000000000000"
    feats = [toks[0]] if len(toks) == 1 else [toks[i] + " " + toks[i + 1] for i in range(len(toks) - 1)]
    v = [0] * 64
    for f in feats:
        h = int.from_bytes(hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest(), "big")
        for i in range(64):
            v[i] += 1 if (h >> i) & 1 else -1
    return "%016x" % sum(1 << i for i in range(64) if v[i] > 0)


if __name__ == "__main__":
    import json
    import random
    import sys
    from pathlib import Path

    vectors = Path(__file__).resolve().parents[2] / "contracts" / "simhash_vectors.json"
    with open(sys.argv[1] if len(sys.argv) > 1 else vectors) as fh:
        vecs = json.load(fh)
    bad = 0
    for v in vecs:
        got = simhash(v["text"])
        if got != v["simhash"]:
            bad += 1
            print("MISMATCH", repr(v["text"]), got, v["simhash"])
    rng = random.Random(1)
    words = ["alpha", "beta", "gamma", "delta", "x", "y", "z", "café", "1", "2"]
    for _ in range(2000):
        t = " ".join(rng.choice(words) for _ in range(rng.randint(0, 400)))
        if simhash(t) != _reference(t):
            bad += 1
            print("MISMATCH random", t[:40])
            break
    print("vectors", len(vecs), "bad", bad)
