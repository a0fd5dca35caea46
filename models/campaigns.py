"""The campaign stage: accounts linked by what they share, judged by what they do together.

A campaign hides behind many accounts, each too small to judge alone. The account stage sends
one :class:`CampaignObservation` per request, keyed by a *linkage key* that joins two
independent ties: the client fingerprint (user agent and TLS stack) **and** the network it
comes from (the ASN, or the /16 when the gateway gives none); the fingerprint alone, an
organisation id and a prompt template shared across accounts (``models.template_index``) are
keys of their own. A busy account's requests may arrive sampled, each observation standing for
``weight`` requests. One trait alone (a popular SDK, a big ISP) links honest strangers, so a group is
never acted on for what it shares, only for what its accounts do together:

* many accounts, and new ones arriving (coordination);
* the harvest signature over all of the group's requests (long answers to short prompts,
  novel prompts sweeping a topic, shallow conversations), scaled by the population of groups;
* prompts that are not near-copies of each other across accounts (a class sending the same
  assignment, or many people running one public benchmark, repeat each other; a harvester
  never pays twice for one answer);
* enough volume that acting is worth it (the harvest at stake).

When a group is judged a campaign, every recent member, and every account that later shows
up on the same key, receives a :class:`CampaignVerdict`, which the account stage turns into an
action with reasons that name the campaign and its ties.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from dataclasses import dataclass
from typing import Any

from distillguard.models.account_features import DUP_BITS, TAU_HOUR, TEMPLATE_BITS, stable_hash
from distillguard.models.event import Event
from distillguard.models.policy import SubjectPolicy
from distillguard.models.simhash import nearest_of, ring_nearest
from distillguard.models.user_agent import browser_family

MAX_MEMBERS = 256
"""Accounts remembered per group (the most recent; up to EVICT_BATCH more between evictions)."""
EVICT_BATCH = 64
MAX_CLUSTERS = 16
RING = 16
ALPHA = 0.03
ACTIVE_S = 2 * 3600.0
STATE_VERSION = 1
MEMBER_FIELDS = 15
"""Fields of a member's record (:attr:`CampaignState.members`)."""
MEMBER_DEFAULTS = (0.0,) * 10 + (0.5, 0.0, 0.0, 0.0, 0.0)
"""A member's fields as read from a state written before they existed: no content tie, system
prompt or popular prompt; as likely to change its /24 as not (unknown: neither at home nor a
rotating exit, ``models.detector._elsewhere``); its long answers as popular as its prompts
(set in :meth:`CampaignState.from_state`); its network unknown (0: apart from no one,
``models.detector._network_apart``); no thin history (:attr:`CampaignObservation.thin`)."""
ALL_BITS = (1 << 64) - 1
LONG_ANSWER = 0.5
"""A request's harvest shape (``CampaignDetector.shape``) from which its answer counts as a long
one to a short prompt: what a harvest is made of (:func:`long_popular`)."""


def long_popular(m: list[float]) -> float:
    """The share of a member's long answers (``LONG_ANSWER``) whose prompt other accounts send
    too (0 before its first long answer).

    A harvest pads its sweep with short questions anyone asks, so its popular share can look a
    person's; the questions it wants long answers to are its own. A writer's or a class's long
    pieces are asked for by others too (the same essay, the same assignment).

    >>> long_popular([0.0] * 11 + [0.5, 0.1]), long_popular([0.0] * 13)
    (0.2, 0.0)
    """
    return m[12] / m[11] if m[11] > 0.0 else 0.0


_VERSION = re.compile(r"\d+")


def client_name(user_agent: str | None) -> str | None:
    """A program's user agent without its version numbers: the client, whichever release.

    One operator's accounts drift across releases as each installs the client, and a campaign
    can draw a release per account for nothing; on one network, every release of one client on
    one TLS stack is one fleet (:func:`linkage`). A browser's user agent keeps its version: every
    user of a browser on one ISP is no fleet. Called once per client and network
    (:func:`linkage` caches its keys).

    >>> client_name("anthropic-python/0.40.1"), client_name("Go-http-client/2.0")
    ('anthropic-python/#.#.#', 'Go-http-client/#.#')
    >>> client_name("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36")
    'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36'
    """
    if not user_agent or browser_family(user_agent) is not None:
        return user_agent
    return _VERSION.sub("#", user_agent)


_KEYS: dict[tuple[str | None, str | None, object, str], tuple[str, str, int, int]] = {}


def linkage(e: Event) -> tuple[list[str], int, int]:
    """The groups one request belongs to (:func:`linkage_keys`), the key the prompt memory reads
    it under (the client on its network, its ASN), and the network's :func:`stable_hash`.

    On its network the client is named without its release (:func:`client_name`); across every
    network the release stays in the fingerprint, as one SDK's users everywhere are too many to
    be one group.

    With no ASN the network is the address's /16, which splits one cloud's addresses into many:
    a team sampling the same questions from a few of them would find each other's prompts public.
    The prompt memory then keys the client alone, as one ASN would have joined them, when the
    client is known by both its user agent and its TLS stack (with neither, every account would
    share one key, and a question two people ask would be public to neither). Cached per client
    and network: the account stage asks once per request.
    """
    d = e.data
    asn = d.get("asn")
    ua, tls = e.user_agent, e.tls_fingerprint
    ident = (ua, tls, asn, e.cluster if type(asn) is not int else "")
    cached = _KEYS.get(ident)
    if cached is None:
        known = type(asn) is int
        net = f"as{asn}" if known else _prefix16(e.cluster)
        fp = f"fp:{stable_hash(f'{ua}|{tls}'):08x}"
        fp_net = f"fp:{stable_hash(f'{client_name(ua)}|{tls}'):08x}|{net}"
        cached = (fp_net, fp, stable_hash(fp if not known and ua and tls else fp_net), stable_hash(net))
        if len(_KEYS) > 100_000:
            _KEYS.clear()
        _KEYS[ident] = cached
    fp_net, fp, memory, network = cached
    org = d.get("org_id")
    if type(org) is str and org:
        return [fp_net, fp, f"org:{org}"], memory, network
    return [fp_net, fp], memory, network


def linkage_keys(e: Event) -> list[str]:
    """The groups one request belongs to: fingerprint x network, the fingerprint across all
    networks (a swarm spread over a residential proxy pool), and the organisation."""
    return linkage(e)[0]


def fingerprint_only(key: str) -> bool:
    """Whether a linkage key joins accounts by client fingerprint alone, across every network
    (not fingerprint x network, not an organisation)."""
    return key.startswith("fp:") and "|" not in key


def _prefix16(cluster: str) -> str:
    if ":" in cluster:
        return "/".join((":".join(cluster.split(":")[:2]), "32"))
    a, b, *_ = cluster.split(".")
    return f"{a}.{b}.0.0/16"


@dataclass(slots=True, init=False)
class CampaignObservation:
    """What the account stage tells the campaign stage about one request."""

    ts: float
    key: str
    account: str
    event_id: str
    simhash: int
    input_tokens: int
    output_tokens: int
    max_tokens: int
    n_messages: int
    """Messages in the request (on a disguise key, one for a history the account did not build:
    ``AccountState.depth``)."""
    cluster: str
    system: bool
    account_hash: int = 0
    cluster_hash: int = 0
    popular: bool = False
    """Another account sent the same prompt recently (the account stage's prompt memory)."""
    weight: int = 1
    """Requests this observation stands for: a busy account's requests are sampled (one in
    ``weight``), since its place in a group is known by then (see ``models.detector``)."""
    network_hash: int = 0
    """:func:`stable_hash` of the request's network (its ASN, else its /16: :func:`linkage`); 0
    unknown (an observation written before it)."""
    thin: bool = False
    """A later turn whose history is thinner than the account's answers: under half its mean
    answer (this one included) for each earlier exchange (``models.detector.thin_history``). A
    client resends a thread's real answers with each turn; a thread made up to pad a prompt
    does not."""

    def __init__(
        self,
        ts: float,
        key: str,
        account: str,
        event_id: str,
        simhash: int,
        input_tokens: int,
        output_tokens: int,
        max_tokens: int,
        n_messages: int,
        cluster: str,
        system: bool,
        account_hash: int = 0,
        cluster_hash: int = 0,
        popular: bool = False,
        weight: int = 1,
        network_hash: int = 0,
        thin: bool = False,
    ) -> None:
        # Written out (not generated with a __post_init__): two or three are made per request.
        self.ts = ts
        self.key = key
        self.account = account
        self.event_id = event_id
        self.simhash = simhash
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.max_tokens = max_tokens
        self.n_messages = n_messages
        self.cluster = cluster
        self.system = system
        self.account_hash = account_hash or stable_hash(account)
        self.cluster_hash = cluster_hash or stable_hash(cluster)
        self.popular = popular
        self.weight = weight
        self.network_hash = network_hash
        self.thin = thin

    def to_list(self) -> list[Any]:
        """Compact wire form (a JSON array)."""
        return [
            self.ts,
            self.key,
            self.account,
            self.event_id,
            f"{self.simhash:016x}",
            self.input_tokens,
            self.output_tokens,
            self.max_tokens,
            self.n_messages,
            self.cluster,
            self.system,
            self.popular,
            self.weight,
            self.network_hash,
            self.thin,
        ]

    @classmethod
    def from_list(cls, v: list[Any]) -> CampaignObservation:
        """Inverse of :meth:`to_list`."""
        return cls(
            float(v[0]),
            v[1],
            v[2],
            v[3],
            int(v[4], 16),
            int(v[5]),
            int(v[6]),
            int(v[7]),
            int(v[8]),
            v[9],
            bool(v[10]),
            popular=len(v) > 11 and bool(v[11]),  # absent from observations written before it
            weight=int(v[12]) if len(v) > 12 else 1,  # likewise: one request each
            network_hash=int(v[13]) if len(v) > 13 else 0,  # likewise: network unknown
            thin=len(v) > 14 and bool(v[14]),  # likewise: no thin history
        )


@dataclass(slots=True)
class CampaignVerdict:
    """A campaign's judgement about one member account, sent back to the account stage."""

    ts: float
    account: str
    campaign: str
    score: float
    ttl_s: float
    reasons: tuple[str, ...]
    event_id: str

    def to_list(self) -> list[Any]:
        """Compact wire form."""
        return [self.ts, self.account, self.campaign, self.score, self.ttl_s, list(self.reasons), self.event_id]

    @classmethod
    def from_list(cls, v: list[Any]) -> CampaignVerdict:
        """Inverse of :meth:`to_list`."""
        return cls(float(v[0]), v[1], v[2], float(v[3]), float(v[4]), tuple(v[5]), v[6])


class CampaignState:
    """Bounded memory of one linkage group."""

    __slots__ = (
        "clusters",
        "content_tie",
        "count_hour",
        "cross_duplicate_share",
        "cross_template_share",
        "crowd",
        "crowd_only",
        "first_ts",
        "last_ts",
        "mean_input_tokens",
        "mean_output_tokens",
        "members",
        "n",
        "new_accounts_hour",
        "novel_share",
        "part",
        "peer_accounts",
        "peer_fill",
        "peer_i",
        "peers",
        "policy",
        "popular_share",
        "ring",
        "ring_account",
        "ring_i",
        "score",
        "shallow_share",
        "template_share",
    )

    def __init__(self, ts: float) -> None:
        self.first_ts = ts
        self.last_ts = ts
        self.n = 0
        self.count_hour = 0.0
        self.new_accounts_hour = 0.0
        self.members: dict[str, list[float]] = {}
        """account -> [first seen, last seen, requests, verdict sent until, harvest-likeness, cluster,
        mean log gap between the member's requests, share of its prompts that are template
        siblings of another member's, share of its requests with a system prompt, share of its
        prompts that other accounts send too, share of its requests from another IP cluster than
        its request before (a rotating exit, not a person at home), share of its requests with a
        long answer (``LONG_ANSWER``), share with a long answer to a prompt other accounts send
        too (:func:`long_popular`), network of its last request (the hash of its ASN, or of its
        /16 without one; 0 unknown)].

        Harvest-likeness is the member's own EW mean of per-request harvest shape, so that the
        group is judged account by account: one heavy harvester among honest neighbours on a
        popular SDK and cloud does not make them a campaign."""
        self.clusters: dict[str, float] = {}
        self.content_tie = 0.0
        """The group's content tie at its latest evaluation (see ``CampaignDetector.judge``)."""
        self.crowd = False
        """Whether the group held a steady crowd at its latest evaluation
        (``CampaignDetector._steady_crowd``)..."""
        self.crowd_only = False
        """...and whether the crowd alone made it a campaign (then it takes no one else)."""
        self.mean_input_tokens = 0.0
        self.mean_output_tokens = 0.0
        self.shallow_share = 0.0
        self.template_share = 0.0
        self.novel_share = 0.0
        self.popular_share = 0.0
        """Share of requests whose prompt other accounts send too (left out of the other shares)."""
        self.cross_duplicate_share = 0.0
        self.cross_template_share = 0.0
        """Share of requests whose nearest recent prompt is another account's, in the template band:
        accounts sweeping one template together (a tie of content, beside fingerprint and network)."""
        self.ring = [0] * RING
        """Recent prompt hashes: a list (read whole at every request; an array would box each read)."""
        self.ring_account = [0] * RING
        self.ring_i = 0
        self.peers = [0] * RING
        """The latest prompt hash of each of the group's most recent accounts, one slot per account:
        a member's tie is judged against these, so that a busy account on the key (a service
        on a popular SDK) cannot fill the ring of recent requests and hide the members'
        template siblings from each other."""
        self.peer_accounts = [0] * RING
        self.peer_fill = 0
        self.peer_i = 0
        self.score = 0.0
        self.policy: SubjectPolicy | None = None
        self.part = 0

    def update(self, o: CampaignObservation, shape: float) -> list[float]:
        """Fold one request in; ``shape`` is its harvest shape in [0, 1]. Returns the member's
        record (:attr:`members`).

        The hottest code of the campaign stage (two or three groups per request): the member's
        record is updated inline and attributes are read once into locals.
        """
        w = o.weight
        n = self.n = self.n + w  # requests, sampled ones counted w times
        ts = o.ts
        popular = o.popular
        dt = ts - self.last_ts
        if dt > 0:
            self.last_ts = ts
            decay = math.exp(-dt / TAU_HOUR)
            self.count_hour = self.count_hour * decay + w
            self.new_accounts_hour *= decay
        else:
            self.count_hour += w
        a = ALPHA if n * ALPHA > 1.0 else 1.0 / n
        if w != 1:  # _steps(a, w), called only for a sampled request
            a = _steps(a, w)
        # The member's record (created, evicting the oldest, if new).
        members = self.members
        account = o.account
        m = members.get(account)
        if m is None:
            if len(members) >= MAX_MEMBERS + EVICT_BATCH:  # amortised: the oldest go in a batch
                for k in heapq.nsmallest(EVICT_BATCH, members, key=lambda k: members[k][1]):
                    del members[k]
            m = members[account] = [
                ts,
                ts,
                float(w),
                0.0,
                0.0 if popular else shape,
                float(o.cluster_hash),
                HUMAN_LOG_GAP,
                0.0,
                float(o.system),
                float(popular),
                0.0,
                float(shape >= LONG_ANSWER),
                float(popular and shape >= LONG_ANSWER),
                float(o.network_hash),
                float(o.thin),
            ]
            self.new_accounts_hour += 1.0
            seen = float(w)
            rate = 1.0
        else:
            seen = m[2]
            last = m[1]
            if ts > last:
                gap = math.log((ts - last) / w + 1.0)
                m[1] = ts
            else:
                # A late request (within the accepted lateness) neither rewinds the member's last
                # request nor is lost from its first: how long it has been asking stays true.
                gap = 0.0
                m[0] = min(m[0], ts)
            m[6] = gap if seen == 1.0 else m[6] + (gap - m[6]) * (1.0 / seen if seen < 5.0 else 0.2)
            seen = m[2] = seen + w
            # A sampled request is one draw of the member's shape, tie and system prompt: it
            # moves them as one request does (counting it w times would make them noisy).
            rate = 1.0 / seen if seen < 5.0 else 0.2
            if not popular:  # a prompt others send too is neither harvest nor a dilution of one
                m[4] += (shape - m[4]) * rate
            cluster_hash = float(o.cluster_hash)
            m[10] += ((cluster_hash != m[5]) - m[10]) * rate  # a new /24 since its last request
            m[5] = cluster_hash
            m[8] += (o.system - m[8]) * rate
            m[9] += (popular - m[9]) * rate
            long = shape >= LONG_ANSWER
            m[11] += (long - m[11]) * rate
            m[12] += ((popular and long) - m[12]) * rate
            m[13] = float(o.network_hash)
            m[14] += (o.thin - m[14]) * rate
        clusters = self.clusters
        cluster = o.cluster
        if len(clusters) >= 2 * MAX_CLUSTERS and cluster not in clusters:
            for k in heapq.nsmallest(MAX_CLUSTERS, clusters, key=clusters.__getitem__):
                del clusters[k]
        clusters[cluster] = ts
        slow = 1.0 / n if n < 100 else 0.01
        self.popular_share += (popular - self.popular_share) * (slow if w == 1 else _steps(slow, w))
        if not popular:
            self.mean_input_tokens += (o.input_tokens - self.mean_input_tokens) * a
            self.mean_output_tokens += (o.output_tokens - self.mean_output_tokens) * a
            self.shallow_share += ((o.n_messages <= 2) - self.shallow_share) * a
        # The group's prompt stream: nearest recent prompt, and whether another account sent it.
        me = o.account_hash
        ring = self.ring
        sh = o.simhash
        i = self.ring_i
        if n > RING:
            best, at = ring_nearest(sh, ring)
            # Which slot holds the nearest matters only within the template band.
            other = best <= TEMPLATE_BITS and self.ring_account[at] != me
        elif n > 1:
            best, at = nearest_of(sh, ring, n - 1)
            other = self.ring_account[at] != me
        else:
            best = -1
            other = False
            self.novel_share = 1.0
        if best >= 0:
            novel = best > DUP_BITS
            templ = novel and best <= TEMPLATE_BITS
            if not popular:
                self.novel_share += (novel - self.novel_share) * a
                self.template_share += (templ - self.template_share) * a
            self.cross_duplicate_share += ((other and not novel) - self.cross_duplicate_share) * a
            self.cross_template_share += ((other and templ) - self.cross_template_share) * a
        ring[i] = sh
        self.ring_account[i] = me
        self.ring_i = (i + 1) % RING
        # The member's own tie of content: is its prompt a template sibling of the latest prompt of
        # another recent account? Then the prompt takes the account's slot among the peers.
        peers = self.peers
        accounts = self.peer_accounts
        fill = self.peer_fill
        try:  # one scan where ``in`` then ``index`` took two, when the account holds a slot
            j = accounts.index(me)
        except ValueError:
            j = -1
        if popular or (fill == 1 and j == 0):  # a prompt others send too, or no other peer: no tie
            m[7] -= m[7] * rate
        else:
            if j >= 0:
                peers[j] = sh ^ ALL_BITS  # 64 bits from sh: the account's own latest prompt is no tie
            if fill == RING:
                best, _ = ring_nearest(sh, peers)
            else:
                best = nearest_of(sh, peers, fill)[0] if fill else 64
            m[7] += ((DUP_BITS < best <= TEMPLATE_BITS) - m[7]) * rate
        if j < 0:
            if fill < RING:
                j = fill
                self.peer_fill = fill + 1
            else:
                j = self.peer_i
                self.peer_i = (j + 1) % RING
            accounts[j] = me
        peers[j] = sh
        return m

    def harvesting_share(
        self,
        ts: float,
        level: float = 0.5,
        tie_pace: bool = True,
        active: list[list[float]] | None = None,
        product_mark: bool = True,
    ) -> float:
        """Share of active members that look like harvesters themselves (each account weighs one):
        harvest-shaped requests, at a pace with no room for reading the answers or sweeping the
        group's template (see :func:`member_harvest`). ``active``: :meth:`active_members` at
        ``ts``, when the caller has it already."""
        if active is None:
            active = self.active_members(ts)
        return harvesting_count(active, level, tie_pace, product_mark) / len(active) if active else 0.0

    def accounts_per_cluster(self, ts: float, active: list[list[float]] | None = None) -> float:
        """Active members per distinct IP cluster they last came from: many accounts behind few
        /24s is shared infrastructure (a tie of network, finer than the ASN)."""
        if active is None:
            active = self.active_members(ts)
        return len(active) / max(1, len({m[5] for m in active}))

    def active_members(self, ts: float) -> list[list[float]]:
        """Members seen within ``ACTIVE_S``."""
        horizon = ts - ACTIVE_S
        return [m for m in self.members.values() if m[1] >= horizon]

    def raw(self, ts: float) -> dict[str, float]:
        """Raw aggregate values (for scales and reasons)."""
        decay = math.exp(-max(0.0, ts - self.last_ts) / TAU_HOUR)
        return {
            "ts": ts,
            "output_input_ratio": self.mean_output_tokens / (self.mean_input_tokens + 1.0),
            "output_tokens": self.mean_output_tokens,
            "active_hours": 0.0,
            "requests_per_hour": self.count_hour * decay,
            "new_accounts_per_hour": self.new_accounts_hour * decay,
        }

    def to_state(self) -> dict[str, Any]:
        """A JSON-able, named, versioned snapshot."""
        out: dict[str, Any] = {"v": STATE_VERSION}
        for f in self.__slots__:
            if f in ("ring", "policy", "part"):
                continue
            out[f] = getattr(self, f)
        out["ring"] = list(self.ring)
        out["policy"] = self.policy.to_state() if self.policy is not None else None
        return out

    @classmethod
    def from_state(cls, s: dict[str, Any]) -> CampaignState:
        """Inverse of :meth:`to_state`."""
        st = cls(0.0)
        for f in cls.__slots__:
            if f in _NOT_PLAIN:
                continue
            setattr(st, f, s.get(f, 0.0))  # popular_share: absent from states written before it
        for m in st.members.values():
            old = len(m)
            m.extend(MEMBER_DEFAULTS[old:])  # members written before a field (MEMBER_DEFAULTS)
            if old < 12:
                # Written before long answers were counted: every prompt as a long answer's, as
                # popular as the member's prompts were (``long_popular``), until it asks again.
                m[11], m[12] = 1.0, m[9]
        st.crowd, st.crowd_only = bool(s.get("crowd", False)), bool(s.get("crowd_only", False))
        st.ring = list(array("Q", s["ring"]))  # checked to be 64-bit hashes
        if "peers" in s:
            st.peers = list(array("Q", s["peers"]))
            st.peer_accounts = list(array("Q", s["peer_accounts"]))
            st.peer_fill, st.peer_i = int(s["peer_fill"]), int(s["peer_i"])
        else:  # states written before the peers: they start empty
            st.peers, st.peer_accounts, st.peer_fill, st.peer_i = [0] * RING, [0] * RING, 0, 0
        st.policy = SubjectPolicy.from_state(s["policy"]) if s["policy"] is not None else None
        return st


_NOT_PLAIN = frozenset({"ring", "policy", "part", "peers", "peer_accounts", "peer_fill", "peer_i"})
"""Slots that :meth:`CampaignState.from_state` reads on their own (typed arrays, the policy,
states written before the peers)."""

HUMAN_LOG_GAP = math.log(601.0)
"""A member with one request is assumed to be at a human's pace (ten minutes between requests)."""
READING_S = 600.0
"""A person who asked for a long answer takes minutes to read it; a harvester does not wait."""
TIE_EVIDENCE = 6.0
"""Requests before a member's content tie counts in full in place of its pace."""


def member_shape(m: list[float], product_mark: bool = True) -> tuple[float, float]:
    """A member's harvest shape, pace aside, and its content tie as a habit.

    With ``product_mark`` a system prompt halves the shape (an application built on the API
    sends its own), except as far as the member is tied to other accounts by content: one
    product's system prompt does not explain many accounts sweeping one template, and a
    system prompt costs a harvester nothing.
    """
    grown = m[2] / TIE_EVIDENCE  # a habit, not one request matching by chance
    tie = m[7] * (grown if grown < 1.0 else 1.0)  # min(1.0, grown): the builtin is slow on hot paths
    return (m[4] * (1.0 - 0.5 * m[8] * (1.0 - tie)) if product_mark else m[4]), tie


def member_harvest(m: list[float], tie_pace: bool = True, product_mark: bool = True) -> float:
    """A member's own harvest-likeness: its requests' shape (:func:`member_shape`), weighed by
    its pace.

    A slow pace is a person's only while the account asks what it likes. With ``tie_pace`` the
    member's content tie (its share of prompts that are template siblings of other members')
    stands in for pace: accounts that sweep one template together are coordinated however
    slowly each one goes (a campaign spread thin to stay under any per-account rate).
    """
    shape, tie = member_shape(m, product_mark)
    gap = math.exp(m[6]) - 1.0
    pace = 1.0 / (1.0 + (gap / READING_S) ** 2)
    if tie_pace and tie > pace:  # max(pace, tie)
        pace = tie
    return shape * (0.3 + 0.7 * pace)


def harvesting_count(members: list[list[float]], level: float, tie_pace: bool = True, product_mark: bool = True) -> int:
    """How many ``members`` reach ``level`` of :func:`member_harvest`.

    Pace and the product mark only lower a member's shape, so a member whose shape alone is
    below ``level`` is passed over without the arithmetic.

    Examples
    --------
    >>> fast, slow = [0, 0, 10.0, 0, 0.9, 0, 0.0, 0.0, 0.0], [0, 0, 10.0, 0, 0.9, 0, 9.0, 0.0, 0.0]
    >>> harvesting_count([fast, slow, [0, 0, 1.0, 0, 0.2, 0, 0.0, 1.0, 0.0]], 0.5)
    1
    >>> [member_harvest(m) >= 0.5 for m in (fast, slow)]
    [True, False]
    >>> system, tied = [0, 0, 10.0, 0, 0.9, 0, 9.0, 0.0, 1.0], [0, 0, 10.0, 0, 0.9, 0, 9.0, 1.0, 1.0]
    >>> round(member_harvest(system, False), 3), round(member_harvest(tied), 3)  # the mark, and a tie
    (0.137, 0.9)
    """
    return len([m for m in members if m[4] >= level and member_harvest(m, tie_pace, product_mark) >= level])


def _steps(rate: float, w: int) -> float:
    """The weight of ``w`` steps of a running mean at ``rate`` taken at once (a sampled request
    standing for ``w``).

    >>> _steps(0.2, 1), round(_steps(0.2, 2), 2)
    (0.2, 0.36)
    """
    return rate if w == 1 else 1.0 - (1.0 - rate) ** w


def campaign_id(key: str) -> str:
    """A short, stable name for the campaign found on one linkage key."""
    return f"c-{stable_hash(key):08x}"[:8]
