"""Per-account state in event time, updated in O(1) per request, with a versioned codec.

All shares and means are exponentially weighted per request (bias-corrected until the memory
fills); rates are exponentially decayed counters in event time. The prompt stream is seen only
through ``prompt_simhash``: a ring of the account's recent hashes gives, for each new prompt,
the Hamming distance to its nearest recent predecessor (as PRADA does with query distances).

Distance bands (64-bit SimHash of token bigrams): 0-2 bits is the same prompt again, 3-16 is
one template with a few words swapped (a systematic sweep), 17+ is a genuinely new prompt.

Requests the gateway refused (429 with no output) are counted, never folded into the features:
a refusal is the detector's own doing, not the account's behaviour.
"""

from __future__ import annotations

import math
import zlib
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from distillguard.models.event import Event
from distillguard.models.ipcluster import ip_host
from distillguard.models.policy import SubjectPolicy
from distillguard.models.simhash import nearest_of, ring_nearest
from distillguard.models.user_agent import browser_family

RING = 16
"""Recent prompt hashes kept per account."""
ALPHA = 0.08
"""Per-request weight of the newest observation in shares and means (memory ~12 requests)."""
POPULAR_ALPHA = 0.04
"""EW weight of :attr:`AccountState.popular_recent` (about the last 25 questions)."""
POPULAR_SLOW_ALPHA = 0.01
"""EW weight of :attr:`AccountState.popular_slow` (about the last hundred questions)."""
TAU_MIN = 60.0
TAU_HOUR = 3600.0
DUP_BITS = 2
RESAMPLE_TEMPERATURE = 0.7
"""A prompt sent again at this temperature or above asks for a new answer (a distiller sampling
several reasoning traces per question pays for each), so it does not count as a duplicate; at a
low temperature the same prompt returns the same answer, and a repeat is a client re-asking. A
request that sets no temperature gets the API's default, which samples (:func:`same_answer`): so
do the prompt memory and the account's own prompt stream."""
GREEDY_TEMPERATURE = 0.05
"""A request that sets a temperature under this asks for greedy decoding: the one answer the
model gives, as an evaluation or a pipeline that must reproduce its results wants
(:func:`distillguard.models.evidence.greedy_mark`)."""
GREEDY_RERUNS = 3.0
"""Answers an account's own questions asked again for greedy decoding may take without spending
its greedy mark, as a multiple of the answers its questions took the first time they were asked
(:attr:`AccountState.greedy_held`): a benchmark run again on a few models or settings. A
question asked first for a letter and again for the whole answer gets a letter's worth free."""
TEMPLATE_BITS = 16
SHALLOW_MESSAGES = 2
"""A request with at most this many messages is shallow: single-turn, or one follow-up."""
CONTINUE_MESSAGES = 4
"""A multi-turn request continues the account's conversation when it has one to this many more
messages than the account's previous request."""
CARRIED_SHARE = 0.75
"""A conversation's next request carries at least this share of the tokens its previous request
sent and got back (a client that trims a long history keeps the latest answers)."""
CLOCK_HOURS = 24
"""Clock hours remembered (the last event time seen in each)."""
PAUSE_S = 600.0
"""A gap this long between two requests is a pause (a person leaves; a harvester rarely does)."""
HOSTS_WINDOW_S = 7200.0
"""The account's addresses are remembered in two maps of this span each (the current and the
previous): :meth:`AccountState.addresses` counts those of the last two to four hours. A
rotating pool shows hundreds within it even at a request a minute."""
HOST_BITS = 64
"""Bits of each address map (linear counting: distinct addresses up to a few hundred)."""
HOST_MASK = HOST_BITS - 1
STATE_VERSION = 7
"""Version of the checkpoint format written by :meth:`AccountState.to_state` (7 added
``greedy_held``, 6 ``greedy_taken``, 5 ``greedy_share``, 4 ``log_out``, 3 ``n_popular``; 6, 5, 4,
3, 2 and the positional 1 are migrated)."""

UNKNOWN_LOG_OUT = (0.0, 1.0)
"""``log_out`` of a state written before it: answers of unknown spread, read as unsteady."""

_SHARES = (
    "mean_input_tokens",
    "mean_output_tokens",
    "fill_share",
    "shallow_share",
    "single_turn_share",
    "template_share",
    "duplicate_share",
    "log_gap_mean",
    "log_gap_var",
    "pause_share",
    "rotation_share",
    "error_share",
    "system_share",
)
_FLOATS = ("first_ts", "last_ts", "count_minute", "count_hour", *_SHARES, "score", "learn_ts")


def stable_hash(s: str) -> int:
    """A 32-bit hash that is the same in every process (``hash()`` is salted per process)."""
    return zlib.crc32(s.encode("utf-8", "surrogatepass"))


def _linear_count(bits: int) -> float:
    """Distinct items behind a ``HOST_BITS``-bit map of their hashes (linear counting)."""
    n = float(bits.bit_count())
    if n >= HOST_BITS:
        n = HOST_BITS - 0.5  # saturated: more than the map can tell
    return -HOST_BITS * math.log(1.0 - n / HOST_BITS)


@lru_cache(maxsize=65536)
def cluster_hash(cluster: str) -> int:
    """:func:`stable_hash` of an IP cluster, cached: every stage hashes the cluster of every request."""
    return stable_hash(cluster)


@lru_cache(maxsize=65536)
def account_hash(account: str) -> int:
    """:func:`stable_hash` of an account id, cached: the account stage hashes it on every request."""
    return stable_hash(account)


@lru_cache(maxsize=65536)
def host_hash(ip: str) -> int:
    """:func:`stable_hash` of the host behind an address (:func:`ip_host`), cached: an account's
    address map takes one bit per request."""
    return stable_hash(ip_host(ip))


def _decay(count: float, dt: float, tau: float) -> float:
    return count * math.exp(-dt / tau) if dt > 0 else count


def same_answer(temperature: float | None) -> bool:
    """Whether a request asks for the answer anyone gets: a temperature it set under
    ``RESAMPLE_TEMPERATURE`` (none set is the API's default, which samples).

    >>> same_answer(0.0), same_answer(0.7), same_answer(None)
    (True, False, False)
    """
    return temperature is not None and temperature < RESAMPLE_TEMPERATURE


@dataclass(slots=True)
class Baseline:
    """An account's own baseline: EW mean and variance of its harvest evidence, and its rate.

    The arithmetic is River's ``stats.EWMean``/``stats.EWVar`` with ``fading_factor=ALPHA``,
    bias-corrected over the first ``1/ALPHA`` updates, kept as four floats (River objects cost
    ~1 KB each, too much per account at a million accounts).
    """

    mean: float
    var: float
    n: float
    rpm: float

    ALPHA = 0.05

    def update(self, x: float, rpm: float) -> None:
        """Fold evidence ``x`` and request rate ``rpm`` in."""
        n = self.n + 1.0
        a = max(self.ALPHA, 1.0 / n)
        diff = x - self.mean
        self.mean += a * diff
        self.var = (1.0 - a) * (self.var + a * diff * diff)
        self.n = n
        self.rpm += a * (rpm - self.rpm)

    def drift(self, x: float, min_n: float = 20.0) -> float:
        """How far ``x`` sits above the baseline, in [0, 1] (0 below 3 sigma or when young)."""
        if self.n < min_n:
            return 0.0
        z = (x - self.mean) / math.sqrt(self.var + 0.0025)
        return min(1.0, max(0.0, (z - 3.0) / 3.0))


@dataclass(slots=True)
class CampaignLink:
    """The campaign an account was last found in, as the campaign stage reported it."""

    campaign: str
    score: float
    until: float
    """Event time until which the membership holds unless renewed."""
    reasons: tuple[str, ...]


class AccountState:
    """Everything distillguard remembers about one account (a few hundred bytes)."""

    __slots__ = (
        *_FLOATS,
        "baseline",
        "campaign",
        "clusters",
        "hours",
        "last_context",
        "last_messages",
        "n",
        "n_popular",
        "part",
        "policy",
        "refused",
        "ring",
        "ring_i",
        "log_out_mean",
        "log_out_var",
        "greedy_share",
        "greedy_taken",
        "greedy_held",
        "greedy_again",
        "sibling_share",
        "repeat_share",
        "popular_recent",
        "popular_slow",
        "blocks",
        "blocks_prev",
        "hosts",
        "hosts_prev",
        "hosts_ts",
    )

    def __init__(self, ts: float) -> None:
        self.first_ts = ts
        self.last_ts = ts
        self.count_minute = 0.0
        self.count_hour = 0.0
        self.mean_input_tokens = 0.0
        self.mean_output_tokens = 0.0
        self.fill_share = 0.0
        """EW mean of output_tokens / max_tokens."""
        self.log_out_mean = 0.0
        self.log_out_var = 0.0
        """EW mean and variance of log(1 + output_tokens) over answers with output: how steady
        the answers' length is (:func:`distillguard.models.evidence.answer_steadiness`)."""
        self.greedy_share = 0.0
        """EW share of the account's own requests (popular ones aside) that asked for greedy
        decoding (a temperature under ``GREEDY_TEMPERATURE``) from a program's client (a user
        agent that claims no browser)."""
        self.greedy_taken = 0.0
        """Answers to the account's own prompts it has taken, each counted by its length against
        the population's usual answer, one at most (:meth:`update`'s ``answer_unit``): what the
        benefit of the doubt of greedy decoding has cost (:func:`~.evidence.greedy_mark`)."""
        self.greedy_again = 0.0
        """The part of ``greedy_taken`` that answered questions asked again (sampled, or past what
        is free): the rest answered questions asked the first time. Kept this way round, it stays
        the one shared 0.0 on most accounts (the bytes of an idle account's state)."""
        self.greedy_held = 0.0
        """Answers (counted as in ``greedy_taken``) to the account's own questions asked again for
        greedy decoding that cost the mark nothing: at most ``GREEDY_RERUNS`` times what its
        questions took the first time (``greedy_taken`` less ``greedy_again``)."""
        self.shallow_share = 0.0
        self.single_turn_share = 0.0
        self.template_share = 0.0
        """Share of prompts 3-16 bits from a recent one: a template with words swapped."""
        self.duplicate_share = 0.0
        """Share of prompts 0-2 bits from a recent one: the same prompt again."""
        self.log_gap_mean = 0.0
        self.log_gap_var = 0.0
        """EW mean and variance of log(seconds between requests)."""
        self.pause_share = 0.0
        self.rotation_share = 0.0
        """Share of requests from a /24 not among the account's last four."""
        self.error_share = 0.0
        self.system_share = 0.0
        self.last_messages = 0
        """``n_messages`` of the previous request (a conversation continues from it)."""
        self.last_context = 0
        """Input plus output tokens of the previous request (what its continuation carries)."""
        self.sibling_share = 0.0
        """EW share of the account's own prompts (popular ones aside) that were template siblings
        of another account's recent prompt (:meth:`sibling`)."""
        self.repeat_share = 0.0
        """EW share of the account's own prompts that it had sent before, longer ago than its ring
        remembers, at a low temperature (:mod:`.popularity`): a benchmark run again."""
        self.popular_recent = 0.0
        """EW share (``POPULAR_ALPHA``) of the account's latest questions (requests of at most
        ``SHALLOW_MESSAGES``) whose prompt another account sent too, asked at a temperature under
        ``RESAMPLE_TEMPERATURE`` (for the answer anyone gets): what it asks now."""
        self.popular_slow = 0.0
        """The same share over about the last hundred questions (``POPULAR_SLOW_ALPHA``): what it
        has asked lately, steadier than :attr:`popular_recent` and not held to its whole past."""
        self.hosts = 0
        """The addresses the account sent from since ``hosts_ts``, one bit each (hashed)."""
        self.hosts_prev = 0
        """The same for the span before (``HOSTS_WINDOW_S``)."""
        self.hosts_ts = ts
        """Event time the current address map began."""
        self.blocks = 0
        """The /24s (IP clusters) of those addresses, one bit each, since ``hosts_ts``."""
        self.blocks_prev = 0
        """The same for the span before."""
        self.n_popular = 0
        """Of ``n``, requests whose prompt another account sent recently (:mod:`.popularity`),
        left out of the answer shape."""
        self.score = 0.0
        self.learn_ts = 0.0
        """Event time the population models last learned from this account."""
        self.n = 0
        """Requests folded into the features (refused ones are not)."""
        self.refused = 0
        """Requests the gateway refused (429, no output)."""
        self.ring = array("Q", [0]) * RING
        self.ring_i = 0
        self.clusters = array("I", [0]) * 4
        self.hours = array("I", [0]) * CLOCK_HOURS
        self.policy: SubjectPolicy | None = None
        self.baseline: Baseline | None = None
        self.campaign: CampaignLink | None = None
        self.part = 0
        """The source partition (not checkpointed: known from where the state is read)."""

    def update(self, e: Event, popular: bool = False, repeat: bool = False, answer_unit: float = 0.0) -> int:
        """Fold one request into the state; returns the nearest-prompt Hamming distance.

        ``popular``: another account sent the same prompt recently (:mod:`.popularity`);
        ``repeat``: this account sent the same prompt before, and no other (the prompt memory);
        ``answer_unit``: the population's usual answer (output tokens), against which an answer
        to an own prompt counts towards ``greedy_taken`` (0: each counts one).
        A refused request (429 with no output) is only counted: returns -1.
        """
        status, it, ot = e.status, e.input_tokens, e.output_tokens
        if status == 429 and ot == 0:
            self.refused += 1
            return -1
        n = self.n + 1
        self.n = n
        a = ALPHA if n * ALPHA > 1.0 else 1.0 / n
        ts = e.ts
        dt = ts - self.last_ts
        if dt > 0:
            self.last_ts = ts
            self.count_minute = self.count_minute * math.exp(-dt / TAU_MIN) + 1.0  # _decay, inlined
            self.count_hour = self.count_hour * math.exp(-dt / TAU_HOUR) + 1.0
        else:
            self.count_minute += 1.0
            self.count_hour += 1.0
        m = e.n_messages
        t = e.temperature
        same = same_answer(t)  # used twice below
        if m <= SHALLOW_MESSAGES:
            # What the account asks now: a question of its own or a public one, for the answer
            # anyone gets (a low temperature; sampled anew, a public prompt gives a new answer). A
            # tool result in a thread it builds is its own work, whoever has seen the same output.
            public = popular and same
            pa = POPULAR_ALPHA if n * POPULAR_ALPHA > 1.0 else 1.0 / n
            self.popular_recent += (public - self.popular_recent) * pa
            ps = POPULAR_SLOW_ALPHA if n * POPULAR_SLOW_ALPHA > 1.0 else 1.0 / n
            self.popular_slow += (public - self.popular_slow) * ps
        if popular:
            # A prompt other accounts send too teaches a distiller nothing of its own: it is
            # neither evidence for nor against a harvest, so it leaves the answer shape alone
            # (mixing in popular prompts does not dilute a harvest's signature).
            self.n_popular += 1
        else:
            own = n - self.n_popular
            c = ALPHA if own * ALPHA > 1.0 else 1.0 / own
            self.mean_input_tokens += (it - self.mean_input_tokens) * c
            self.mean_output_tokens += (ot - self.mean_output_tokens) * c
            mt = e.max_tokens
            fill = ot / mt if mt > 0 else 0.0
            self.fill_share += ((fill if fill < 1.0 else 1.0) - self.fill_share) * c  # min(1.0, fill)
            if ot > 0:
                d = math.log1p(ot) - self.log_out_mean
                self.log_out_mean += d * c
                self.log_out_var = (1.0 - c) * (self.log_out_var + c * d * d)
            # A multi-turn request that does not follow the previous one by a turn or two carries
            # a history the account did not build here (padding, or a product's users each in a
            # conversation of their own): it is as shallow as a single turn. A thread that follows
            # but does not carry what its previous request sent and got back is made up too,
            # unless a product's system prompt marks it (:meth:`thread`).
            shallow = m <= SHALLOW_MESSAGES
            if not shallow:
                follows, built = self.thread(e)
                shallow = not follows or (not built and not e.has_system_prompt)
            self.shallow_share += (shallow - self.shallow_share) * c
            self.single_turn_share += ((m == 1) - self.single_turn_share) * c
            self.system_share += (e.has_system_prompt - self.system_share) * c
            # An evaluation names its client (an SDK, a script): a request whose user agent claims a
            # browser does not count as greedy decoding, whatever temperature it sets.
            greedy = t is not None and t < GREEDY_TEMPERATURE and browser_family(e.user_agent) is None
            self.greedy_share += (greedy - self.greedy_share) * c
            # An answer's worth to a distiller is its length: a benchmark's multiple-choice letters
            # cost the benefit of the doubt little, its reasoned answers a whole answer each.
            worth = ot / answer_unit if answer_unit > 0.0 else 1.0
            worth = worth if worth < 1.0 else 1.0  # min(worth, 1.0), without the slow builtin
            # Its own question asked again for greedy decoding (a benchmark run again, on this
            # model or another) is free up to a few times what its questions took the first time:
            # a letter asked first buys a letter's worth, not the whole answer after it.
            if not repeat:
                self.greedy_taken += worth
            elif greedy and self.greedy_held + worth <= GREEDY_RERUNS * (self.greedy_taken - self.greedy_again):
                self.greedy_held += worth
            else:
                self.greedy_taken += worth
                self.greedy_again += worth
        self.error_share += ((status == 429 or status >= 500) - self.error_share) * a
        if n > 1:
            # Inter-arrival regularity: EW mean/variance of log(dt); out-of-order counts as 0.
            ldt = math.log(dt + 0.05) if dt > 0 else math.log(0.05)
            b = ALPHA if n * ALPHA > 2.0 else 1.0 / (n - 1)
            diff = ldt - self.log_gap_mean
            self.log_gap_mean += diff * b
            self.log_gap_var = (1.0 - b) * (self.log_gap_var + b * diff * diff)
            self.pause_share += ((dt >= PAUSE_S) - self.pause_share) * b
        # Prompt stream: nearest recent predecessor.
        sh = e.simhash
        ring = self.ring
        k = n - 1 if n <= RING else RING
        nearest = 64
        if k and not popular:
            nearest = (ring_nearest(sh, ring) if k == RING else nearest_of(sh, ring, k))[0]
            resample = not same
            self.duplicate_share += ((nearest <= DUP_BITS and not resample) - self.duplicate_share) * a
            self.repeat_share += ((repeat and nearest > DUP_BITS and not resample) - self.repeat_share) * a
            self.template_share += ((DUP_BITS < nearest <= TEMPLATE_BITS) - self.template_share) * a
        self.last_messages = m
        self.last_context = it + ot
        i = self.ring_i
        ring[i] = sh
        self.ring_i = (i + 1) % RING
        # Infrastructure: a request from a cluster not among the last four is a rotation.
        ch = cluster_hash(e.cluster)
        cl = self.clusters
        if n > 1:
            self.rotation_share += ((ch not in cl) - self.rotation_share) * a
        if cl[0] != ch:
            cl[3], cl[2], cl[1], cl[0] = cl[2], cl[1], cl[0], ch
        # Addresses: one bit each in a map of the current window (and one of the window before).
        span = ts - self.hosts_ts
        if span >= HOSTS_WINDOW_S:
            keep = span < 2.0 * HOSTS_WINDOW_S
            self.hosts_prev = self.hosts if keep else 0
            self.blocks_prev = self.blocks if keep else 0
            self.hosts = self.blocks = 0
            self.hosts_ts = ts
        self.hosts |= 1 << (host_hash(e.ip) & HOST_MASK)
        self.blocks |= 1 << (ch & HOST_MASK)
        self.hours[int(ts // 3600) % CLOCK_HOURS] = int(ts)
        return nearest

    # --- derived values ----------------------------------------------------------------------
    def rpm(self, ts: float) -> float:
        """Requests per minute over the last minute or so (decayed)."""
        return _decay(self.count_minute, ts - self.last_ts, TAU_MIN) / (TAU_MIN / 60.0)

    def rph(self, ts: float) -> float:
        """Requests per hour over the last hour or so (decayed)."""
        return _decay(self.count_hour, ts - self.last_ts, TAU_HOUR)

    def active_hours(self, ts: float) -> int:
        """Distinct clock hours with activity in the last 24 hours."""
        # Slots later than a day ago, counted by bisection (empty slots hold 0, never > ts - 1 day).
        hours = self.hours
        return len(hours) - bisect_right(sorted(hours), ts - 86400.0)

    def addresses(self, ts: float) -> tuple[float, float]:
        """Distinct addresses the account sent from in the last two to four hours, and distinct
        /24s (IP clusters) among them, estimated from its maps by linear counting (close while
        few, coarse past a hundred, at most ~270).

        >>> st = AccountState(0.0)
        >>> st.hosts, st.blocks = (1 << 64) - 1 >> 32, 0b11  # 32 of 64 bits, and 2
        >>> [round(x) for x in st.addresses(600.0)], st.addresses(2 * HOSTS_WINDOW_S)
        ([44, 2], (0.0, 0.0))
        """
        span = ts - self.hosts_ts
        if span >= 2.0 * HOSTS_WINDOW_S:
            return 0.0, 0.0
        if span >= HOSTS_WINDOW_S:
            return _linear_count(self.hosts), _linear_count(self.blocks)
        return _linear_count(self.hosts | self.hosts_prev), _linear_count(self.blocks | self.blocks_prev)

    def credit(self, owed: int) -> None:
        """Count ``owed`` of the account's earlier prompts as popular: others have sent them since
        (:meth:`.PromptPopularity.owed`). What it asks now is left alone."""
        self.n_popular = min(self.n, self.n_popular + owed)
        # No more answers taken than own prompts are left; not scaled down (sending its cheap
        # prompts again from elsewhere would give a harvest its long answers back).
        own = self.n - self.n_popular
        if self.greedy_taken > own:
            self.greedy_taken = float(own)
        self.greedy_again = min(self.greedy_again, self.greedy_taken)

    @property
    def popular_share(self) -> float:
        """Share of the account's requests whose prompt other accounts sent too."""
        return self.n_popular / self.n if self.n else 0.0

    def output_input_ratio(self) -> float:
        """Mean output tokens per mean input token."""
        return self.mean_output_tokens / (self.mean_input_tokens + 1.0)

    def timing_regularity(self) -> float:
        """1 for machine-regular inter-arrival times, towards 0 for bursty human ones."""
        if self.n <= 3:
            return 0.0
        sd = math.sqrt(max(self.log_gap_var, 0.0))
        return 1.0 / (1.0 + (sd / 0.5) ** 2)

    def raw(self, ts: float) -> dict[str, float]:
        """Human-readable raw values, for reasons and ``explain``."""
        spread = self.addresses(ts)
        return {
            "output_tokens": self.mean_output_tokens,
            "input_tokens": self.mean_input_tokens,
            "output_input_ratio": self.output_input_ratio(),
            "rpm": self.rpm(ts),
            "rph": self.rph(ts),
            "active_hours": float(self.active_hours(ts)),
            "requests": float(self.n),
            "addresses": spread[0],
            "address_blocks": spread[1],
        }

    def sibling(self, found: bool) -> float:
        """Fold in whether the account's latest own prompt (a popular one is not) was a template
        sibling of another account's recent prompt; return the share of its prompts that were.

        >>> person, sweep = AccountState(0.0), AccountState(0.0)
        >>> for i in range(40):  # three prompts of the person's forty resemble another's
        ...     person.n, sweep.n = i + 1, i + 1
        ...     shares = person.sibling(i in (5, 20, 33)), sweep.sibling(i > 0)
        >>> [round(x, 2) for x in shares]
        [0.07, 0.99]
        """
        own = self.n - self.n_popular
        share = self.sibling_share
        share += (found - share) * (ALPHA if own * ALPHA > 1.0 else 1.0 / (own if own > 0 else 1))
        self.sibling_share = share
        return share

    @property
    def own_requests(self) -> int:
        """Requests whose prompt was the account's own (no other account had sent it recently)."""
        return self.n - self.n_popular

    def thread(self, e: Event) -> tuple[bool, bool]:
        """Whether a request follows the account's previous one (one to ``CONTINUE_MESSAGES``
        messages more), and whether it also carries ``CARRIED_SHARE`` of what that request sent
        and got back: a history the account built. A few hundred tokens of made-up turns after
        an answer of thousands do not carry it. Read before :meth:`update` folds the request in."""
        m = e.n_messages
        follows = self.last_messages < m <= self.last_messages + CONTINUE_MESSAGES
        return follows, follows and e.input_tokens >= CARRIED_SHARE * self.last_context

    def depth(self, e: Event) -> int:
        """A request's messages if the account built its history (:meth:`thread`), else 1: the
        depth a disguise key's group is told (``AccountDetector._campaign_observations``)."""
        return e.n_messages if self.thread(e)[1] else 1

    # --- checkpoint --------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """A JSON-able, named, versioned snapshot (no pickle: a changelog must never carry code)."""
        b, c, p = self.baseline, self.campaign, self.policy
        return {
            "v": STATE_VERSION,
            **{f: getattr(self, f) for f in _FLOATS},
            "n": self.n,
            "n_popular": self.n_popular,
            "last_messages": self.last_messages,
            "last_context": self.last_context,
            "sibling_share": self.sibling_share,
            "log_out": [self.log_out_mean, self.log_out_var],
            "greedy_share": self.greedy_share,
            "greedy_taken": self.greedy_taken,
            "greedy_held": [self.greedy_held, self.greedy_again],
            "repeat_share": self.repeat_share,
            "popular_recent": self.popular_recent,
            "popular_slow": self.popular_slow,
            "hosts": [self.hosts, self.hosts_prev, self.hosts_ts, self.blocks, self.blocks_prev],
            "refused": self.refused,
            "ring": list(self.ring),
            "ring_i": self.ring_i,
            "clusters": list(self.clusters),
            "hours": list(self.hours),
            "policy": p.to_state() if p is not None else None,
            "baseline": [b.mean, b.var, b.n, b.rpm] if b is not None else None,
            "campaign": [c.campaign, c.score, c.until, list(c.reasons)] if c is not None else None,
        }

    @classmethod
    def from_state(cls, s: dict[str, Any] | list[Any]) -> AccountState:
        """Rebuild a state from :meth:`to_state` output; version 1 (positional) is migrated.

        Raises :class:`UnknownStateVersion` for a format this code does not know.
        """
        if isinstance(s, list):
            return _from_v1(s)
        if s.get("v") not in (2, 3, 4, 5, 6, STATE_VERSION):
            raise UnknownStateVersion(f"account state version {s.get('v')!r}, this code reads 1 to {STATE_VERSION}")
        st = cls(0.0)
        for f in _FLOATS:
            setattr(st, f, float(s[f]))
        st.n, st.refused, st.n_popular = int(s["n"]), int(s["refused"]), int(s.get("n_popular", 0))
        st.last_messages = int(s.get("last_messages", 0))
        st.last_context = int(s.get("last_context", 0))
        st.sibling_share = float(s.get("sibling_share", 0.0))
        st.log_out_mean, st.log_out_var = map(float, s.get("log_out", UNKNOWN_LOG_OUT))
        st.greedy_share = float(s.get("greedy_share", 0.0))  # before it: no mark, as then
        # Before it every own answer counted one, whatever its length: as many taken as then.
        st.greedy_taken = float(s.get("greedy_taken", st.n - st.n_popular))
        # Before it none was held free, and every answer taken counts as asked the first time.
        st.greedy_held, st.greedy_again = map(float, s.get("greedy_held", (0.0, 0.0)))
        st.repeat_share = float(s.get("repeat_share", 0.0))
        st.popular_recent = float(s.get("popular_recent", 0.0))  # absent from states written before it
        st.popular_slow = float(s.get("popular_slow", 0.0))
        if "hosts" in s:
            st.hosts, st.hosts_prev, st.hosts_ts, st.blocks, st.blocks_prev = s["hosts"]
        st.ring, st.ring_i = array("Q", s["ring"]), int(s["ring_i"])
        st.clusters, st.hours = array("I", s["clusters"]), array("I", s["hours"])
        st.policy = SubjectPolicy.from_state(s["policy"]) if s["policy"] is not None else None
        st.baseline = Baseline(*map(float, s["baseline"])) if s["baseline"] is not None else None
        c = s["campaign"]
        st.campaign = CampaignLink(c[0], float(c[1]), float(c[2]), tuple(c[3])) if c is not None else None
        return st


class UnknownStateVersion(ValueError):
    """A checkpoint in a format this code cannot read (dropped and counted by the caller)."""


_V1_FLOATS = (
    "first_ts",
    "last_ts",
    "count_minute",
    "count_hour",
    "mean_input_tokens",
    "mean_output_tokens",
    "shallow_share",
    "single_turn_share",
    "template_share",
    "duplicate_share",
    "log_gap_mean",
    "log_gap_var",
    "rotation_share",
    "error_share",
    "system_share",
    "score",
    "learn_ts",
)
"""Field order of the version-1 (positional) checkpoint, in today's names."""


def _from_v1(s: list[Any]) -> AccountState:
    """Migrate a version-1 checkpoint: positional lists; new fields start at their defaults."""
    st = AccountState(0.0)
    for f, v in zip(_V1_FLOATS, s[0], strict=True):
        setattr(st, f, float(v))
    st.n = int(s[1])
    st.ring, st.ring_i = array("Q", s[2]), int(s[3])
    st.clusters, st.hours = array("I", s[4]), array("I", s[5])
    st.policy = SubjectPolicy.from_state(s[6]) if s[6] is not None else None
    st.baseline = Baseline(*map(float, s[7])) if s[7] is not None else None
    st.log_out_mean, st.log_out_var = UNKNOWN_LOG_OUT
    st.greedy_taken = float(st.n)  # every answer its own, each counted one, as then
    return st
