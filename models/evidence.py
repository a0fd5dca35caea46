"""Evidence of harvesting for one account, in [0, 1]; every scale learned from the population.

The threat model's signature is a product (no single trait suffices): *long answers to short
prompts*, asked as *novel prompts that sweep a topic* (templated or not: a harvester never pays
twice for the same answer), in *shallow conversations*. Automation cues (machine-regular timing,
IP rotation, round-the-clock work, no pauses) add to it.

Where the scale of a trait matters (how long is a long answer? how high an output/input ratio?),
the threat model's half-way points are used: ``x / (x + c)`` with an output/input ratio of 3 and
600 output tokens (a harvester asks for long, reasoned answers to short prompts). The learned
alternative, :class:`PopulationScales` (River running quantiles over the accounts nothing is in
force against, a value judged by its rank among them), is kept for the reasons ("vs population
median") and as an option (``ablate={"fixed_scales"}``): measured on the randomized simulator it
does worse, because the accounts that reach an evaluation are not the population (a swarm of
hundreds of harvesting accounts, a crowd of essay writers) and the upper quantiles follow them.

``ABLATABLE`` names each piece that an ablation study can switch off (``DetectorConfig.ablate``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from river import stats

from distillguard.models.account_features import AccountState

ABLATABLE = (
    "fixed_scales",
    "population_anomaly",
    "own_baseline",
    "campaigns",
    "fingerprint_key",
    "campaign_template_tie",
    "automation",
    "product_mark",
    "cost_gate",
    "popularity",
    "tie_pace",
    "verdict_model",
    "template_key",
    "client_stack",
    "steady_purity",
    "young_cohort",
    "steady_crowd",
    "sized_answers",
    "address_pool",
    "greedy_mark",
)
"""Pieces of evidence (and the cost-aware gate) that ``DetectorConfig.ablate`` can remove."""

SCALED = ("output_input_ratio", "output_tokens", "active_hours")
"""Raw values judged by their rank in the population."""
QS = (0.5, 0.75, 0.9, 0.95, 0.99)
FALLBACK = {"output_input_ratio": 3.0, "output_tokens": 600.0, "active_hours": 12.0}
"""Fixed half-way points used until the population quantiles are warm: ``x / (x + c)``."""
LONE_FALLBACK = {**FALLBACK, "output_tokens": 800.0}
"""For an account judged alone: a long answer is longer. A lone account stands on its answer
shape only (no campaign, no coordination), and honest products answer in a few hundred tokens
(descriptions, summaries, support replies): measured on seeds 1-10, a 600-token half-way point
blocked product-description generators (the largest share of honest requests refused)."""
BURST_REQUESTS = 200
"""A person's burst: until an account has sent this many requests, all it could have taken is
one burst's answers, and a long answer must be longer still (``BURST_TOKENS``). Past it, the
account's volume is the harvest at stake (a firehose passes it in minutes)."""
BURST_TOKENS = 1200.0
"""The half-way point of a long answer during an account's first ``BURST_REQUESTS`` requests.
Honest workloads alone answer in a few hundred tokens up to about a thousand (a developer's
code, a benchmark question's chain of thought); the lone harvests of both generators ask for
1,400 and more. Measured (``dg-19``): at 800, 51 % of the developers who burst terse prompts from
an SDK (``prompt_tinkerer``, median over seeds 1-10) were acted on, and 4-12 % of the second
exam's hobby developers; 1,200 for every request let firehoses with answers of about a thousand
tokens harvest half of their requests."""
BURST_SCALE = LONE_FALLBACK["output_tokens"] / BURST_TOKENS
"""What a burst's mean answer length counts for against ``LONE_FALLBACK``'s half-way point."""
WARMUP = 200
"""Accounts the population quantiles must have seen before their ranks are used."""

NOVEL_RPH = 100.0
"""New prompts an hour from which an account's repeats of its older prompts take nothing from its
novelty (``rerun``): a hundred new answers an hour, every hour, is a harvest whatever it repeats."""
SETTLED_RERUN = 0.1
"""What repeats leave of an account's novelty (``rerun``) under which it asks nothing new: a
benchmark run again, released as soon as its evidence stays low (``SubjectPolicy.step``'s
``settled``), not a quarter of an hour later. Sending old prompts again buys a harvester no new
answers while it lasts."""
POOL_MIN = 32.0
"""Distinct addresses in the last two to four hours (``AccountState.addresses``) up to which they are
the account's own network's: a home, a phone's carrier NAT, an office's or a product's egress
pool (a few addresses to a few dozen)."""
POOL_FULL = 128.0
"""Distinct addresses from which they are a rotating pool's: hundreds of hosts, a new one on
nearly every request (a datacenter proxy range), what no person and no product's egress does."""
SPREAD_HOSTS = 2.0
"""Addresses per /24 up to which a pool is spread over the address space: a fleet of CI runners
or serverless functions, a residential exit pool, one or two hosts of each of many blocks (a new
/24 on nearly every request is a rotation of its own: ``ip_rotation``)."""
DENSE_HOSTS = 8.0
"""Addresses per /24 from which a pool is a few blocks' hosts in turn: a proxy range rents whole
blocks."""
POPULAR_KNEE = 0.3
"""Share of popular prompts an account may have before they count against its novelty."""
HARVEST_CENTRE = 0.60
HARVEST_GAIN = 10.0
TEMPLATE_WEIGHT = 1.0
CORE_GATE = 0.3
ROTATION_WEIGHT = 6.0
AUTOMATION_WEIGHT = 2.0
POPULATION_WEIGHT = 1.0
DRIFT_WEIGHT = 1.0
RELEASED_WEIGHT = 8.0
"""Log-odds a vote of -1 (look-alike of released accounts, ``models.lookalikes``) takes away:
enough to unflag the look-alike of a released account with the strongest signature."""
CONFIRMED_WEIGHT = 3.0
"""Log-odds a vote of +1 (look-alike of confirmed harvests) adds: it lifts what is close to a
threshold, not what has no signature."""
CONFIRMED_DEAD_ZONE = 0.3
"""A vote for harvest up to this lifts nothing: measured on seeds 1-10, a faint vote (a
confirmed templated harvest at the edge of the radius) lifted a product-description generator
over the threshold."""
AUTOMATION = {
    "timing_regularity": 0.5,
    "ip_rotation": 1.0,
    "round_the_clock": 0.5,
    "no_pauses": 0.3,
    "error_share": 0.4,
}


class PopulationScales:
    """River running quantiles of raw account values; ranks a value among the population."""

    def __init__(self, keys: tuple[str, ...] = SCALED, fallback: Mapping[str, float] = FALLBACK) -> None:
        self.fallback = fallback
        self.q = {k: [stats.Quantile(q) for q in QS] for k in keys}
        self.cuts: dict[str, list[float]] = {k: [0.0] * len(QS) for k in keys}
        """The current quantile values, refreshed on learning (ranking reads them many times more)."""
        self.n = 0
        self.hold = 0
        """Values still to learn before the estimators' cuts replace restored ones (see
        :mod:`distillguard.models.warm`); 0 unless a snapshot was restored without its estimators."""

    def learn(self, raw: Mapping[str, float]) -> None:
        """Learn one set of raw values (call once per subject per learning interval)."""
        hold = self.hold > 0
        for k, qs in self.q.items():
            x = raw[k]
            for q in qs:
                q.update(x)
            if not hold:
                self.cuts[k] = [q.get() or 0.0 for q in qs]
        if hold:
            self.hold -= 1
        self.n += 1

    def answer_unit(self) -> float:
        """What an answer to an own prompt is weighed against (``AccountState.greedy_taken``):
        the median of the accounts' mean answers (output tokens) once the scales are warm, never
        over the fixed half-way point (the value it takes while they are cold), so that a swarm
        of long answers does not make every answer cheap.

        >>> s = PopulationScales(("output_tokens",), {"output_tokens": 800.0})
        >>> s.answer_unit()
        800.0
        >>> for x in range(300):
        ...     s.learn({"output_tokens": float(x % 100)})
        >>> 40.0 < s.answer_unit() < 60.0
        True
        >>> for _ in range(900):
        ...     s.learn({"output_tokens": 5000.0})
        >>> s.answer_unit()
        800.0
        """
        cap = self.fallback["output_tokens"]
        if self.n < WARMUP:
            return cap
        median = self.cuts["output_tokens"][0]
        return median if median < cap else cap

    def rank(self, name: str, x: float, fixed: bool = False) -> float:
        """Where ``x`` sits in the population, in [0, 1] (piecewise linear between quantiles)."""
        if fixed or self.n < WARMUP:
            c = self.fallback[name]
            return x / (x + c)
        cuts = self.cuts[name]
        lo = cuts[0]
        if x <= lo:
            return 0.5 * x / lo if lo > 0 else 0.0
        qlo = QS[0]
        for hi, qhi in zip(cuts[1:], QS[1:], strict=True):
            if x <= hi:
                return qlo + (qhi - qlo) * (x - lo) / max(hi - lo, 1e-9)
            lo, qlo = hi, qhi
        return min(1.0, 0.99 + 0.01 * (x - lo) / max(lo, 1e-9))

    def medians(self) -> dict[str, float]:
        """Population medians of the scaled values (for reasons)."""
        return {k: c[0] for k, c in self.cuts.items()}


def features(
    st: AccountState,
    ts: float,
    scales: PopulationScales,
    fixed: bool = True,
    active_hours: int | None = None,
    rph: float | None = None,
) -> dict[str, float]:
    """The account's features, each in [0, 1]; higher = more harvest-like. ``active_hours``,
    ``rph``: ``st.active_hours(ts)`` and ``st.rph(ts)``, when the caller has them already."""
    active = st.active_hours(ts) if active_hours is None else active_hours
    rph = st.rph(ts) if rph is None else rph
    length = st.mean_output_tokens
    if st.n < BURST_REQUESTS:  # a burst's answers: as if the half-way point were BURST_TOKENS
        length *= BURST_SCALE
    return {
        "answer_ratio": scales.rank("output_input_ratio", st.output_input_ratio(), fixed),
        "answer_length": scales.rank("output_tokens", length, fixed),
        "max_tokens_fill": st.fill_share,
        "answer_steadiness": answer_steadiness(st),
        # Prompts other accounts send too are left out of the answer shape (so mixing some in does
        # not dilute a harvest); an account whose prompts are mostly such (a public benchmark, a
        # class's assignment, popular questions) is sweeping nothing of its own.
        "novelty": own_prompts(1.0 - st.duplicate_share, popular_now(st)) * rerun(st.repeat_share, rph),
        "template_share": st.template_share,
        "shallow_share": st.shallow_share,
        "timing_regularity": st.timing_regularity(),
        "ip_rotation": st.rotation_share,
        "round_the_clock": max(0.0, (active - 16) / 8.0),
        "no_pauses": 1.0 - st.pause_share if st.n > 8 else 0.0,
        "error_share": st.error_share,
        "system_share": st.system_share,
        "greedy_mark": greedy_mark(st),
    }


def rerun(repeat_share: float, rph: float) -> float:
    """What an account's repeats of its own older prompts leave of its novelty, in [0, 1].

    A benchmark run again asks nothing new: its repeats take novelty away. A harvester whose
    sweep repeats itself at a low temperature still takes new answers by the thousand: what
    repeats cost is weighed against the new prompts an hour the account still sends
    (``NOVEL_RPH`` or more: none).

    >>> rerun(0.0, 5000.0), rerun(1.0, 300.0), rerun(0.45, 6000.0), round(rerun(0.5, 60.0), 2)
    (1.0, 0.0, 1.0, 0.65)
    """
    novel = rph * (1.0 - repeat_share) / NOVEL_RPH
    return 1.0 - repeat_share * (1.0 - (novel if novel < 1.0 else 1.0))


def popular_now(st: AccountState) -> float:
    """The share of popular prompts an account is judged by: while something is in force against
    it, over its life or its latest questions (about 25), whichever is higher; otherwise over its
    life or its last hundred or so questions, whichever is higher.

    An account acted on in a novel run (the first team to run a benchmark) that goes on to ask
    what others asked before takes nothing of its own any more, long before public prompts
    outweigh its whole past. Once released it is judged by its life or its last hundred
    questions, whichever is more public: a harness whose later runs are mostly public is not held
    to its first run again and again, while a harvester that sent public prompts to be released
    takes a few dozen answers of its own for them, and to go on must keep asking at least as many
    public prompts as its own (the price popularity sets anyway: answers anyone gets).
    """
    share = st.popular_share
    policy = st.policy
    if policy is not None and policy.active:
        recent = st.popular_recent  # what it asks now decides its release
        return recent if recent > share else share
    slow = st.popular_slow
    return slow if slow > share else share


def asks_own(st: AccountState, rph: float) -> float:
    """How much of what an account asks now is its own, in [0, 1]: none while it only runs its
    old prompts again (``rerun``) or only asks public ones (its latest questions, as
    :func:`popular_now` reads them). Under ``SETTLED_RERUN`` an account under action is
    released as soon as its evidence stays low."""
    return rerun(st.repeat_share, rph) * own_prompts(1.0, st.popular_recent)


def own_prompts(novelty: float, popular_share: float) -> float:
    """Novelty of a prompt stream, less what popular prompts take beyond ``POPULAR_KNEE``.

    ``novelty`` is measured without the popular prompts (mixing some in does not dilute a
    harvest); a stream that is mostly prompts other accounts send too (a public benchmark, a
    class's assignment, popular questions) sweeps nothing of its own.

    >>> own_prompts(1.0, 0.2), round(own_prompts(1.0, 0.65), 3), own_prompts(0.9, 1.0)
    (1.0, 0.5, 0.0)
    """
    excess = popular_share - POPULAR_KNEE
    own = novelty - (excess if excess > 0.0 else 0.0) / (1.0 - POPULAR_KNEE)
    return own if own > 0.0 else 0.0  # max(0.0, ...), without the slow builtin


def harvest_core(
    f: Mapping[str, float], product_mark: bool = True, sized_answers: bool = True, greedy: bool = True
) -> float:
    """The signature in [0, 1]: long answers to short prompts x novel prompts x shallow turns.

    The answer shape is the geometric mean of the answers' length and their ratio to the
    prompts: both must be high. Terse prompts alone (a developer's "write a function") make a
    high ratio to answers of ordinary length, and long inputs alone (a document to translate) a
    long answer at an ordinary ratio; a harvest asks for long answers in few words.

    Templates are not required (a paraphrasing harvester has none): a template sweep adds to the
    score outside the core.

    With ``sized_answers``, answers shorter than the half-way length that fill most of the
    ``max_tokens`` the client set count as its own sizing, not a harvest: a product asks for
    copy of a length it chose (a description, a summary) under a cap near that length, while a
    harvester wants the model's whole answer under a generous cap, and wants it long. Answers
    that are long, or short under a generous cap (a harvest diluted with short answers), are
    untouched. Many clients send a generous cap whatever they ask for: answers of one steady
    length (:func:`answer_steadiness`) are sized as well as a cap near that length says.

    Examples
    --------
    >>> round(harvest_core({"answer_ratio": 0.95, "answer_length": 0.8, "novelty": 1.0,
    ...                     "shallow_share": 1.0, "system_share": 0.0}), 3)
    0.872
    >>> round(harvest_core({"answer_ratio": 0.95, "answer_length": 0.8, "novelty": 0.1,
    ...                     "shallow_share": 1.0, "system_share": 0.0}), 3)  # the same prompts again
    0.087
    >>> sized = {"answer_ratio": 0.6, "answer_length": 0.4, "novelty": 1.0, "shallow_share": 1.0}
    >>> round(harvest_core({**sized, "max_tokens_fill": 0.9}), 3), round(harvest_core({**sized, "max_tokens_fill": 0.1}), 3)
    (0.402, 0.48)
    """
    length = f["answer_length"]
    answer = math.sqrt(f["answer_ratio"] * length)
    if sized_answers and length < 0.5:
        sized = max(f.get("max_tokens_fill", 0.0), f.get("answer_steadiness", 0.0))
        answer *= 1.0 - sized * (1.0 - 2.0 * length)
    core = answer * f["novelty"] * (0.3 + 0.7 * f["shallow_share"])
    if product_mark:
        # An application's own system prompt is the mark of a product built on the API, not of
        # a harvest (which wants the model's unconditioned answers); it halves the core at most.
        core *= 1.0 - 0.5 * f.get("system_share", 0.0)
    if greedy:
        # Greedy decoding is the mark of an evaluation, as the system prompt is of a product
        # (:func:`greedy_mark`): a full mark (every own request greedy, no answers taken yet, no
        # fleet ties) takes the whole core.
        core *= 1.0 - GREEDY_WEIGHT * f.get("greedy_mark", 0.0)
    return core


GREEDY_WEIGHT = 1.0
"""Share of the harvest core that a full greedy mark (:func:`greedy_mark` at 1) takes away: all
of it. The mark itself is less as the account takes answers (``GREEDY_ANSWERS``) or sends some
requests that sample."""
GREEDY_ANSWERS = 1500.0
"""Answers to its own prompts (popular ones aside) an account has taken at which greedy decoding
is no mark: a benchmark's worth of answers of the population's usual length (a shorter answer
counts its share of one, and its own questions asked again a few times none:
:attr:`AccountState.greedy_taken`). The commonest reasoning benchmark run with chain of thought,
GSM8K, has 1,319 test questions: a harness's first pass over it fits (at 1,000 it did not)."""
GREEDY_FLEET = 2.0
"""Greedy decoding is no mark on an account once ``1 / GREEDY_FLEET`` of its prompts (half) are
template siblings of other accounts' (:attr:`AccountState.sibling_share`)."""


def greedy_mark(st: AccountState) -> float:
    """How much an account's greedy decoding speaks for an evaluation, in [0, 1].

    An evaluation asks for the one answer the model gives (a temperature of 0: results it can
    reproduce and compare), and so does a pipeline that must be repeatable; a distiller wants a
    spread of answers to train on, and samples. The mark is cheap to wear, so it is bounded by
    what it could cost: it fades with the answers to its own prompts the account has taken,
    each counted by its length against the population's usual answer (``GREEDY_ANSWERS``: a
    benchmark is finite; a sweep is not; a benchmark's multiple-choice letters cost little),
    whatever its pace (a harness runs its questions concurrently, hundreds a minute: the
    answers it takes, not how fast, are what the benefit of the doubt costs), and it is no mark
    on an account whose prompts are template siblings of other accounts' (``GREEDY_FLEET``):
    one customer runs an evaluation, and a fleet's greedy decoding marks a campaign. Only a
    program's requests count (:attr:`AccountState.greedy_share`): a harness names its client,
    and a browser claim asking for greedy decoding is no evaluation. Its own questions asked again
    for greedy decoding cost nothing up to a few times what it has taken
    (:attr:`AccountState.greedy_held`): a benchmark run again on a few models or settings leaves
    the mark for the next benchmark (``rerun`` weighs what it asks while it runs). An account
    acted on despite the mark has had its benefit of the doubt: the mark neither releases it nor
    keeps it released.

    >>> st = AccountState(0.0)
    >>> st.greedy_share, st.greedy_taken = 1.0, 450.0
    >>> greedy_mark(st)
    0.7
    >>> st.sibling_share = 0.5
    >>> greedy_mark(st)
    0.0
    """
    greedy = st.greedy_share
    if greedy == 0.0 or (st.policy is not None and st.policy.acted):
        return 0.0
    taken = st.greedy_taken / GREEDY_ANSWERS
    fleet = 1.0 - GREEDY_FLEET * st.sibling_share
    if taken >= 1.0 or fleet <= 0.0:
        return 0.0
    return greedy * (1.0 - taken) * fleet


STEADY_MIN = 8
"""Answers of its own an account needs before their spread is read."""
STEADY_SD = (0.2, 0.35)
"""Spread of log answer length (its standard deviation) at and below which answers are sized
(1), and from which they are not (0); linear between."""


def answer_steadiness(st: AccountState) -> float:
    """How steady the length of an account's answers is, in [0, 1]: a product's copy asked for
    at one length (a description, a summary) keeps its size; answers to a sweep of questions
    range widely (0 before ``STEADY_MIN`` answers of its own)."""
    if st.own_requests < STEADY_MIN:
        return 0.0
    lo, hi = STEADY_SD
    sd = math.sqrt(st.log_out_var)
    return 1.0 if sd <= lo else max(0.0, (hi - sd) / (hi - lo))


def address_pool(addresses: float, blocks: float) -> float:
    """How far an account's distinct addresses of the last hours are a rotating pool's, in
    [0, 1]: how many (0 up to ``POOL_MIN``, 1 from ``POOL_FULL``, log-linear between) times how
    dense in their /24s (0 up to ``SPREAD_HOSTS`` addresses per /24, 1 from ``DENSE_HOSTS``).

    >>> address_pool(5.0, 1.0), address_pool(64.0, 1.0), address_pool(250.0, 2.0), address_pool(250.0, 125.0)
    (0.0, 0.5, 1.0, 0.0)
    """
    if addresses <= POOL_MIN:
        return 0.0
    many = unit(math.log(addresses / POOL_MIN) / math.log(POOL_FULL / POOL_MIN))
    per_block = addresses / (blocks if blocks > 1.0 else 1.0)
    return many * unit((per_block - SPREAD_HOSTS) / (DENSE_HOSTS - SPREAD_HOSTS))


EVASION_LENGTH = (0.3, 0.45)
"""Answer length (its ``answer_length`` feature) up to which evasion (a rotating pool, a new /24
on nearly every request) lifts an account's score not at all, and from which it lifts it fully;
linear between. About 340 and 655 tokens an answer at a lone account's half-way point of 800
(``LONE_FALLBACK``), 510 and 980 during its first ``BURST_REQUESTS``."""


def evasion_lift(rotation: float, answer_length: float) -> float:
    """How far an account's evasion counts (its ``rotation``, as :func:`combine` reads it): in
    full when its answers are long, not at all when they are short (``EVASION_LENGTH``).

    A phone on a carrier's network, or a laptop tethered to one, sends from a new address of a
    few busy blocks on nearly every request, as a residential proxy pool does. What a harvest
    through a pool is there for is long answers; an agent's tool loop or a person's chat on a
    phone gets answers of a few hundred tokens, and its addresses alone must not act on it.

    >>> evasion_lift(1.0, 0.2), evasion_lift(1.0, 0.375), evasion_lift(1.0, 0.6), evasion_lift(0.4, 0.2)
    (0.5, 0.75, 1.0, 0.4)
    """
    if rotation <= 0.5:
        return rotation
    lo, hi = EVASION_LENGTH
    return 0.5 + (rotation - 0.5) * unit((answer_length - lo) / (hi - lo))


def pooled_core(core: float, f: Mapping[str, float], pool: float) -> float:
    """The signature of an account behind a rotating pool of addresses (:func:`address_pool`).

    Such an account is judged by the length of its answers and their novelty alone: the
    answers' ratio to the prompts and the depth of the threads are what an agent loop's carried
    context hides (a harvest of agent trajectories sends thousands of tokens of context for
    each answer), and a system prompt costs a harvester nothing. An account at home or behind
    its office's egress keeps :func:`harvest_core`.

    >>> f = {"answer_length": 0.6, "novelty": 1.0}
    >>> pooled_core(0.02, f, 1.0), pooled_core(0.02, f, 0.0), pooled_core(0.7, f, 1.0)
    (0.6, 0.02, 0.7)
    """
    p = pool * f["answer_length"] * f["novelty"]
    return p if p > core else core


def automation(f: Mapping[str, float]) -> float:
    """Noisy-OR of automation and evasion cues, in [0, 1]."""
    p = 1.0
    for name, w in AUTOMATION.items():
        p *= 1.0 - w * f[name]
    return 1.0 - p


@dataclass(slots=True)
class AccountEvidence:
    """One evaluation of one account: the parts and the combined score."""

    core: float
    automation: float
    population: float
    drift: float
    score: float
    learned: float = 0.0
    """The analysts' verdicts' vote on the account (``models.lookalikes``), in [-1, 1]."""
    pool: float = 0.0
    """How far its addresses are a rotating pool's (:func:`address_pool`)."""


def logit(p: float) -> float:
    """Log-odds of ``p``."""
    return math.log(p / (1.0 - p))


def unit(x: float) -> float:
    """``min(1.0, max(0.0, x))`` without the builtins (slow in the hot paths).

    >>> unit(-0.5), unit(0.25), unit(3.0)
    (0.0, 0.25, 1.0)
    """
    return (x if x < 1.0 else 1.0) if x > 0.0 else 0.0


def combine(
    core: float,
    auto: float,
    population: float,
    drift: float,
    template: float = 0.0,
    rotation: float = 0.0,
    learned: float = 0.0,
) -> float:
    """Logistic combination of the evidence into the score in [0, 1]."""
    # The other evidence counts only as far as the signature itself is there: automation, a
    # template, an unusual profile are what honest batch jobs and products have too.
    gate = unit((core - CORE_GATE) / CORE_GATE)
    z = HARVEST_GAIN * (core - HARVEST_CENTRE) + gate * (
        TEMPLATE_WEIGHT * template + AUTOMATION_WEIGHT * auto + POPULATION_WEIGHT * population + DRIFT_WEIGHT * drift
    )
    # Evasion needs less of the signature: a new /24 on nearly every request, or a new host of a
    # pool of hundreds (a rotating proxy), is what no person does, and a harvester hides its
    # answer shape behind a system prompt.
    z += ROTATION_WEIGHT * unit((core - 0.1) / 0.1) * (rotation - 0.5 if rotation > 0.5 else 0.0) * 2.0
    # What analysts taught: the look-alikes of released accounts and of confirmed harvests.
    if learned < 0:
        z += RELEASED_WEIGHT * learned
    elif learned > CONFIRMED_DEAD_ZONE:  # only a near look-alike of confirmed harvests is lifted
        z += CONFIRMED_WEIGHT * (learned - CONFIRMED_DEAD_ZONE) / (1.0 - CONFIRMED_DEAD_ZONE)
    return 1.0 / (1.0 + math.exp(-z))
