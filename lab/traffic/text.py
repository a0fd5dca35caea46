"""Prompt text: vocabularies large enough that honest prompts are genuinely diverse."""

from __future__ import annotations

import array
import hashlib
import itertools
import random
import re
import sys

from distillguard.models.simhash import prompt_simhash

Prompt = tuple[str, str]
"""A prompt as ``(simhash, text)``: files keep the hash, the HTTP clients send the text."""

_COMMON = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "it",
    "for",
    "on",
    "with",
    "as",
    "this",
    "be",
    "are",
    "was",
    "by",
    "from",
    "at",
    "or",
    "an",
    "have",
    "not",
    "can",
    "what",
    "how",
    "why",
    "when",
    "which",
    "who",
    "where",
    "does",
    "do",
    "my",
    "your",
    "our",
    "their",
    "i",
    "we",
    "you",
    "they",
    "should",
    "would",
    "could",
    "about",
    "between",
    "into",
    "after",
    "before",
    "over",
    "under",
    "more",
    "most",
    "some",
    "any",
    "each",
    "other",
    "than",
    "then",
    "also",
    "just",
]
_SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "ten",
    "sul",
    "va",
    "lor",
    "pe",
    "qui",
    "dra",
    "nos",
    "fel",
    "bar",
    "cin",
    "tor",
    "mel",
    "ux",
    "zor",
    "ha",
    "li",
    "ne",
    "sa",
    "ro",
    "ti",
    "gu",
    "ple",
    "ster",
    "vin",
    "dal",
    "mor",
    "kel",
    "fa",
    "jo",
    "bri",
]

FIELDS = [
    "biology",
    "chemistry",
    "physics",
    "mathematics",
    "economics",
    "history",
    "law",
    "medicine",
    "astronomy",
    "geology",
    "linguistics",
    "philosophy",
    "psychology",
    "sociology",
    "computer-science",
    "statistics",
    "ecology",
    "genetics",
    "neuroscience",
    "materials-science",
    "electrical-engineering",
    "finance",
    "accounting",
    "music-theory",
    "architecture",
    "agriculture",
    "oceanography",
    "climatology",
    "pharmacology",
    "immunology",
]


def make_vocab(rng: random.Random, size: int) -> list[str]:
    """Pseudo-words from syllables plus common words: ``size`` distinct tokens."""
    words = set(_COMMON)
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str], lo: int, hi: int) -> str:
    """A random run of words (an honest, free-form prompt or document)."""
    return " ".join(rng.choice(vocab) for _ in range(rng.randint(lo, hi)))


class PromptPool:
    """Pre-hashed diverse prompts, drawn at random (hashing costs ~100 us a prompt)."""

    def __init__(self, rng: random.Random, vocab: list[str], n: int, lo: int, hi: int) -> None:
        texts = [sentence(rng, vocab, lo, hi) for _ in range(n)]
        self.prompts: list[Prompt] = [(prompt_simhash(t), t) for t in texts]

    def draw(self, rng: random.Random) -> Prompt:
        """One prompt: ``(simhash, text)``."""
        return self.prompts[rng.randrange(len(self.prompts))]


class TemplateSweep:
    """A campaign's systematic sweep: templates x a topic taxonomy, in order.

    Each prompt fills a template with a field and a concept; the sweep walks the taxonomy
    (all concepts of a field, then the next field) the way a harvesting script does.
    """

    def __init__(self, rng: random.Random, templates: list[str], concepts: list[str]) -> None:
        self.rng = rng
        self.templates = templates
        self.concepts = concepts
        self.i = rng.randrange(10_000)
        self.cache: dict[tuple[int, int, int], Prompt] = {}

    def next(self) -> Prompt:
        """The next prompt: ``(simhash, text)``."""
        i = self.i
        self.i += 1
        key = (
            i % len(self.templates),
            (i // len(self.templates)) % len(self.concepts),
            (i // (len(self.templates) * len(self.concepts))) % len(FIELDS),
        )
        h = self.cache.get(key)
        if h is None:
            t, c, f = key
            text = self.templates[t].format(concept=self.concepts[c], field=FIELDS[f].replace("-", " "))
            h = self.cache[key] = (prompt_simhash(text), text)
            if len(self.cache) > 50_000:
                self.cache.clear()
        return h


STANDARD_TEMPLATES = [
    "Explain step by step how {concept} works in {field}. Show your reasoning in detail and give a long answer.",
    "Think step by step: what is the role of {concept} in {field}? Explain your reasoning thoroughly.",
    "Write a detailed, comprehensive explanation of {concept} as used in {field}, with worked examples.",
    "As an expert in {field}, derive {concept} from first principles, explaining each step of your reasoning.",
]
HELDOUT_TEMPLATES = [
    "Please provide a thorough chain of reasoning about {concept} ({field}) and then a full answer.",
    "Let us reason carefully. Describe {concept} in the context of {field}, step by step, in depth.",
    "Give me an exhaustive tutorial on {concept} for {field} students, explaining your thinking.",
]


# --- fast SimHash for generators that hash every prompt (randomised worlds) ------------------
#
# Each feature's 64-bit hash is spread into 64 16-bit lanes of one big int, so that summing
# these ints counts, per bit, the features that set it; a text is then a sum over its parts
# (segments, cached) plus the word pairs where parts join. The vote is as in prompt_simhash.

_WORD = re.compile(r"\w+")
_LANES = [b"".join(((b >> i) & 1).to_bytes(2, "little") for i in range(8)) for b in range(256)]
_FEATURES: dict[str, int] = {}


def _lanes(feature: str) -> int:
    e = _FEATURES.get(feature)
    if e is None:
        if len(_FEATURES) > 400_000:
            _FEATURES.clear()
        h = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        e = _FEATURES[feature] = int.from_bytes(b"".join([_LANES[b] for b in reversed(h)]), "little")
    return e


def _vote(total: int, k: int) -> str:
    counts = array.array("H", total.to_bytes(128, "little"))
    if sys.byteorder == "big":
        counts.byteswap()
    h = 0
    for i, n in enumerate(counts):
        if 2 * n > k:
            h |= 1 << i
    return f"{h:016x}"


def fast_simhash(text: str) -> str:
    """Exactly :func:`prompt_simhash`, faster on prompts that share word pairs (cached per pair).

    Examples
    --------
    >>> fast_simhash("What is the capital of France?") == prompt_simhash("What is the capital of France?")
    True
    """
    tokens = _WORD.findall(text.lower())
    if len(tokens) < 2:
        return prompt_simhash(text)
    total = 0
    for a, b in itertools.pairwise(tokens):
        total += _lanes(f"{a} {b}")
    return _vote(total, len(tokens) - 1)


class Seg:
    """A run of tokens with the lane sum of its inner word pairs (cached by text in :func:`seg`)."""

    __slots__ = ("first", "k", "lanes", "last", "text")

    def __init__(self, text: str, tokens: list[str], lanes: int | None = None) -> None:
        self.text = text
        self.k = len(tokens)
        self.first = tokens[0] if tokens else ""
        self.last = tokens[-1] if tokens else ""
        if lanes is None:
            lanes = 0
            for a, b in itertools.pairwise(tokens):
                lanes += _lanes(f"{a} {b}")
        self.lanes = lanes


_SEGS: dict[str, Seg] = {}


def seg(text: str) -> Seg:
    """The segment of ``text`` (cached)."""
    s = _SEGS.get(text)
    if s is None:
        if len(_SEGS) > 200_000:
            _SEGS.clear()
        s = _SEGS[text] = Seg(text, _WORD.findall(text.lower()))
    return s


def compose(segs: list[Seg]) -> Prompt:
    """The prompt of ``segs`` joined by spaces: ``(simhash, text)``, the hash exactly the contract's."""
    text = " ".join(s.text for s in segs if s.text)
    total, k, prev = 0, 0, ""
    for s in segs:
        if not s.k:
            continue
        total += s.lanes
        if prev:
            total += _lanes(f"{prev} {s.first}")
            k += 1
        k += s.k - 1
        prev = s.last
    if k < 1:
        return prompt_simhash(text), text
    return _vote(total, k), text


class Windows:
    """Token windows of a pool's texts with O(1) segments (prefix sums of lanes, built lazily)."""

    def __init__(self, pool: PromptPool) -> None:
        self.pool = pool
        self.prefix: dict[int, tuple[list[str], list[int]]] = {}

    def window(self, rng: random.Random, lo: int, hi: int) -> Seg:
        """A random window of ``lo``..``hi`` tokens from a random pool text."""
        i = rng.randrange(len(self.pool.prompts))
        got = self.prefix.get(i)
        if got is None:
            toks = _WORD.findall(self.pool.prompts[i][1].lower())
            pre = [0]
            for a, b in itertools.pairwise(toks):
                pre.append(pre[-1] + _lanes(f"{a} {b}"))
            got = self.prefix[i] = (toks, pre)
        toks, pre = got
        n = min(len(toks), rng.randint(lo, hi))
        s = rng.randrange(len(toks) - n + 1)
        e = s + n
        part = toks[s:e]
        return Seg(" ".join(part), part, pre[e - 1] - pre[s] if n > 1 else 0)
