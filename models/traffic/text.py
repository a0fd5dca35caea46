"""Prompt text: vocabularies large enough that honest prompts are genuinely diverse."""

from __future__ import annotations

import random

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
