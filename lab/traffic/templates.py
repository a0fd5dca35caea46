"""Per-seed prompt texts: template grammars, topic taxonomies and prompt sources.

A randomised world composes its templates from grammar pieces, so every seed has its own
template texts (campaign sweeps, product generators, support wrappers, benchmarks). Every
source returns prompts as ``(simhash, text)``.
"""

from __future__ import annotations

import random
import string

from distillguard.lab.traffic.text import (
    FIELDS,
    Prompt,
    PromptPool,
    Seg,
    Windows,
    compose,
    fast_simhash,
    make_vocab,
    seg,
    sentence,
)

# --- harvesting grammar --------------------------------------------------------------------
_OPEN = [
    "",
    "Please",
    "I need you to",
    "Task:",
    "You are a world-class expert in {field}.",
    "Act as a {field} professor.",
    "Question:",
    "Instruction:",
    "For a textbook chapter,",
    "Hi! Could you",
    "As a senior researcher,",
    "Lesson request:",
]
_VERB = [
    "explain",
    "describe in depth",
    "give a comprehensive account of",
    "derive",
    "analyse",
    "write a detailed tutorial on",
    "teach me",
    "break down",
    "walk me through",
    "elaborate on",
    "critically examine",
    "write an encyclopedic entry about",
]
_OBJ = [
    "{concept} in {field}",
    "the concept of {concept} ({field})",
    "how {concept} relates to {field}",
    "{concept}, a core idea of {field}",
    "the theory and practice of {concept} within {field}",
    "why {concept} matters for {field}",
    "{field}: {concept}",
]
_REASON = [
    "step by step",
    "showing every step of your reasoning",
    "thinking out loud before you answer",
    "with a full chain of thought",
    "reasoning carefully at each stage",
    "first reason privately then answer",
    "justifying every inference",
    "",
]
_LENGTH = [
    "Give a long answer.",
    "Be exhaustive.",
    "Use at least 1500 words.",
    "Include worked examples and edge cases.",
    "Cover history, theory and practice.",
    "Do not summarise; be thorough.",
    "Write as much as you can.",
    "",
]
_FORMAT = [
    "",
    "Use numbered sections.",
    "End with a summary table.",
    "Format the answer as markdown.",
    'Answer in JSON with keys "reasoning" and "answer".',
    "Add three exam questions with solutions.",
]
_SHORT = [
    "In one sentence, what is {concept} in {field}?",
    "Define {concept} ({field}) briefly.",
    "{concept} in {field}: yes or no, is it fundamental?",
    "Give a one-line summary of {concept} for {field}.",
    "Name the key property of {concept} in {field}.",
]
_PROBLEM = [
    "Solve step by step: a {concept} moves at {a} units per hour for {b} hours then {c} units per hour. {q}",
    "Prove carefully, showing each step, that the {concept} of order {a} has at most {b} fixed points when {c} > 0.",
    "A {field} experiment measures {a} samples of {concept} with mean {b} and variance {c}. Reason step by step and compute the confidence interval.",
    "Write a {lang} function that computes the {concept} of a list of {a} items in O({b}) time. Explain your reasoning, then give tests.",
    "Work through this {field} exercise in detail: given {concept} = {a} and a rate of {b} per {c}, find the steady state and explain every step.",
]
_LANGS = ["Python", "Rust", "Go", "TypeScript", "Java", "C++", "Haskell", "Kotlin", "SQL"]
_QUESTION = [
    "What is the total?",
    "How long does it take?",
    "What is the average?",
    "Find the ratio.",
    "When do they meet?",
]


def harvest_templates(rng: random.Random, k: int) -> list[str]:
    """``k`` distinct harvesting templates with ``{concept}`` and ``{field}`` slots."""
    out: list[str] = []
    while len(out) < k:
        parts = [
            rng.choice(_OPEN),
            rng.choice(_VERB),
            rng.choice(_OBJ) + ",",
            rng.choice(_REASON) + ".",
            rng.choice(_LENGTH),
            rng.choice(_FORMAT),
        ]
        text = " ".join(p for p in parts if p).replace(",.", ".").replace(" .", ".")
        if "{concept}" in text and text not in out:
            out.append(text[0].upper() + text[1:])
    return out


def problem_templates(rng: random.Random, k: int) -> list[str]:
    """Word-problem / code-task templates: numbers in every prompt, reasoning asked for."""
    return rng.sample(_PROBLEM, k=min(k, len(_PROBLEM)))


def short_templates(rng: random.Random, k: int) -> list[str]:
    """Templates that ask for a short answer (campaigns dilute their answer shape with these)."""
    return rng.sample(_SHORT, k=min(k, len(_SHORT)))


def taxonomy(rng: random.Random, n_concepts: int, n_fields: int) -> tuple[list[str], list[str]]:
    """A topic taxonomy: pseudo-word concepts and fields (known fields plus invented sub-fields)."""
    concepts = rng.sample(make_vocab(rng, n_concepts + 200)[-(n_concepts + 100) :], k=n_concepts)
    fields = [f.replace("-", " ") for f in rng.sample(FIELDS, k=min(n_fields, len(FIELDS)))]
    subs = make_vocab(rng, 150)[-80:]
    while len(fields) < n_fields:
        fields.append(f"{rng.choice(FIELDS).replace('-', ' ')} of {rng.choice(subs)}")
    return concepts, fields


class Sweep:
    """A campaign's prompt source: templates x taxonomy, walked in order or at random.

    ``pad`` inserts that many random filler words into every prompt (so consecutive prompts
    are far apart in SimHash), ``paraphrase`` swaps template words for synonyms-by-position
    (random words from a per-campaign list), ``short`` holds short-answer templates drawn with
    :meth:`short_prompt`.
    """

    def __init__(
        self,
        rng: random.Random,
        templates: list[str],
        concepts: list[str],
        fields: list[str],
        *,
        order: str = "sweep",
        pad: int = 0,
        paraphrase: float = 0.0,
        filler: list[str] | None = None,
        short: list[str] | None = None,
    ) -> None:
        self.rng = rng
        self.templates = templates
        self.concepts = concepts
        self.fields = fields
        self.order = order
        self.pad = pad
        self.paraphrase = paraphrase
        self.filler = filler or make_vocab(rng, 400)[-300:]
        self.short = short or []
        self.i = rng.randrange(10_000)
        self.cache: dict[tuple[int, int, int], Prompt] = {}

    def _fill(self, template: str, c: int, f: int) -> str:
        r = self.rng
        return template.format(
            concept=self.concepts[c],
            field=self.fields[f],
            a=r.randint(2, 999),
            b=r.randint(2, 99),
            c=r.randint(2, 50),
            q=r.choice(_QUESTION),
            lang=r.choice(_LANGS),
        )

    def _vary(self, text: str) -> str:
        r = self.rng
        words = text.split()
        if self.paraphrase:
            words = [r.choice(self.filler) if r.random() < self.paraphrase else w for w in words]
        for _ in range(self.pad):
            words.insert(r.randrange(len(words) + 1), r.choice(self.filler))
        return " ".join(words)

    def next(self) -> Prompt:
        """The next harvesting prompt: ``(simhash, text)``."""
        nt, nc = len(self.templates), len(self.concepts)
        if self.order == "sweep":
            i = self.i
            self.i += 1
            key = (i % nt, (i // nt) % nc, (i // (nt * nc)) % len(self.fields))
        else:
            key = (self.rng.randrange(nt), self.rng.randrange(nc), self.rng.randrange(len(self.fields)))
        numeric = "{a}" in self.templates[key[0]]
        if self.pad or self.paraphrase or numeric:
            text = self._vary(self._fill(self.templates[key[0]], key[1], key[2]))
            return fast_simhash(text), text
        h = self.cache.get(key)
        if h is None:
            text = self._fill(self.templates[key[0]], key[1], key[2])
            h = self.cache[key] = (fast_simhash(text), text)
            if len(self.cache) > 50_000:
                self.cache.clear()
        return h

    def short_prompt(self) -> Prompt:
        """A short-answer prompt over the same taxonomy (falls back to :meth:`next`)."""
        if not self.short:
            return self.next()
        r = self.rng
        text = self._vary(r.choice(self.short).format(concept=r.choice(self.concepts), field=r.choice(self.fields)))
        return fast_simhash(text), text


class Slots:
    """An honest product's template: fixed wording with slots filled from its own catalogue."""

    def __init__(self, rng: random.Random, templates: list[str], slots: dict[str, list[str]]) -> None:
        self.rng = rng
        self.parsed = [[(seg(lit.strip()), name) for lit, name, _, _ in string.Formatter().parse(t)] for t in templates]
        self.slots = {k: [seg(x) for x in v] for k, v in slots.items()}

    def next(self) -> Prompt:
        """A filled template: ``(simhash, text)``."""
        r = self.rng
        parts: list[Seg] = []
        for lit, name in r.choice(self.parsed):
            parts.append(lit)
            if name:
                parts.append(r.choice(self.slots[name]))
        return compose(parts)


class Wrapped:
    """A fixed wrapper around free text from a pool (a SaaS template around its users' words).

    The body is a random window of ``cut // 3``..``cut`` words of a pool text, so bodies rarely
    repeat exactly.
    """

    def __init__(self, rng: random.Random, wrapper: str, pool: PromptPool, cut: int = 60) -> None:
        self.rng = rng
        pre, _, post = wrapper.partition("{body}")
        self.pre, self.post = seg(pre.strip()), seg(post.strip())
        self.windows = Windows(pool)
        self.lo, self.hi = max(2, cut // 3), max(2, cut)

    def next(self) -> Prompt:
        """The wrapper filled with one body."""
        return compose([self.pre, self.windows.window(self.rng, self.lo, self.hi), self.post])


def catalogue(rng: random.Random, n: int, lo: int = 1, hi: int = 2) -> list[str]:
    """``n`` pseudo-word names (products, brands, features) of ``lo``..``hi`` words."""
    vocab = make_vocab(rng, 600)[-500:]
    return [sentence(rng, vocab, lo, hi) for _ in range(n)]


_PRODUCT = [
    "Write a {tone} product description for {product}, a {category}. Highlight {feature}. About {words} words.",
    "Product: {product}\nCategory: {category}\nKey feature: {feature}\nWrite an engaging {tone} description for our online store.",
    "Create SEO copy for {product} ({category}) in a {tone} voice; mention {feature} twice.",
    "Describe {product} for a {category} catalogue page. Tone: {tone}. Selling point: {feature}.",
]
_TONES = ["friendly", "luxurious", "playful", "technical", "minimalist", "persuasive", "warm", "bold"]


def product_source(rng: random.Random) -> Slots:
    """A shop's description generator: 1-3 templates over its own product catalogue."""
    return Slots(
        rng,
        rng.sample(_PRODUCT, k=rng.randint(1, 3)),
        {
            "product": catalogue(rng, rng.randint(200, 3000)),
            "category": catalogue(rng, rng.randint(5, 40), 1, 1),
            "feature": catalogue(rng, rng.randint(20, 200), 2, 4),
            "tone": rng.sample(_TONES, k=rng.randint(1, 4)),
            "words": [str(x) for x in (150, 200, 250, 300, 400)],
        },
    )


_SYNTH = [
    "Generate a realistic {kind} between a {role} and a {role2} about {topic}. Make it {n} turns long and vary the tone.",
    "Create {n} diverse training examples of {kind} for the topic {topic}. Each must include a {role} question and a detailed {role2} answer.",
    "Write a synthetic {kind} in which a {role} asks about {topic}; the {role2} answers thoroughly. Output JSON lines.",
]
_KINDS = ["customer support dialogue", "FAQ", "sales call transcript", "onboarding chat", "troubleshooting session"]
_ROLES = ["customer", "agent", "patient", "nurse", "student", "teacher", "buyer", "seller", "user", "technician"]


def synthetic_source(rng: random.Random) -> Slots:
    """An enterprise synthetic-data job: a template over the company's own topic list."""
    return Slots(
        rng,
        rng.sample(_SYNTH, k=rng.randint(1, 2)),
        {
            "kind": rng.sample(_KINDS, k=rng.randint(1, 3)),
            "role": rng.sample(_ROLES, k=3),
            "role2": rng.sample(_ROLES, k=3),
            "topic": catalogue(rng, rng.randint(50, 800), 2, 4),
            "n": [str(x) for x in range(4, 13)],
        },
    )


_TRANSLATE = [
    "Translate the following text from {src} into {dst}, preserving formatting:\n{body}",
    "{dst} translation, keep markup and tone:\n{body}",
    "Please translate into {dst}. Source ({src}):\n{body}",
]
_LANGUAGES = [
    "English",
    "German",
    "French",
    "Japanese",
    "Spanish",
    "Portuguese",
    "Korean",
    "Italian",
    "Polish",
    "Dutch",
]


def translate_wrapper(rng: random.Random) -> str:
    """A translation pipeline's wrapper with its language pair fixed."""
    src, dst = rng.sample(_LANGUAGES, k=2)
    return rng.choice(_TRANSLATE).replace("{src}", src).replace("{dst}", dst)


_SAAS = [
    "Customer message: {body}\nReply helpfully and concisely.",
    "Rewrite the following in a professional tone:\n{body}",
    "Summarise this note for the user:\n{body}",
    "User query: {body}\nAnswer using the product knowledge base.",
    "Draft an email reply to: {body}",
    "{body}",
]
_REVIEW = [
    "Review this diff for bugs, security issues and style. Be specific.\n```diff\n{body}\n```",
    "You are a code reviewer. Comment on the following patch:\n{body}",
    "Summarise and review pull request changes:\n{body}",
]
_TUTOR = [
    "Solve this step by step and explain each step for a {grade} student: {body}",
    "Homework help ({grade}): {body}. Show all working.",
    "Explain how to solve: {body}. Assume the student is in {grade}.",
]
_GRADES = ["grade 5", "grade 8", "high school", "first-year university", "GCSE", "AP calculus"]


def saas_wrapper(rng: random.Random) -> str:
    """A SaaS product's prompt template around its end users' text."""
    return rng.choice(_SAAS)


def review_wrapper(rng: random.Random) -> str:
    """A CI review bot's prompt template around a diff."""
    return rng.choice(_REVIEW)


def tutor_wrapper(rng: random.Random) -> str:
    """A tutoring app's template around a student's problem."""
    return rng.choice(_TUTOR).replace("{grade}", rng.choice(_GRADES))


_BENCH_STEM = [
    "Question: {q}\nA) {a}\nB) {b}\nC) {c}\nD) {d}\nAnswer:",
    "{q}\nChoices: (A) {a} (B) {b} (C) {c} (D) {d}\nRespond with the letter.",
    "Problem: {q}\nSolution:",
    "Passage: {q}\nQuestion: which statement follows? {a} / {b}\nAnswer:",
]
_COT_SUFFIX = [
    " Let's think step by step.",
    "\nThink step by step, then give the final answer on its own line.",
    " Reason carefully before answering.",
]


def benchmark(rng: random.Random, vocab: list[str], n: int) -> tuple[list[Prompt], list[Prompt]]:
    """A public benchmark: ``n`` fixed prompts, plain and with a chain-of-thought suffix."""
    stem = rng.choice(_BENCH_STEM)
    cot = rng.choice(_COT_SUFFIX)
    plain, chain = [], []
    for _ in range(n):
        text = stem.format(
            q=sentence(rng, vocab, 8, 40),
            a=sentence(rng, vocab, 1, 4),
            b=sentence(rng, vocab, 1, 4),
            c=sentence(rng, vocab, 1, 4),
            d=sentence(rng, vocab, 1, 4),
        )
        plain.append((fast_simhash(text), text))
        chain.append((fast_simhash(text + cot), text + cot))
    return plain, chain


_QUICKSTART = [
    "Hello, Claude",
    "Write a haiku about recursion.",
    "Explain quantum computing in simple terms.",
    "What is the capital of France?",
    "Tell me a joke about programmers.",
    "Summarize the plot of Hamlet in three sentences.",
    "Write a Python function that reverses a string.",
    "Translate 'good morning' into Spanish.",
]


def quickstart_prompts(rng: random.Random) -> list[Prompt]:
    """The launch-day quickstart prompts everybody copies (a few exact texts)."""
    texts = rng.sample(_QUICKSTART, k=rng.randint(1, 4))
    return [(fast_simhash(t), t) for t in texts]


_ASSIGN = [
    "Write a {n}-word essay on {topic}, discussing causes and consequences, with references.",
    "Explain {topic} and give two real-world examples. Show your reasoning step by step.",
    "Compare and contrast {topic} with its alternatives in a structured report.",
    "Solve the following and justify each step: {topic}.",
]


def assignment(rng: random.Random, vocab: list[str]) -> str:
    """One class's assignment text (every student pastes it)."""
    return rng.choice(_ASSIGN).format(n=rng.choice((500, 800, 1000, 1500)), topic=sentence(rng, vocab, 2, 6))
