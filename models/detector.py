"""The detection core: events in, decisions out. Pure, event time only, deterministic.

Three stages share one skeleton (:class:`Stage`: load or create a subject's state, fold the input
in, evaluate, turn a policy change into a :class:`Decision`):

* :class:`AccountDetector` sees every request of its accounts (the worker partitions by
  ``account_id``). It acts on an account alone only when the account's own evidence is strong
  *and* it sends enough to matter (the cost gate); it acts on campaign members when the
  campaign stage says so, at their first request.
* :class:`CampaignDetector` sees every request of its linkage groups (fingerprint x network,
  organisation; repartitioned by key) and sends :class:`CampaignVerdict` records back to the
  accounts.
* :class:`ClusterDetector` sees every request of its IP clusters and throttles a cluster only
  when nearly all of its active accounts are campaign members or actioned; never blocks.

:class:`Detector` chains them in one process for ``distillguard replay``.
"""

from __future__ import annotations

import ipaddress
import math
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from distillguard.models.account_features import (
    AccountState,
    Baseline,
    CampaignLink,
    account_hash,
    cluster_hash,
    same_answer,
)
from distillguard.models.campaigns import (
    ACTIVE_S,
    READING_S,
    TIE_EVIDENCE,
    CampaignObservation,
    CampaignState,
    CampaignVerdict,
    campaign_id,
    fingerprint_only,
    harvesting_count,
    linkage,
    long_popular,
    member_harvest,
    member_shape,
)
from distillguard.models.client_stack import ClientStacks, disguise_key, mismatch_key
from distillguard.models.cluster_features import ClusterObservation, ClusterState
from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.models.event import Event, InvalidEvent
from distillguard.models.evidence import (
    FALLBACK,
    LONE_FALLBACK,
    POPULAR_KNEE,
    POPULATION_WEIGHT,
    SETTLED_RERUN,
    AccountEvidence,
    PopulationScales,
    address_pool,
    asks_own,
    automation,
    combine,
    evasion_lift,
    features,
    harvest_core,
    own_prompts,
    pooled_core,
    unit,
)
from distillguard.models.lookalikes import NO_VOTE, Lookalikes, Vote, lookalike_vector
from distillguard.models.policy import BLOCK, SubjectPolicy
from distillguard.models.popularity import ECHO, POPULAR, REPEAT, PromptPopularity
from distillguard.models.recent import RecentIds
from distillguard.models.scoring import PopulationModel
from distillguard.models.template_index import TemplateIndex, template_key

MEMBER_LEVEL = 0.5
"""A group member whose own harvest-likeness reaches this counts as harvesting..."""
VERDICT_LEVEL = 0.25
"""...and a campaign acts only on members that reach this (an account that merely shares the
linkage key, such as an application with its own system prompt on the same SDK and cloud, and
asks for ordinary answers, stays out)."""
MIN_CONTENT_TIE = 0.15
"""Share of a group's requests whose nearest prompt is another account's in the template band,
below which a group is a crowd, not a campaign."""
MIN_HARVESTING_SHARE = 0.6
"""A group is judged as a campaign only when most of its active accounts harvest."""
MIN_MEMBER_TIE = 0.25
"""A tie is a habit: one template sibling by chance among a person's prompts (weighed 0.2 once
the member has five requests) does not make it one."""
UNTIED_MEMBER = 8
"""On a fingerprint-only key, a member with this many requests needs ``MIN_MEMBER_TIE`` of its
prompts to be template siblings of other members' before the campaign acts on it."""
PURE_GROUP = 0.93
MIN_TEMPLATE_REQUESTS = 3
"""Requests of a member's in a template group (each a sibling of another account's prompt) before
the group acts on it."""
SAMPLE_AFTER = 50
"""Requests after which an account's requests reach the campaign stage one in ``SAMPLE_EVERY``
(each observation standing for that many): by then its place in its groups is known, and busy
accounts send most requests (measured: about 60 % fewer observations, the campaign stage being
half of the detector's time)."""
SAMPLE_EVERY = 4
SAMPLE_SHAPE = 0.5
"""Answer shape (:func:`_answer_shape`) from which a busy account's requests all reach the campaign
stage: what is sampled is what cannot harvest (short answers, long prompts), the bulk of honest
volume; a busy account asking for long answers is followed request by request."""
TIE_GATE = 0.15
"""A group's harvest (harvesting share x sweep) at which its ties (coordination, arrivals, template,
network) begin to count; at twice this they count in full."""
BUSY_MEMBER = 50
"""Requests after which a member is busy enough to be judged on its own evidence."""
TIED_MEMBER = 0.5
"""A member's content tie (its share of requests that are template siblings of other members')
at which a templated group gives it the benefit of the doubt."""
DENSE_GROUP = 3.0
"""Active accounts to one IP cluster (on average) from which a group is packed behind a few
/24s, and its tied members in made-up threads count as harvesting from ``VERDICT_LEVEL``
(:func:`_dense_level`)."""
THIN_MEMBER = 0.25
"""A member's share of requests in threads thinner than its answers (:func:`thin_history`) from
which a packed group's member is padding a sweep (:func:`_dense_level`)."""
STEADY_MEMBERS = 12
"""Steady members (``TIE_EVIDENCE`` requests or more, fewer than ``BUSY_MEMBER``) a group needs
before their shape alone, pace aside, can make it pure (``CampaignDetector._steady_purity``),
and harvesting young members a cohort of them needs (``CampaignDetector._young_cohort``)..."""
SCRIPT_LOG_GAP = math.log(READING_S / 5 + 1.0)
"""Mean log gap under which a member works at a script's pace: faster than anyone reads a long
answer (two minutes)."""
YOUNG_COHORT = 0.75
"""Share of a group's young members that harvesting ones must make for a cohort of them
(``CampaignDetector._young_cohort``)."""
ORG_STEADY_MEMBERS = 5
"""An organisation whose accounts share a template can be pure with this many steady members
(``CampaignDetector._org_purity``), each with ``TIE_EVIDENCE`` requests as any steady member."""
STEADY_POPULAR = 0.1
"""...and the mean share of their prompts that other accounts send too (each account weighs one)
it must stay under."""
STEADY_SPAN_S = 3600.0
"""On a client fingerprint alone, a member at a reader's pace is steady only once it has been
asking for this long: a person's sitting with a new tool is mostly over within the hour, and a
sweep spread thin keeps its accounts asking hour after hour (a member at a script's pace is a
script however short its life)."""
CROWD_PURITY = 0.85
"""Share of a steady crowd's members whose requests are harvest-shaped, pace aside, for the crowd
to be one sweep (``CampaignDetector._steady_crowd``)..."""
CROWD_PRODUCT = 0.5
"""...while its members' mean share of requests with a system prompt stays under this (an
app's users send the app's own)."""
LEARN_EVERY = 4
"""The campaign stage's request scales learn from one request in this many..."""
LEARN_FIRST = 8
"""...of each member's first requests in a group, so that every account weighs alike (a few
heavy accounts would otherwise be the population)."""
EARLY_LEARN = frozenset({3, 10})
"""Request counts at which every account teaches the population scales."""
SEEN_IDS = 200_000
"""Recent event ids remembered per detector to drop duplicates (at least half of them)."""
ONCE_SLOTS = 1 << 18
"""Slots of the memory of first sightings at the subject cap (8 bytes each: 2 MB per stage)."""
CAP_TRIES = 16
"""Subjects looked at from the least recently active end to make room at the cap."""
REASON_FEATURES = (
    "answer_ratio",
    "answer_length",
    "max_tokens_fill",
    "template_share",
    "shallow_share",
    "timing_regularity",
    "ip_rotation",
    "round_the_clock",
    "no_pauses",
)

CAMPAIGN_FEATURES = (
    "score",
    "steady_crowd",
    "active_accounts",
    "accounts_seen",
    "harvesting_share",
    "novel_share",
    "template_share",
    "popular_share",
    "cross_duplicate_share",
    "cross_template_share",
    "accounts_per_cluster",
    "shallow_share",
    "ip_clusters",
    "requests_per_hour",
    "new_accounts_per_hour",
    "output_input_ratio",
    "output_tokens",
)
"""What a campaign's trace shows first (``explain``, case files): its score, then its evidence."""

Trace = Callable[[str, float, dict[str, Any]], None]


class LateEvent(InvalidEvent):
    """Older than the watermark by more than the lateness allowance."""


class DuplicateEvent(InvalidEvent):
    """An ``event_id`` seen recently: counted once."""


class Allowlist:
    """Accounts and CIDR networks never actioned; a cluster inside a listed network matches."""

    def __init__(self, entries: frozenset[str]) -> None:
        self.accounts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in entries:
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.accounts.add(item)
        self._clusters: dict[str, bool] = {}

    def account(self, account: str) -> bool:
        """Whether the account is listed."""
        return account in self.accounts

    def cluster(self, cluster: str) -> bool:
        """Whether the cluster (CIDR) lies inside a listed network."""
        hit = self._clusters.get(cluster)
        if hit is None:
            net = ipaddress.ip_network(cluster, strict=False)
            hit = any(net.version == n.version and net.subnet_of(n) for n in self.networks)  # type: ignore[arg-type]
            if len(self._clusters) < 100_000:
                self._clusters[cluster] = hit
        return hit


class _State(Protocol):
    last_ts: float
    part: int
    policy: SubjectPolicy | None


S = TypeVar("S", bound=_State)


class Stage(Generic[S]):
    """The shared skeleton: per-subject state, loading, dirty tracking, eviction, decisions.

    The lifecycle of a subject's state:

    * **admitted** at its first sighting, or, once ``max_subjects`` are tracked, at its second
      sighting within a bounded memory of first sightings (:meth:`state`); a subject not
      admitted is scored on a throwaway state and forgotten, so a flood of one-shot subjects
      costs no memory;
    * **touched** by each event: with ``max_subjects`` set (the worker), ``states`` is kept in
      least-recently-active order (a touch moves the subject to the end, ~0.4 us), so both the
      cap and bounded idle eviction look only at its front; without it (replay), in order of
      admission, and idle eviction looks at every subject;
    * **evicted** when idle past ``idle_evict_s`` (:meth:`evict`, bounded work per call) or, at
      the cap, least recently active first (:meth:`state`); a subject with a throttle or block
      in force is never evicted, and one ever actioned keeps its record for ``record_keep_s``
      against idle eviction. Evicted keys are returned, or queued in ``gone`` by the cap, for
      the caller to delete their checkpoints.
    """

    subject_type = ""

    def __init__(self, cfg: DetectorConfig, new_state: Callable[[float], S]) -> None:
        self.cfg = cfg
        self.states: OrderedDict[str, S] = OrderedDict()
        """Tracked subjects, least recently active first."""
        self.dirty: dict[str, int] = {}
        """Subjects changed since the last checkpoint, with their partition."""
        self.loader: Callable[[str], S | None] | None = None
        self.new_state = new_state
        self.allow = Allowlist(cfg.allowlist)
        self.n_evals = 0
        self.max_subjects = 0
        """At most this many subjects tracked (0: no cap); see :meth:`state` for the admission rule."""
        self.gone: list[tuple[str, int]] = []
        """``(key, partition)`` of subjects evicted by the cap, whose checkpoints the caller deletes."""
        self.not_admitted = 0
        """First sightings at the cap, scored on a throwaway state and not tracked."""
        self.cap_evicted = 0
        """Subjects evicted by the cap (least recently active first)."""
        self._once: array[int] | None = None
        """Hashes of subjects sighted once at the cap (direct-mapped: a collision forgets the older)."""

    def state(self, key: str, ts: float, partition: int) -> S:
        """Load or create the subject's state and mark it changed.

        With ``max_subjects`` tracked, a subject neither tracked nor stored is admitted only at
        its second sighting among the last ~``ONCE_SLOTS`` first sightings, and only if the least
        recently active subjects leave room (:meth:`_make_room`); otherwise it gets a throwaway
        state that is not tracked, not marked changed and never checkpointed.
        """
        states = self.states
        st = states.get(key)
        if st is not None:
            if self.max_subjects:  # the order matters to the cap and the bounded sweep only
                states.move_to_end(key)
        else:
            st = self.loader(key) if self.loader is not None else None
            cap = self.max_subjects
            if st is None:
                st = self.new_state(ts)
                if cap and len(states) >= cap and not self._admit(key, ts):
                    st.part = partition
                    return st
            elif cap and len(states) >= cap:
                self._make_room(ts)  # a stored subject is known: admitted, room made if any can be
            states[key] = st
        st.part = partition
        self.dirty[key] = partition
        return st

    def _admit(self, key: str, ts: float) -> bool:
        """At the cap: whether a new subject is admitted (its second sighting, and room made)."""
        once = self._once
        if once is None:
            once = self._once = array("q", bytes(8 * ONCE_SLOTS))
        h = hash(key) or 1
        slot = h & (ONCE_SLOTS - 1)
        if once[slot] == h and self._make_room(ts):
            once[slot] = 0
            return True
        once[slot] = h
        self.not_admitted += 1
        return False

    def _make_room(self, now_ts: float) -> bool:
        """Evict the least recently active subject that has nothing in force (looking at most
        ``CAP_TRIES`` subjects from the front); whether one was evicted."""
        states = self.states
        for _ in range(min(CAP_TRIES, len(states))):
            k, st = next(iter(states.items()))
            p = st.policy
            if p is not None and p.in_force(now_ts):
                states.move_to_end(k)  # actioned: kept until its decision expires
                continue
            del states[k]
            self.dirty.pop(k, None)
            self.gone.append((k, st.part))
            self.cap_evicted += 1
            return True
        return False

    def take_gone(self) -> list[tuple[str, int]]:
        """The subjects evicted by the cap since the last call (their checkpoints to delete)."""
        gone, self.gone = self.gone, []
        return gone

    def decide(
        self,
        key: str,
        st: S,
        score: float,
        ts: float,
        limit: int,
        reasons: tuple[str, ...] | Callable[[], tuple[str, ...]],
        trigger: str,
        *,
        force_block: bool = False,
        can_block: bool = True,
        settled: bool = False,
    ) -> Decision | None:
        """Step the subject's policy; a change of state becomes a decision.

        ``reasons`` may be a function: reasons are written only when a decision is made.
        """
        policy = st.policy
        if policy is None:
            policy = st.policy = SubjectPolicy()
        change = policy.step(score, ts, limit, self.cfg, force_block=force_block, can_block=can_block, settled=settled)
        if change is None:
            return None
        return Decision(
            ts=ts,
            subject_type=self.subject_type,
            subject=key,
            action=change.action,
            ttl_s=change.ttl_s,
            score=score,
            reasons=reasons if isinstance(reasons, tuple) else reasons(),
            trigger_event_id=trigger,
            trigger_event_ts=ts,
            limit_rpm=change.limit_rpm,
        )

    def expired(self, st: S, now_ts: float) -> bool:
        """Whether a subject's state is to be forgotten at ``now_ts`` (tracked or only stored).

        A subject idle for ``idle_evict_s`` is forgotten unless something is in force; one that
        was ever actioned (strikes, campaign) is kept for ``record_keep_s``, so that waiting
        does not wipe its record.
        """
        cfg = self.cfg
        if st.last_ts >= now_ts - cfg.idle_evict_s:
            return False
        p = st.policy
        return p is None or not (p.in_force(now_ts) or (p.strikes > 0 and st.last_ts >= now_ts - cfg.record_keep_s))

    def evict(self, now_ts: float, limit: int | None = None) -> list[tuple[str, int]]:
        """Forget idle subjects (:meth:`expired`); returns ``(key, partition)`` pairs whose
        checkpoints to delete.

        Without ``limit``, every tracked subject is looked at. With it (and ``max_subjects`` set,
        which keeps ``states`` in least-recently-active order), at most ``limit`` from the
        front of ``states`` (the least recently active), stopping at the first one still active:
        bounded work per call, for the worker's event loop. A subject kept for its record moves
        to the end, so the next call looks further.
        """
        states, dirty = self.states, self.dirty
        gone = []
        if limit is None:
            gone = [(k, st.part) for k, st in states.items() if self.expired(st, now_ts)]
            for k, _ in gone:
                del states[k]
                dirty.pop(k, None)
            return gone
        idle = now_ts - self.cfg.idle_evict_s
        for _ in range(min(limit, len(states))):
            k, st = next(iter(states.items()))
            if st.last_ts >= idle:
                break
            if not self.expired(st, now_ts):
                states.move_to_end(k)
                continue
            del states[k]
            dirty.pop(k, None)
            gone.append((k, st.part))
        return gone


class AccountDetector(Stage[AccountState]):
    """Per-account evidence, population and baseline models, the cost gate and the policy."""

    subject_type = "account"

    def __init__(self, cfg: DetectorConfig | None = None, trace: Trace | None = None) -> None:
        super().__init__(cfg or DetectorConfig(), AccountState)
        self.scales = PopulationScales(fallback=LONE_FALLBACK)
        self.population = PopulationModel(self.cfg.hst_trees, self.cfg.hst_height, self.cfg.hst_window, self.cfg.seed)
        self.watermarks: dict[int, float] = {}
        self._fingerprint_key = "fingerprint_key" not in self.cfg.ablate
        self._campaigns = "campaigns" not in self.cfg.ablate
        self.seen = RecentIds(SEEN_IDS)
        self.popularity = PromptPopularity()
        self._popularity = "popularity" not in self.cfg.ablate
        self.templates = TemplateIndex()
        """Prompt templates shared across accounts (``models.template_index``): linkage keys."""
        self._templates = "template_key" not in self.cfg.ablate
        self.stacks = ClientStacks()
        """Browser families per TLS fingerprint (``models.client_stack``): a browser user agent out
        of place on its stack links the request by that stack (an ``mm:`` key)."""
        self._stacks = "client_stack" not in self.cfg.ablate
        self.lookalikes = Lookalikes()
        """What analysts' verdicts taught (``models.lookalikes``)."""
        self._learned = "verdict_model" not in self.cfg.ablate
        self.last_vote: Vote = NO_VOTE
        """The verdicts' vote of the latest :meth:`evidence` (for its reasons)."""
        self.trace = trace

    def check_order(self, e: Event, partition: int) -> None:
        """Raise for late or duplicate events; advance the partition's watermark."""
        wm = self.watermarks.get(partition)
        if wm is None or e.ts > wm:
            self.watermarks[partition] = e.ts
        elif e.ts < wm - self.cfg.lateness_s:
            raise LateEvent(
                f"late event: ts {e.ts:.3f} is {wm - e.ts:.0f} s behind the watermark "
                f"(allowance {self.cfg.lateness_s:.0f} s)"
            )
        if not self.seen.add(e.event_id):
            raise DuplicateEvent(f"duplicate event_id {e.event_id!r}: counted once")

    def observe(
        self, e: Event, partition: int = 0
    ) -> tuple[list[Decision], ClusterObservation, list[CampaignObservation]]:
        """Fold one valid event in; return its decisions, cluster observation and campaign observations.

        Raises :class:`LateEvent` or :class:`DuplicateEvent` (both :class:`InvalidEvent`)
        for records that must be dead-lettered instead.
        """
        decisions, st, camp = self.fold(e, partition)
        return decisions, self.cluster_observation(e, st), camp

    def fold(self, e: Event, partition: int = 0) -> tuple[list[Decision], AccountState, list[CampaignObservation]]:
        """:meth:`observe` without the cluster observation (for a caller with no cluster stage to
        tell): the account's state in its place."""
        self.check_order(e, partition)
        acct = e.account_id
        st = self.state(acct, e.ts, partition)
        keys, memory_key, network = linkage(e)
        costume = None
        depth = built = e.n_messages
        if built > 2:
            # A history the account did not build here is padding (read before the request is
            # folded in): its group is told one message, unless a product's system prompt marks
            # it (a product interleaves its users' conversations; the mark is weighed per member).
            built = st.depth(e)
            if not e.has_system_prompt:
                depth = built
        if self._stacks and self.stacks.observe(e.tls_fingerprint, e.user_agent, acct):
            costume = mismatch_key(e.tls_fingerprint)
            keys.append(costume)
        # Popular: sent recently from another client fingerprint or network (a campaign's own
        # accounts re-asking its sweep share one; people asking the same question do not), or
        # an echo: another account of this key asking for the same answer (``same_answer``).
        popular = repeat = echo = False
        ah = account_hash(acct)  # once per request: the popularity credit and the campaign stage
        if self._popularity:
            pop = self.popularity
            # A refused prompt is no answer held: asked again, it is no repeat. The key is the
            # client on its network (``linkage``).
            seen = pop.sighting(
                e.simhash,
                memory_key,
                0 if e.status == 429 and e.output_tokens == 0 else ah,
                not same_answer(e.temperature),
            )
            popular = seen == POPULAR
            repeat = seen == REPEAT
            echo = seen == ECHO
            # Prompts this account sent first that others have sent since were public after all.
            owed = pop.owed(ah)
            if owed:
                st.credit(owed)
        # An echo (another account of this key asking for the same answer) is public to the
        # account; to its groups it is one more of their own prompts (a sweep's accounts overlap).
        cfg = self.cfg
        # An answer to an own prompt costs the greedy mark its length against the population's
        # usual answer: the median of the accounts' mean answers once the scales are warm, never
        # over the fixed half-way point (a swarm of long answers does not make every answer cheap).
        refused = st.update(e, popular or echo, repeat, self.scales.answer_unit()) < 0
        decisions: list[Decision] = []
        n = st.n
        if n in EARLY_LEARN and not refused:
            # Every account teaches the population scales early (not only the busy ones that
            # reach an evaluation), so that "long" and "high" mean long and high among everyone.
            self._learn_scales(st, e.ts)
        link = st.campaign
        if link is not None and e.ts < link.until and not refused:
            d = self._campaign_action(acct, st, link, e)
            if d is not None:
                decisions.append(d)
        elif not refused and n >= cfg.min_events and (n - cfg.min_events) % cfg.eval_every == 0:
            d = self._evaluate(acct, st, e)
            if d is not None:
                decisions.append(d)
        if refused or not self._campaigns:
            weight = 0
        elif n < SAMPLE_AFTER or _answer_shape(st) >= SAMPLE_SHAPE:
            weight = 1
        else:  # sampled: every SAMPLE_EVERY-th request stands for the ones since the last
            weight = SAMPLE_EVERY if (n - SAMPLE_AFTER) % SAMPLE_EVERY == SAMPLE_EVERY - 1 else 0
        camp = (
            self._campaign_observations(st, e, keys, popular, ah, depth, built, weight, costume, network)
            if weight
            else []
        )
        return decisions, st, camp

    def cluster_observation(self, e: Event, st: AccountState) -> ClusterObservation:
        """What the cluster stage is told of a request that :meth:`fold` folded into ``st``."""
        ts, policy, link = e.ts, st.policy, st.campaign
        flagged = (policy is not None and policy.in_force(ts)) or (link is not None and ts < link.until)
        flagged = flagged and not self.allow.account(e.account_id)
        return ClusterObservation(
            ts,
            e.cluster,
            e.account_id,
            e.event_id,
            e.simhash,
            f"{e.user_agent or ''}|{e.tls_fingerprint or ''}",
            st.score,
            flagged,
            ts - st.first_ts,
        )

    def _campaign_observations(
        self,
        st: AccountState,
        e: Event,
        keys: list[str],
        popular: bool,
        ah: int,
        depth: int,
        built: int,
        weight: int = 1,
        costume: str | None = None,
        network: int = 0,
    ) -> list[CampaignObservation]:
        """What the campaign stage is told of one request: an observation per linkage key, standing
        for ``weight`` requests. ``st``: the account's state (its habit of template siblings);
        ``ah``: the account's :func:`stable_hash`.

        ``built``: the request's messages if the account built its history, else 1
        (:meth:`AccountState.depth`); ``depth``: the same, but the messages a system prompt's
        request carries. ``costume``: the request's disguise key (a browser claim out of place on
        its TLS stack), if any. Every group is told ``depth`` messages, a disguise key's group
        ``built``: a history the account did not build is no conversation of a person's in
        costume, only padding, whatever its system prompt. ``network``: the :func:`stable_hash`
        of the request's network (``campaigns.linkage``)."""
        if not self._fingerprint_key:
            keys = [key for key in keys if not fingerprint_only(key)]
        ts, acct, eid, sh, cluster = e.ts, e.account_id, e.event_id, e.simhash, e.cluster
        it, ot, mt, system = e.input_tokens, e.output_tokens, e.max_tokens, e.has_system_prompt
        ch = cluster_hash(cluster)
        thin = thin_history(e.n_messages, it, st.mean_output_tokens)
        if self._templates and not popular:
            template = self.templates.key(sh, ah, ts)  # a template shared with another account
            # A template is the account's tie only as a habit: a person whose prompts now and then
            # resemble a campaign's template (one way of asking for a function) joins no sweep.
            habit = st.sibling(template is not None)
            if template is not None and habit >= MIN_MEMBER_TIE:
                keys = [*keys, template]
        out = []  # a plain loop: a comprehension would close over a dozen variables
        for key in keys:
            m = built if key is costume else depth
            out.append(
                CampaignObservation(
                    ts, key, acct, eid, sh, it, ot, mt, m, cluster, system, ah, ch, popular, weight, network, thin
                )
            )
        return out

    def _learn_scales(self, st: AccountState, ts: float) -> None:
        p = st.policy
        if p is not None and p.active:
            return
        self.scales.learn(
            {
                "output_input_ratio": st.output_input_ratio(),
                "output_tokens": st.mean_output_tokens,
                "active_hours": float(st.active_hours(ts)),
            }
        )

    def evidence(
        self,
        st: AccountState,
        ts: float,
        skip_population_below: float = 0.0,
        raw: Mapping[str, float] | None = None,
    ) -> tuple[AccountEvidence, dict[str, float]]:
        """Score one account from its state (pure but for the models it reads).

        With ``skip_population_below``, the population model is not consulted when even its
        largest contribution could not lift the score to that level. ``raw``: ``st.raw(ts)``,
        when the caller has it already (its active hours, rate and addresses are read, not
        counted again).
        """
        ablate = self.cfg.ablate
        if raw is None:
            raw = st.raw(ts)
        f = features(st, ts, self.scales, "fixed_scales" not in ablate, int(raw["active_hours"]), raw["rph"])
        pool = 0.0 if "address_pool" in ablate else address_pool(raw["addresses"], raw["address_blocks"])
        core = harvest_core(f, "product_mark" not in ablate, "sized_answers" not in ablate, "greedy_mark" not in ablate)
        if pool:
            core = pooled_core(core, f, pool)
        tmpl = f["template_share"]
        rot = 0.0 if "automation" in ablate else f["ip_rotation"]
        rot = evasion_lift(max(rot, pool), f["answer_length"])
        auto = 0.0 if "automation" in ablate else automation(f)
        drift = 0.0 if "own_baseline" in ablate or st.baseline is None else st.baseline.drift(core)
        vote = NO_VOTE
        if (
            self._learned
            and self.lookalikes.labelled
            and (
                not skip_population_below
                or combine(core, auto, POPULATION_WEIGHT, drift, tmpl, rot, 1.0) >= skip_population_below
            )
        ):
            vote = self.lookalikes.vote(lookalike_point(st, ts, f), ts)
        learned = vote.value
        pop = 0.0
        if "population_anomaly" not in ablate and (
            not skip_population_below
            or combine(core, auto, POPULATION_WEIGHT, drift, tmpl, rot, learned) >= skip_population_below
        ):
            pop = self.population.percentile(f)  # Half-Space Trees cost ~100 us: only where they can matter
        ev = AccountEvidence(core, auto, pop, drift, combine(core, auto, pop, drift, tmpl, rot, learned), learned, pool)
        self.last_vote = vote
        return ev, f

    def learn_verdict(self, account: str, verdict: str, ts: float, until: float = math.inf) -> bool:
        """Learn an analyst's verdict on an account it tracks (``release``: not a harvest;
        ``confirm``, ``escalate``: a harvest) until ``until`` (event time: the verdict's expiry);
        whether it could (the account's state is here)."""
        st = self.states.get(account)
        if st is None and self.loader is not None:
            st = self.loader(account)
        if st is None or st.n == 0 or until <= ts:
            return False
        seen = min(ts, st.last_ts)  # the account as it was when last seen, not after its pause
        f = features(st, seen, self.scales, fixed="fixed_scales" not in self.cfg.ablate)
        self.lookalikes.learn(account, lookalike_point(st, seen, f), verdict != "release", verdict, until)
        return True

    def _evaluate(self, acct: str, st: AccountState, e: Event) -> Decision | None:
        cfg = self.cfg
        ts = e.ts
        policy = st.policy
        active = policy is not None and policy.active
        raw = st.raw(ts)  # first: its active hours serve the features too
        skip = 0.0 if active or self.trace else min(cfg.throttle_score, cfg.release_score)
        ev, f = self.evidence(st, ts, skip, raw)
        score = st.score = ev.score
        self.n_evals += 1
        if not active and score < cfg.throttle_score:
            # Learn only from traffic nothing is in force against.
            if st.baseline is None:
                st.baseline = Baseline(ev.core, 0.0, 1.0, raw["rpm"])
            else:
                st.baseline.update(ev.core, raw["rpm"])
            if ts - st.learn_ts >= cfg.population_learn_s:
                st.learn_ts = ts
                self.population.learn_one(f)
                self.scales.learn(
                    {
                        "output_input_ratio": raw["output_input_ratio"],
                        "output_tokens": raw["output_tokens"],
                        "active_hours": raw["active_hours"],
                    }
                )
        if self.trace is not None:
            self.trace(
                acct,
                ts,
                {
                    "score": score,
                    "core": ev.core,
                    "automation": ev.automation,
                    "population": ev.population,
                    "drift": ev.drift,
                    "learned": ev.learned,
                    "address_pool": ev.pool,
                    **f,
                    **raw,
                },
            )
        if self.allow.account(acct):
            return None
        if not active and "cost_gate" not in cfg.ablate and not self._worth_alone(st, raw["rph"], e):
            return None
        rpm = st.baseline.rpm if st.baseline is not None else raw["rpm"]
        limit = int(min(cfg.max_limit_rpm, max(cfg.min_limit_rpm, round(cfg.limit_share * rpm))))
        # A throttle that would not refuse at least half of what the account sends does not bite.
        bites = limit <= 0.5 * max(raw["rpm"], raw["rph"] / 60.0)
        return self.decide(
            acct,
            st,
            score,
            ts,
            limit,
            partial(self._reasons, f, raw, ev, self.last_vote),
            e.event_id,
            force_block=not bites and score >= cfg.throttle_score,
            # Asking only what it asked before or what others asked (a benchmark run again), it
            # need not wait to be released.
            settled=active and asks_own(st, raw["rph"]) < SETTLED_RERUN,
        )

    def _worth_alone(self, st: AccountState, rph: float, e: Event) -> bool:
        """The cost gate: whether an account acting alone sends enough to be worth acting on.

        It must send ``lone_min_rph`` requests an hour, and from a proven browser
        (:meth:`ClientStacks.genuine`: its claim held by most accounts of a judged TLS stack)
        ``lone_browser_requests`` in all (acted on at the first evaluation from there). A person
        reads each answer; a few dozen long ones are a writer's or a student's day and worth
        nothing to a distiller, while refusing them is all cost. Accounts linked into a campaign
        are judged as its members, whatever each one sends. A script that shows a browser's
        user agent and TLS stack takes up to that many answers alone, per account.
        """
        cfg = self.cfg
        if rph < cfg.lone_min_rph:
            return False
        if st.n >= cfg.lone_browser_requests or not self._stacks:
            return True
        return not self.stacks.genuine(e.tls_fingerprint, e.user_agent)

    def _released_lookalike(self, st: AccountState, ts: float) -> bool:
        """Whether the account looks like ones analysts released (a vote of -1/2 or less)."""
        lk = self.lookalikes
        if not (self._learned and lk.negatives):
            return False
        f = features(st, ts, self.scales, fixed="fixed_scales" not in self.cfg.ablate)
        return lk.vote(lookalike_point(st, ts, f), ts).value <= -0.5

    def _campaign_action(self, acct: str, st: AccountState, link: CampaignLink, e: Event) -> Decision | None:
        if self.allow.account(acct) or self._released_lookalike(st, e.ts):
            return None
        score = link.score
        if score < self.cfg.release_score and st.n >= self.cfg.min_events:
            # A campaign whose evidence faded (members blocked, an honest crowd on its key) may
            # release its members, but not one that its own requests would keep acting on.
            score = max(score, self.evidence(st, e.ts)[0].score)
        st.score = max(st.score, score)
        reasons = partial(member_reasons, link.reasons, st, e.ts)
        return self.decide(acct, st, score, e.ts, 1, reasons, e.event_id, force_block=True)

    def apply_verdict(self, v: CampaignVerdict, partition: int = 0) -> list[Decision]:
        """Fold a campaign verdict into its account; act on it at once."""
        st = self.state(v.account, v.ts, partition)
        st.campaign = CampaignLink(v.campaign, v.score, v.ts + v.ttl_s, v.reasons)
        if self.allow.account(v.account) or self._released_lookalike(st, v.ts):
            return []
        reasons = partial(member_reasons, v.reasons, st, v.ts)
        d = self.decide(v.account, st, v.score, v.ts, 1, reasons, v.event_id, force_block=True)
        return [d] if d is not None else []

    def _reasons(
        self, f: dict[str, float], raw: dict[str, float], ev: AccountEvidence, vote: Vote = NO_VOTE
    ) -> tuple[str, ...]:
        med = self.scales.medians()
        ranked = sorted(REASON_FEATURES, key=lambda k: f[k], reverse=True)
        out = [f"harvest_signature {ev.core:.2f} (answer shape x novel sweep x shallow turns)"]
        out += [f"{k} {f[k]:.2f}" for k in ranked[:3]]
        out.append(
            f"output_input_ratio {raw['output_input_ratio']:.1f} vs population median "
            f"{med['output_input_ratio']:.1f}; output_tokens {raw['output_tokens']:.0f} vs "
            f"{med['output_tokens']:.0f}; {raw['rph']:.0f} requests/h"
        )
        if ev.pool > 0:
            out.append(
                f"address_pool {ev.pool:.2f} (~{raw['addresses']:.0f} addresses in {raw['address_blocks']:.0f} /24s "
                "in the last hours: a new host of a few blocks on nearly every request, judged by answer length alone)"
            )
        if ev.automation >= 0.3:
            out.append(f"automation_cues {ev.automation:.2f}")
        if ev.population >= 0.5:
            out.append(f"population_anomaly_percentile_score {ev.population:.2f}")
        if ev.drift > 0:
            out.append(f"drift_from_own_baseline {ev.drift:.2f}")
        if abs(ev.learned) >= 0.2 and vote.nearest:
            like = "released" if ev.learned < 0 else "confirmed"
            out.append(
                f"looks_like_{like} {ev.learned:+.2f} (analysts' verdicts: nearest {vote.nearest}, "
                f"{vote.nearest_verdict}, distance {vote.distance:.2f})"
            )
        return tuple(out)


def lookalike_point(st: AccountState, ts: float, f: dict[str, float]) -> tuple[float, ...]:
    """The account's point in look-alike space (``models.lookalikes``) at ``ts``: its features and
    its rate, the larger of the last hour's requests and the last minute's x 60."""
    return lookalike_vector(f, max(st.rph(ts), 60.0 * st.rpm(ts)))


def member_reasons(reasons: tuple[str, ...], st: AccountState, ts: float) -> tuple[str, ...]:
    """A campaign's reasons and the member's own pace (what a release would give back to it, for
    the analyst's queue): ``campaign member at 14 requests/h``."""
    return (*reasons, f"campaign member at {st.rph(ts):.0f} requests/h")


class Judgement(NamedTuple):
    """:meth:`CampaignDetector.judge`'s answer on one group."""

    score: float
    """How campaign-like the group is, in [0, 1]."""
    crowd_only: bool
    """The group is a campaign as its steady crowd alone (then only the crowd's members are)."""
    crowd_found: bool | None
    """Whether the group holds a steady crowd (None: not looked for)."""


class CampaignDetector(Stage[CampaignState]):
    """Linkage groups judged by what their accounts do together; verdicts for their members."""

    subject_type = "campaign"

    def __init__(self, cfg: DetectorConfig | None = None, trace: Trace | None = None, dedupe: bool = True) -> None:
        super().__init__(cfg or DetectorConfig(), CampaignState)
        self.trace = trace
        """Called with ``(campaign id, ts, values)`` at each evaluation (``explain``)."""
        self.scales = PopulationScales(("output_input_ratio", "output_tokens"))
        self._seen = 0
        self._fixed = "fixed_scales" not in self.cfg.ablate
        self._product_mark = "product_mark" not in self.cfg.ablate
        self._tie_pace = "tie_pace" not in self.cfg.ablate
        self._steady = "steady_purity" not in self.cfg.ablate
        self._cohort = "young_cohort" not in self.cfg.ablate
        self._crowd = "steady_crowd" not in self.cfg.ablate
        self._fleet = self.cfg.busy_fleet
        self.seen = RecentIds(SEEN_IDS) if dedupe else None
        """(key, event id) of recent observations: one sent twice (a retried send) counts once.
        ``None`` (``dedupe=False``) where every observation comes from an account stage in the
        same process, which has dropped duplicate events already (as for the cluster stage)."""
        fallback = self.scales.fallback
        self._ratio_half, self._tokens_half = fallback["output_input_ratio"], fallback["output_tokens"]
        """The fixed scales' half-way points (what ``scales.rank`` uses with ``fixed``)."""

    def observe(self, o: CampaignObservation, partition: int = 0) -> list[CampaignVerdict]:
        """Fold one observation in; return verdicts for member accounts."""
        key = o.key
        seen = self.seen
        if seen is not None and not seen.add((key, o.event_id)):
            return []
        ts = o.ts
        st = self.state(key, ts, partition)
        policy = st.policy
        account = o.account
        m = st.members.get(account)
        if self._fixed:  # self.shape(o, learn), inlined: one call fewer on every observation
            if (m is None or m[2] < LEARN_FIRST) and (policy is None or not policy.active):
                self._learn(o)
            out = o.output_tokens
            ratio = out / (o.input_tokens + 1.0)
            shape = (
                (ratio / (ratio + self._ratio_half) + out / (out + self._tokens_half))
                * (1.0 if o.n_messages <= 2 else 0.7)
                * 0.5
            )
        else:
            shape = self.shape(o, learn=(m is None or m[2] < LEARN_FIRST) and (policy is None or not policy.active))
        m = st.update(o, shape)
        if policy is not None and policy.in_force(ts):
            if m[3] <= ts and self._due(
                m,
                st,
                key,
                lambda: self._purity(st, ts, key),
                lambda: self._busy_fleet(st, st.active_members(ts), key) is not None,
                crowd=st.crowd,
                crowd_only=st.crowd_only,
            ):
                # A member (maybe new) that behaves like the campaign, without a live verdict. An
                # account that merely shares the key (the same SDK on the same cloud) and does
                # not harvest is left alone.
                m[3] = ts + self.cfg.campaign_ttl_s / 2
                return [self._verdict(key, st, account, ts, o.event_id, crowd=st.crowd and _crowd_member(m))]
            if not _crossed(st.n, o.weight, _every(8, len(st.members) // 8)):
                return []
        elif not _crossed(st.n, o.weight, _every(4, len(st.members) // 16)):
            return []  # a big group is evaluated less often: each evaluation reads every member
        return self._evaluate(o, st)

    def _evaluate(self, o: CampaignObservation, st: CampaignState) -> list[CampaignVerdict]:
        cfg = self.cfg
        ts = o.ts
        self.n_evals += 1
        policy = st.policy
        # With nothing in force, a group too small or too slow to be judged (``_judged``) cannot
        # act whatever its score: it scores 0 without looking at its members (unless traced).
        unjudged = policy is None and self.trace is None
        if unjudged and len(st.members) < cfg.campaign_min_accounts:
            st.score = 0.0
            return []
        raw = st.raw(ts)
        if unjudged and not self._busy(raw):
            st.score = 0.0  # too slow to be judged, however many members are active
            return []
        active = st.active_members(ts) if len(st.members) >= 3 else []  # fewer members: no need to look
        n_active = len(active)
        if n_active < 3:
            st.score = 0.0
            return []
        if unjudged and not self._judged(n_active, raw):
            st.score = 0.0
            return []
        score, crowd_only, found = self.judge(st, raw, n_active, o.key, active)
        st.score = score
        # A group blocked as its crowd alone and now a campaign on more than its crowd: the other
        # members due get their verdicts at once.
        widened = st.crowd_only and not crowd_only and score >= cfg.campaign_score
        st.crowd_only = crowd_only
        st.crowd = crowd = found if found is not None else self._steady_crowd(active, o.key) is not None
        if self.trace is not None:
            self.trace(
                campaign_id(o.key),
                ts,
                {
                    "key": o.key,
                    "score": score,
                    "active_accounts": n_active,
                    "accounts_seen": len(st.members),
                    "harvesting_share": st.harvesting_share(ts, product_mark=self._product_mark),
                    "novel_share": st.novel_share,
                    "template_share": st.template_share,
                    "popular_share": st.popular_share,
                    "steady_crowd": float(crowd),
                    "cross_duplicate_share": st.cross_duplicate_share,
                    "cross_template_share": st.cross_template_share,
                    "accounts_per_cluster": st.accounts_per_cluster(ts),
                    "shallow_share": st.shallow_share,
                    "ip_clusters": len(st.clusters),
                    "members": sorted(a for a, m in st.members.items() if m[1] >= ts - ACTIVE_S),
                    **raw,
                },
            )
        active_now = policy is not None and policy.active
        eligible = self._judged(n_active, raw) and (score >= cfg.campaign_score or active_now)
        if not eligible and not active_now:
            return []
        was = policy is not None and policy.in_force(ts)
        d = self.decide(o.key, st, score if eligible else 0.0, ts, 1, (), o.event_id, force_block=True)
        # A widened round: the group stays blocked, and a member's live verdict stands.
        again = widened and was and policy is not None and policy.action == BLOCK and policy.in_force(ts)
        if not again and (d is None or d.action != BLOCK or was):
            # Verdicts go out when the group is blocked, and again (to the members holding none)
            # when a group blocked as its steady crowd alone is judged a campaign on more.
            return []
        out = []
        purity = self._purity(st, ts, o.key, active)
        fleet = self._busy_fleet(st, active, o.key) is not None
        clusters = cache(partial(_cluster_counts, st))  # counted once for all the members, if asked
        roaming = cache(partial(_roaming_share, st))
        networks = cache(partial(_network_counts, st))
        for acct, m in st.members.items():
            if (
                m[1] >= ts - cfg.campaign_ttl_s
                and (m[3] <= ts or not again)
                and self._due(
                    m, st, o.key, lambda: purity, lambda: fleet, clusters, roaming, crowd, crowd_only, networks
                )
            ):
                m[3] = ts + cfg.campaign_ttl_s / 2
                out.append(self._verdict(o.key, st, acct, ts, o.event_id, fleet, crowd and _crowd_member(m)))
        return out

    def _purity(self, st: CampaignState, ts: float, key: str, active: list[list[float]] | None = None) -> float:
        """The share of the group's active members that harvest, for the benefit of the doubt.

        An organisation is one customer: when nearly all its steady accounts are harvest-shaped
        (``_steady_purity``, pace aside), its slow members are one harvest spread thin, not
        people reading their answers."""
        share = st.harvesting_share(ts, MEMBER_LEVEL, False, active, product_mark=self._product_mark)
        if key.startswith("org:"):
            active = active if active is not None else st.active_members(ts)
            steady = self._org_purity(active, key, _content_tie(st, active))[0]
            return steady if steady > share else share
        return share

    def _busy(self, raw: dict[str, float]) -> bool:
        """Whether a group asks often enough to be judged a campaign (``campaign_min_rph``)."""
        return raw["requests_per_hour"] >= self.cfg.campaign_min_rph

    def _judged(self, n_active: int, raw: dict[str, float]) -> bool:
        """Whether a group is big and busy enough to be judged a campaign (its score can act)."""
        return n_active >= self.cfg.campaign_min_accounts and self._busy(raw)

    def _due(
        self,
        m: list[float],
        st: CampaignState,
        key: str,
        purity: Callable[[], float],
        fleet: Callable[[], bool],
        clusters: Callable[[], Counter[float]] | None = None,
        roaming: Callable[[], float] | None = None,
        crowd: bool = False,
        crowd_only: bool = False,
        networks: Callable[[], Counter[float]] | None = None,
    ) -> bool:
        """:func:`_verdict_due` with this detector's switches and the group's template tie;
        ``clusters``, ``roaming`` and ``networks``: :func:`_cluster_counts`, :func:`_roaming_share`
        and :func:`_network_counts` of the group, when the caller counts them once for many
        members. With ``crowd`` (the group holds a steady crowd: ``_steady_crowd``) a member of
        the crowd (:func:`_crowd_member`) is due too, unless it asks from apart (``_elsewhere``,
        or on a fingerprint alone ``_home_in_roaming_crowd`` or ``_network_apart``); with
        ``crowd_only`` (the crowd alone made the group a campaign) no one else is."""
        templated = st.content_tie >= MIN_CONTENT_TIE
        counts = clusters or partial(_cluster_counts, st)
        roams = roaming or partial(_roaming_share, st)
        nets = networks or partial(_network_counts, st)

        def elsewhere() -> bool:
            if _elsewhere(m, counts()):
                return True
            return fingerprint_only(key) and (_home_in_roaming_crowd(m, roams) or _network_apart(m, nets()))

        if crowd and _crowd_member(m) and not elsewhere():
            return True
        if crowd_only:
            return False
        return _verdict_due(m, purity, key, self._tie_pace, self._product_mark, templated, fleet, elsewhere)

    def shape(self, o: CampaignObservation, learn: bool) -> float:
        """One request's harvest shape in [0, 1]: a long answer to a short prompt, shallow.

        Output length and output/input ratio are ranked among the population's requests
        (River quantiles, learned from one request in ``LEARN_EVERY`` of groups nothing is in
        force against).
        """
        out = o.output_tokens
        ratio = out / (o.input_tokens + 1.0)
        scales = self.scales
        if learn:
            self._learn(o)
        if self._fixed:  # scales.rank(name, x, fixed=True), inlined: x / (x + half-way point)
            answer = ratio / (ratio + self._ratio_half) + out / (out + self._tokens_half)
        else:
            answer = scales.rank("output_input_ratio", ratio) + scales.rank("output_tokens", out)
        # Depth counts against, softly: a real conversation's growing context already lowers its
        # output/input ratio. (On a disguise key, padding comes as one message: ``AccountState.depth``.)
        depth = 1.0 if o.n_messages <= 2 else 0.7
        # A system prompt (the product mark) is weighed per member, against its ties to the others.
        return answer * depth * 0.5

    def _learn(self, o: CampaignObservation) -> None:
        """Count a request towards the scales; every ``LEARN_EVERY``-th teaches them."""
        self._seen += 1
        if self._seen % LEARN_EVERY == 0:
            out = o.output_tokens
            self.scales.learn({"output_input_ratio": out / (o.input_tokens + 1.0), "output_tokens": float(out)})

    def judge(
        self,
        st: CampaignState,
        raw: dict[str, float],
        n_active: int,
        key: str = "",
        active: list[list[float]] | None = None,
    ) -> Judgement:
        """How campaign-like a group is, in [0, 1]; whether it is a campaign as its steady crowd
        alone; and whether it holds a steady crowd (None: not looked for).

        The linkage key already joins a fingerprint and a network; a campaign also needs a tie
        of its own (prompts from one template across accounts, or many accounts behind few /24s),
        and its accounts must each look like harvesters (account-weighted, not request-weighted).
        Prompts copied across accounts (one assignment, one public benchmark) count against it.
        ``active``: the group's active members at ``raw["ts"]``, when the caller has them.

        A group that would not be a campaign otherwise is scored again as its steady crowd, if it
        holds one (``_steady_crowd``): then the crowd's members are the campaign's, and no one
        else. Whether it holds one is returned so that no evaluation looks twice.
        """
        if active is None:
            active = st.active_members(raw["ts"])
        if not active:
            return Judgement(0.0, False, None)
        score = self._score(st, raw, n_active, key, active)
        if score >= self.cfg.campaign_score:
            return Judgement(score, False, None)
        crowd_popular = self._steady_crowd(active, key)
        if crowd_popular is None:
            return Judgement(score, False, False)
        as_crowd = self._score(st, raw, n_active, key, active, crowd_popular)
        return Judgement(as_crowd, True, True) if as_crowd > score else Judgement(score, False, True)

    def _score(
        self,
        st: CampaignState,
        raw: dict[str, float],
        n_active: int,
        key: str,
        active: list[list[float]],
        crowd_popular: float | None = None,
    ) -> float:
        """:meth:`judge`'s score; with ``crowd_popular`` (``_steady_crowd``'s), as the group's steady crowd."""
        ts = raw["ts"]
        costume = disguise_key(key)
        # A member's own level: in costume, or in a packed group (as the benefit of the doubt a
        # tied member gets, ``_verdict_due``, a tie's: off with ``tie_pace``); else one for all.
        level_of: Callable[[list[float]], float] | None = None
        per_cluster: float | None = None  # read only where needed: most calls return early
        if costume:
            level_of = _costume_level
        elif self._tie_pace:
            per_cluster = st.accounts_per_cluster(ts, active)
            if per_cluster >= DENSE_GROUP:
                level_of = _dense_level
        # Only members whose shape alone reaches the level can harvest (pace only lowers it): when
        # too few do, the share is below the bar whatever their pace, and no pace is computed.
        if level_of is None:
            able = [m for m in active if m[4] >= MEMBER_LEVEL or m[7] > 1.0]
        else:
            able = [m for m in active if m[4] >= level_of(m) or m[7] > 1.0]
        if len(able) / len(active) < MIN_HARVESTING_SHARE:
            return 0.0
        tp, pm = self._tie_pace, self._product_mark
        if level_of is None:
            harvesting = harvesting_count(able, MEMBER_LEVEL, tp, pm) / len(active)
        else:
            harvesting = sum(1 for m in able if member_harvest(m, tp, pm) >= level_of(m)) / len(active)
        popular = st.popular_share
        fleet = crowd = False
        content_tie = _content_tie(st, active)
        if harvesting < PURE_GROUP:
            steady, steady_popular = self._org_purity(active, key, content_tie)
            if steady > harvesting:
                # The steady crowd is the evidence: its own prompts make or unmake the sweep (a
                # busy service on the same client re-sending what others send is not the crowd).
                harvesting, popular = steady, steady_popular
            fleet_popular = self._busy_fleet(st, active, key) if harvesting < PURE_GROUP else None
            if fleet_popular is not None:
                # So is a fleet: several busy accounts, one client, one network, one harvest.
                harvesting, popular, fleet = 1.0, min(popular, fleet_popular), True
            if crowd_popular is not None and harvesting < PURE_GROUP:
                # So is a steady crowd on one client: a sweep spread thin over its accounts.
                harvesting, popular, crowd = PURE_GROUP, crowd_popular, True
        if harvesting < MIN_HARVESTING_SHARE:
            return 0.0  # a crowd on a popular client is not a campaign because some of it harvests
        st.content_tie = content_tie
        # A costume shared (browser claims out of place on one stack) is a tie of its own.
        untied = (
            not key.startswith("org:") and not costume and content_tie < MIN_CONTENT_TIE and harvesting < PURE_GROUP
        )
        if untied or popular > POPULAR_KNEE:
            young_harvest = self._young_harvest(active)
            if untied and not young_harvest:
                # Fingerprint and network alone link a city's phones on one carrier: a campaign
                # must also share what it asks (one template swept across its accounts), or be
                # harvesters to nearly the last account (or a cohort of them).
                return 0.0
            if young_harvest and popular > POPULAR_KNEE:
                # A harvesting young crowd is the evidence, as a steady crowd is: its own prompts
                # make the sweep, not those a busy service on its client re-sends.
                young = [m for m in active if m[2] < BUSY_MEMBER]
                popular = min(popular, _popular_mean(young))
        sweep = own_prompts(st.novel_share, popular) * (0.5 + 0.5 * st.template_share)
        coordination = 1.0 - math.exp(-max(0, n_active - 2) / 6.0)
        arrivals = min(1.0, raw["new_accounts_per_hour"] / 10.0)
        template_tie = 0.0 if "campaign_template_tie" in self.cfg.ablate else min(1.0, 2.0 * content_tie)
        if fleet or costume or crowd:
            # Accounts that all dress as a browser on a stack no browser of that kind uses share a
            # disguise, and a fleet or a steady crowd shares its whole behaviour: each as strong a
            # tie as one template swept together.
            template_tie = 1.0
        if per_cluster is None:
            per_cluster = st.accounts_per_cluster(ts, active)
        network_tie = min(1.0, (per_cluster - 1.0) / 4.0)
        harvest = harvesting * sweep
        # Ties amplify a harvest; they are not one: a class sending variations of one assignment
        # is many accounts on one network sharing a template, asking mostly what others ask.
        gate = unit((harvest - TIE_GATE) / TIE_GATE)
        z = (
            8.0 * (harvest - 0.45)
            + gate * (2.5 * coordination + 1.0 * arrivals + 3.0 * template_tie + 1.0 * network_tie)
            - 6.0 * st.cross_duplicate_share
            - 3.0
        )
        return 1.0 / (1.0 + math.exp(-z))

    def _org_purity(self, active: list[list[float]], key: str, content_tie: float) -> tuple[float, float]:
        """:meth:`_steady_purity`; for an organisation whose accounts share a template (two ties:
        one customer, one sweep), with fewer steady members (``ORG_STEADY_MEMBERS``)."""
        templated_org = content_tie >= MIN_CONTENT_TIE and key.startswith("org:")
        minimum = ORG_STEADY_MEMBERS if templated_org else STEADY_MEMBERS
        return self._steady_purity(active, minimum, fingerprint_only(key))

    def _steady_purity(
        self, active: list[list[float]], min_members: int = STEADY_MEMBERS, strangers: bool = False
    ) -> tuple[float, float]:
        """Share of the group's steady members (``TIE_EVIDENCE`` requests or more, fewer than
        ``BUSY_MEMBER``: a busy account is judged on its own evidence) whose requests
        are harvest-shaped, pace aside, when there are at least ``STEADY_MEMBERS`` of them (0
        otherwise). A person reads at a person's pace, and so does a campaign spread thin; but
        every steady account of a client asking novel questions for long answers, hour after
        hour, in a group whose prompts no one else sends, is one sweep spread over accounts.
        Its members are still acted on one by one (``_verdict_due``): an untied one at a
        person's pace is no member. Also returns the steady members' mean share of popular
        prompts (each account weighs one). ``strangers``: the group is linked by its client
        alone (:func:`_steady_members`)."""
        steady = _steady_members(active, strangers) if self._steady else []
        if len(steady) < min_members:
            return 0.0, 0.0
        popular = _popular_mean(steady)
        if popular >= STEADY_POPULAR:
            return 0.0, popular
        # A system prompt marks one busy account serving a product's users; a crowd of small
        # steady accounts each sending one is no product. (An app whose users bring their own
        # keys makes such a crowd; its people, untied and at a reading pace, are no members of
        # a campaign: ``_verdict_due``.)
        shaped = [m for m in steady if member_shape(m, False)[0] >= MEMBER_LEVEL]
        return len(shaped) / len(steady), popular

    def _steady_crowd(self, active: list[list[float]], key: str) -> float | None:
        """Whether the group is a steady crowd on one client: ``STEADY_MEMBERS`` or more steady
        members (``TIE_EVIDENCE`` requests or more, fewer than ``BUSY_MEMBER``, asking for an hour
        or more at a reader's pace: :func:`_steady_members` of strangers), ``CROWD_PURITY``
        of them harvest-shaped (pace aside), whose long answers few others ask for
        (:func:`long_popular`, under ``STEADY_POPULAR`` on average), and no app's users (under
        ``CROWD_PRODUCT`` of their requests with a system prompt). Returns their mean share of
        popular long answers, or None.

        Only on a client fingerprint across every network. A sweep that repeats no template,
        pads itself with short questions anyone asks and asks at a reader's pace from many
        accounts shares nothing but its client; but people using one client are a mix
        (writers, developers, people chatting), and an app's users send its system prompt.
        Every steady account of one client asking its own questions for long answers is one
        sweep spread thin, and the crowd is the tie."""
        if not self._crowd or not fingerprint_only(key):
            return None
        steady = _steady_members(active, strangers=True)
        n = len(steady)
        if n < STEADY_MEMBERS or sum(m[8] for m in steady) >= CROWD_PRODUCT * n:
            return None
        popular = sum(long_popular(m) for m in steady) / n
        if popular >= STEADY_POPULAR:
            return None
        shaped = sum(1 for m in steady if m[4] >= MEMBER_LEVEL)
        if shaped < CROWD_PURITY * n:
            return None
        # Harvest-shaped at a script's pace or under system prompts, it has no member to act on
        # (those are judged by the other rules): no crowd.
        members = sum(1 for m in steady if _crowd_member(m))
        return popular if members >= self.cfg.campaign_min_accounts else None

    def _busy_fleet(self, st: CampaignState, active: list[list[float]], key: str) -> float | None:
        """Whether the group is a fleet: ``campaign_min_accounts`` or more busy members
        (``BUSY_MEMBER`` requests or more) on one client and one network, all but a few of them
        harvest-shaped, pace and system prompt aside, asking prompts few others send, in a group
        whose prompts follow no template (none shared across accounts, none repeated within).

        A system prompt marks one account serving a product's users, and a busy account is
        otherwise judged on its own evidence; but a product runs on one account, not on five
        that each ask their own novel questions for long answers from the same client and
        network. A fingerprint alone spans every network (a popular SDK's honest services), and
        an organisation's accounts are one customer's: neither key makes a fleet. A product
        proxies its users through a prompt template, and so does one spread over several
        accounts (its template around their questions, each account tied to the others in
        part); a group with a template is judged by it, its members by how much they sweep it
        together. Returns the busy members' mean share of popular prompts (each account weighs
        one), or None."""
        if not self._fleet or "|" not in key:
            return None
        busy = [m for m in active if m[2] >= BUSY_MEMBER]
        if len(busy) < self.cfg.campaign_min_accounts:
            return None
        if _content_tie(st, active) >= MIN_CONTENT_TIE or st.template_share >= MIN_CONTENT_TIE:
            return None
        popular = _popular_mean(busy)
        shaped = sum(1 for m in busy if m[4] >= MEMBER_LEVEL)
        return popular if popular < STEADY_POPULAR and shaped >= PURE_GROUP * len(busy) else None

    def _young_purity(self, active: list[list[float]]) -> float:
        """Share of the group's young members (fewer than ``BUSY_MEMBER`` requests) that harvest,
        when there are enough of them to be a campaign: a busy account on the key (a product on
        the same SDK) is judged on its own evidence, and does not make a swarm of new accounts,
        each harvesting, a crowd."""
        young = [m for m in active if m[2] < BUSY_MEMBER]
        if len(young) < self.cfg.campaign_min_accounts:
            return 0.0
        return harvesting_count(young, MEMBER_LEVEL, self._tie_pace, self._product_mark) / len(young)

    def _young_harvest(self, active: list[list[float]]) -> bool:
        """Whether the group's young members harvest: nearly all of them, or a cohort of them."""
        return self._young_purity(active) >= PURE_GROUP or self._young_cohort(active)

    def _young_cohort(self, active: list[list[float]]) -> bool:
        """Whether the group's young members hold a cohort of harvesters: ``STEADY_MEMBERS`` or more
        harvesting at a script's pace, at least ``YOUNG_COHORT`` of the young, asking prompts few
        others send (people who write at a reading pace are no cohort, however long their pieces). A
        popular SDK always has a few honest newcomers beside a swarm on it (a research tool, a
        review bot), so the swarm is never harvesters to the last young account."""
        if not self._cohort:
            return False
        young = [m for m in active if m[2] < BUSY_MEMBER]
        if len(young) < STEADY_MEMBERS:
            return False
        level, tie_pace, mark, script = MEMBER_LEVEL, self._tie_pace, self._product_mark, SCRIPT_LOG_GAP
        cohort = [m for m in young if m[6] < script and m[4] >= level and member_harvest(m, tie_pace, mark) >= level]
        return (
            len(cohort) >= STEADY_MEMBERS
            and len(cohort) >= YOUNG_COHORT * len(young)
            and _popular_mean(cohort) < STEADY_POPULAR
        )

    def _verdict(
        self,
        key: str,
        st: CampaignState,
        account: str,
        ts: float,
        event_id: str,
        fleet: bool | None = None,
        crowd: bool = False,
    ) -> CampaignVerdict:
        """The verdict on one member; ``fleet``: whether the group is a fleet, when the caller
        knows; ``crowd``: whether the member is one of the group's steady crowd."""
        raw = st.raw(ts)
        cid = campaign_id(key)
        if key.startswith("org:"):
            tie = "organisation"
        elif template_key(key):
            tie = "one prompt template"
        elif disguise_key(key):
            tie = "browser user agents on a TLS stack browsers of that kind do not use"
        else:
            tie = "one client fingerprint" if fingerprint_only(key) else "one client fingerprint on one network"
        m = st.members.get(account)
        if m is not None and m[2] >= BUSY_MEMBER:
            if fleet is None:
                fleet = self._busy_fleet(st, st.active_members(ts), key) is not None
            if fleet:
                tie += ", busy accounts that each harvest alike"
        if crowd:
            tie += ", a steady crowd of accounts each asking its own questions for long answers"
        reasons = (
            f"campaign {cid}: {len(st.active_members(ts))} active accounts ({len(st.members)} seen), "
            f"{tie}, {len(st.clusters)} IP clusters, {st.n} requests",
            f"campaign harvest: output/input {raw['output_input_ratio']:.1f}, {raw['output_tokens']:.0f} output tokens, "
            f"{st.shallow_share:.0%} shallow, {st.novel_share:.0%} novel prompts, {st.template_share:.0%} templated",
            f"campaign pace: {raw['requests_per_hour']:.0f} requests/h, {raw['new_accounts_per_hour']:.1f} new accounts/h",
        )
        return CampaignVerdict(ts, account, cid, st.score, float(self.cfg.campaign_ttl_s), reasons, event_id)


def _answer_shape(st: AccountState) -> float:
    """An account's answer shape in [0, 1] at the fixed half-way points (output/input 3, 600
    output tokens): long answers to short prompts score high.

    >>> st = AccountState(0.0)
    >>> st.mean_output_tokens, st.mean_input_tokens = 1500.0, 50.0
    >>> round(_answer_shape(st), 2)
    0.81
    """
    r, o = st.output_input_ratio(), st.mean_output_tokens
    half_r, half_o = FALLBACK["output_input_ratio"], FALLBACK["output_tokens"]
    return 0.5 * (r / (r + half_r) + o / (o + half_o))


def _crossed(n: int | float, step: int, every: int) -> bool:
    """Whether a count that went up by ``step`` to ``n`` passed a multiple of ``every`` (the
    cadence of evaluations, when sampled requests count more than one).

    >>> _crossed(8, 1, 4), _crossed(9, 1, 4), _crossed(10, 4, 4), _crossed(11, 2, 4)
    (True, False, True, False)
    """
    return int(n) // every != int(n - step) // every


def _content_tie(st: CampaignState, active: list[list[float]]) -> float:
    """A group's content tie: its requests' template siblings from other accounts, or (each
    account weighing one, so that a busy account on the key does not drown it) its active
    members' own ties."""
    return max(st.cross_template_share, sum(m[7] for m in active) / len(active))


def _popular_mean(members: list[list[float]]) -> float:
    """The members' mean share of prompts that other accounts send too (each account weighs one)."""
    return sum(m[9] for m in members) / len(members)


def _every(least: int, n: int) -> int:
    """``max(least, n)`` without the builtin (slow on the per-observation path)."""
    return n if n > least else least


def _cluster_counts(st: CampaignState) -> Counter[float]:
    """How many of the group's members came last from each IP cluster (``m[5]``)."""
    return Counter(x[5] for x in st.members.values())


def _network_counts(st: CampaignState) -> Counter[float]:
    """How many of the group's members came last from each known network, their ASN or, without
    one, their /16 (``m[13]``). 0, unknown, is no network: members restored from a checkpoint
    written before it, or last told of by an account stage that does not send it, are no few
    networks of their own for a newcomer to be apart from."""
    return Counter(x[13] for x in st.members.values() if x[13])


def _roaming_share(st: CampaignState) -> float:
    """Share of the group's members seen twice or more that came last from another /24 than the
    request before, most of the time (``m[10]``): exits of a rotating pool."""
    seen = [x[10] for x in st.members.values() if x[2] >= 2.0]
    return sum(1 for r in seen if r >= 0.5) / len(seen) if seen else 0.0


def _member_level(m: list[float], costume: bool) -> float:
    """The harvest-likeness at which a member counts as harvesting: ``MEMBER_LEVEL``, or
    ``VERDICT_LEVEL`` for a member of a group in costume (browser claims out of place on one TLS
    stack) that came from another /24 than the request before, most of the time (``m[10]``).

    Two evasions at once (a script dressed as a browser, asking from another exit each time)
    stand in for half the shape: padded chat at a person's pace takes answers of a few hundred
    tokens on most requests, and its shape alone stays under ``MEMBER_LEVEL``. An office behind
    a proxy that inspects TLS is out of place on its stack too, but asks from its own /24.

    >>> _member_level([0.0] * 10 + [0.9], True), _member_level([0.0] * 10 + [0.1], True)
    (0.25, 0.5)
    >>> _member_level([0.0] * 10 + [0.9], False)
    0.5
    """
    return VERDICT_LEVEL if costume and m[10] >= 0.5 else MEMBER_LEVEL


def _costume_level(m: list[float]) -> float:
    """:func:`_member_level` of a member of a group in costume."""
    return _member_level(m, True)


def _dense_level(m: list[float]) -> float:
    """The harvest-likeness at which a member of a group packed behind a few /24s
    (``DENSE_GROUP``) counts as harvesting: ``VERDICT_LEVEL`` for one that sweeps the group's
    template on half or more of its recent requests (``TIED_MEMBER``, once it has sent
    ``TIE_EVIDENCE`` or more) and sent a quarter or more of them in threads thinner than its
    answers (``THIN_MEMBER``, :func:`thin_history`), ``MEMBER_LEVEL`` otherwise.

    A hydra in made-up threads pads every prompt with invented history, so each account's shape
    sits around ``MEMBER_LEVEL`` and the group never has three in five of its accounts
    harvesting, although each would be due a verdict from ``VERDICT_LEVEL`` (``_verdict_due``):
    dozens of accounts behind one or two /24s on one client, sweeping one template together,
    are tied by what they ask. A product sharded over accounts behind its NAT is as packed and
    as templated, with or without a system prompt; what it does not do is send threads whose
    earlier answers are a fraction of the answers it gets (:func:`thin_history`).

    >>> tied = [0, 0, 9.0, 0, 0.3, 0, 0, 0.8] + [0.0] * 6
    >>> young = [0, 0, 3.0, *tied[3:]]
    >>> _dense_level([*tied, 0.9]), _dense_level([*tied, 0.0]), _dense_level([*young, 0.9])
    (0.25, 0.5, 0.5)
    """
    return VERDICT_LEVEL if _tied_member(m) and m[14] >= THIN_MEMBER else MEMBER_LEVEL


def _tied_member(m: list[float]) -> bool:
    """Whether a member sweeps its group's template as a habit: on ``TIED_MEMBER`` of its recent
    requests or more, once it has sent ``TIE_EVIDENCE`` or more."""
    return m[7] >= TIED_MEMBER and m[2] >= TIE_EVIDENCE


def thin_history(n_messages: int, input_tokens: int, mean_output: float) -> bool:
    """Whether a later turn carries a history thinner than its account's answers: under half the
    account's mean answer (``mean_output``: as folded in, this request's answer included) for
    each earlier exchange. A client resends a thread's real answers with every turn; a thread
    made up to pad a prompt (a few hundred tokens a turn after answers of thousands) does not.

    >>> thin_history(7, 900, 1500.0), thin_history(7, 6000, 1500.0), thin_history(1, 10, 1500.0)
    (True, False, False)
    """
    return n_messages > 2 and 4.0 * input_tokens < (n_messages - 1) * mean_output


def _home_in_roaming_crowd(m: list[float], roaming: Callable[[], float]) -> bool:
    """Whether a member seen twice or more mostly keeps to its /24 while most of its group rotates
    through a pool's exits (``roaming``: :func:`_roaming_share`): a developer at home on the
    client a swarm uses behaves apart from the swarm.

    >>> home, exit_ = [0.0, 0.0, 2.0] + [0.0] * 7 + [0.0], [0.0, 0.0, 2.0] + [0.0] * 7 + [0.5]
    >>> _home_in_roaming_crowd(home, lambda: 0.8), _home_in_roaming_crowd(exit_, lambda: 0.8)
    (True, False)
    >>> _home_in_roaming_crowd(home, lambda: 0.2)  # a crowd that stays: no contrast
    False
    """
    return m[2] >= 2.0 and m[10] < 0.5 and roaming() >= 0.5


def _network_apart(m: list[float], networks: Counter[float]) -> bool:
    """Whether a member asks from a network (its ASN; its /16 without one) apart from its group
    linked by a client fingerprint alone (``networks``: the group's :func:`_network_counts`, the
    member included): the group's other members sit on a few networks (two or more accounts to
    one, on average), none of them came last from the member's, and the member keeps to its /24.
    A campaign run from one cloud spreads its accounts over that cloud's /24s, not over its ASNs;
    a developer at home on the SDK it runs shares its client and nothing else (:func:`_elsewhere`
    for /24s).

    >>> st = CampaignState(0.0)
    >>> st.members = {a: [0.0] * 10 + [0.0, 0.0, 0.0, 1.0] for a in "abcd"}  # one cloud's
    >>> st.members["d"][13] = 7.0  # a home ISP's
    >>> nets = _network_counts(st)
    >>> _network_apart(st.members["d"], nets), _network_apart(st.members["a"], nets)
    (True, False)
    >>> st.members["d"][10] = 0.5  # it came from another /24 than the request before: an exit
    >>> _network_apart(st.members["d"], nets)
    False
    """
    return m[13] != 0.0 and _alone_beside_a_few(m, m[13], networks)  # 0: its network unknown


def _steady_members(active: list[list[float]], strangers: bool = False) -> list[list[float]]:
    """The steady ones among a group's members: ``TIE_EVIDENCE`` requests or more, fewer than
    ``BUSY_MEMBER`` (a busy account is judged on its own evidence). With ``strangers`` (a group
    linked by a client fingerprint alone, whose accounts need share nothing else), a member at a
    reader's pace must also have been asking for ``STEADY_SPAN_S``: people trying a new client
    each ask a few questions in one sitting, and many sittings at once are no sweep.

    >>> sitting = [0.0, 1800.0, 8.0, 0.0, 0.7, 0.0, 6.0]  # eight requests in half an hour
    >>> hours, script = sitting[:1] + [7200.0] + sitting[2:], sitting[:6] + [3.0]
    >>> [len(_steady_members([m], strangers=True)) for m in (sitting, hours, script)]
    [0, 1, 1]
    >>> len(_steady_members([sitting]))  # an organisation's, or on one network too
    1
    """
    return [
        m
        for m in active
        if TIE_EVIDENCE <= m[2] < BUSY_MEMBER
        and (not strangers or m[1] - m[0] >= STEADY_SPAN_S or m[6] < SCRIPT_LOG_GAP)
    ]


def _crowd_member(m: list[float]) -> bool:
    """Whether a member belongs to its group's steady crowd (``CampaignDetector._steady_crowd``,
    on a client fingerprint alone): at a reader's pace or slower (``SCRIPT_LOG_GAP``: a developer's
    burst on the same SDK is no steady account, and a script's pace is judged by the rules for
    young members), steady among strangers (:func:`_steady_members`: at that pace, asking for
    ``STEADY_SPAN_S`` or longer), harvest-shaped with the product mark (a system prompt of its own halves its
    shape), and its long answers few others ask for. However slowly it asks: the crowd is its tie.

    >>> m = [0.0, 7200.0, 12.0, 0.0, 0.7, 0.0, 6.0, 0.0, 0.0, 0.3, 0.0, 0.8, 0.0]
    >>> _crowd_member(m), _crowd_member(m[:8] + [1.0] + m[9:])  # the product mark
    (True, False)
    >>> _crowd_member(m[:1] + [1800.0] + m[2:])  # twelve questions in one sitting
    False
    >>> _crowd_member(m[:11] + [0.8, 0.4])  # half of its long answers are others' questions too
    False
    """
    return (
        m[6] >= SCRIPT_LOG_GAP
        and bool(_steady_members([m], strangers=True))  # at a reader's pace: asking for the hour
        and long_popular(m) < STEADY_POPULAR
        and member_shape(m)[0] >= MEMBER_LEVEL
    )


def _elsewhere(m: list[float], clusters: Counter[float]) -> bool:
    """Whether a member asks from an IP cluster apart from its group (``clusters``: the group's
    :func:`_cluster_counts`, the member included): the group's other members sit on a few /24s
    (two or more accounts to a /24, on average), none of them came last from the member's /24,
    and the member keeps to it (a person at home or a team's office, not a rotating exit; a
    member's first request has no gap yet, and a person's pace keeps it out). Lone members count
    in the average: as they multiply on a popular client, the group no longer sits on a few
    /24s, and they are judged as before.

    >>> st = CampaignState(0.0)
    >>> st.members = {a: [0.0] * 10 + [0.0] for a in "abcd"}  # three on one /24, one on another
    >>> st.members["d"][5] = 7.0
    >>> counts = _cluster_counts(st)
    >>> _elsewhere(st.members["d"], counts), _elsewhere(st.members["a"], counts)
    (True, False)
    >>> st.members["d"][10] = 0.5  # it moved to that /24 from another one: an exit of a pool
    >>> _elsewhere(st.members["d"], counts)
    False
    """
    return _alone_beside_a_few(m, m[5], clusters)


def _alone_beside_a_few(m: list[float], place: float, places: Counter[float]) -> bool:
    """Whether a member that keeps to its /24 (``m[10]``) is alone in its ``place`` (a /24, a
    network) while the group's other members sit on a few places: two or more of them, two or
    more to a place on average (``places`` counts the members in each, the member included). The
    one test behind :func:`_elsewhere` and :func:`_network_apart`.

    >>> home = [0.0] * 11
    >>> _alone_beside_a_few(home, 9.0, Counter({1.0: 3, 2.0: 3, 9.0: 1}))
    True
    >>> _alone_beside_a_few(home, 9.0, Counter({1.0: 1, 2.0: 1, 9.0: 1}))  # the others on many
    False
    >>> _alone_beside_a_few(home[:10] + [0.5], 9.0, Counter({1.0: 3, 9.0: 1}))  # it roams
    False
    """
    if m[10] >= 0.5 or places[place] != 1:
        return False  # it roams, or another member came last from its place
    others = places.total() - 1
    return others >= 2 and others >= 2 * (len(places) - 1)


def _verdict_due(
    m: list[float],
    purity: Callable[[], float],
    key: str,
    tie_pace: bool = True,
    product_mark: bool = True,
    templated: bool = False,
    fleet: Callable[[], bool] = lambda: False,
    elsewhere: Callable[[], bool] = lambda: False,
) -> bool:
    """Whether a campaign acts on this member: it behaves like the campaign. The benefit of the
    doubt (a member only partly harvest-shaped) goes to young members of a group that is nearly
    all harvesters, and to members that sweep a templated group's template with it on most of
    their requests; otherwise only plain harvesters.

    A group linked by a client fingerprint alone spans every network: a popular browser's users
    share it with a campaign that spoofs it. There a member must also share what the campaign
    asks (its prompts template siblings of other members'), unless it is young and works at a
    script's pace; a person's pace and history of its own are no campaign's. With ``tie_pace``
    (a template tie standing in for pace, so a campaign spread thin is seen) the same holds on
    every key but an organisation: a group judged by its template takes only those who share it.
    When the group is ``templated`` (its members sweep one template together), a young member
    that does not share the template must work at a script's pace (faster than anyone reads a
    long answer) to belong: a writer on the same browser and ISP, asking a follow-up after
    a few minutes, does not. On a fingerprint alone, even a script's pace is not enough once
    the member has sent a few requests: an evaluation harness on a popular SDK, sharing nothing
    with the campaign but the SDK, is as fast and as long-winded as its members; and a busy
    member (``BUSY_MEMBER`` requests or more) belongs only if it sweeps the campaign's template
    on most of its requests (``TIED_MEMBER``): a benchmark's questions or a product's template
    match a sweep's now and then, and a busy account is judged on its own evidence. A busy member
    whose requests are harvest-shaped (system prompt aside) belongs to a ``fleet`` (one of the
    busy accounts on one client and network that harvest together: ``_busy_fleet``). On a
    disguise key the costume is the tie: a member that shares no template belongs however many
    requests it sent, unless it keeps a reader's pace (a person behind a proxy that inspects TLS).
    On a fingerprint alone, a young harvest-shaped member that shares no template belongs only
    while most of the group harvests (``purity`` at least ``MIN_HARVESTING_SHARE``): a rare
    client's fingerprint is the campaign's own, a popular SDK's is a crowd's, whose developers'
    first requests seconds apart for long answers share nothing else with it. An organisation is
    one customer: when it is nearly all harvesters (``purity`` at least ``PURE_GROUP``), a young
    member belongs on its shape alone, pace and system prompt aside (a sweep spread over shell
    organisations, each account slow and under a system prompt of its own). A young untied member
    that asks from a /24 of its own (``elsewhere``), while the campaign's other accounts sit on
    a few, shares one trait with it, its client: linkage needs several independent ties. So does
    one that keeps to its /24 while, on a fingerprint alone, the campaign rotates through a
    pool's exits (``_home_in_roaming_crowd``), or asks from a network (an ASN; a /16 without one)
    of its own while the campaign's accounts sit on a few (``_network_apart``: a campaign run
    from one cloud, each account on a /24 of its own there)."""
    if m[2] >= BUSY_MEMBER and m[4] >= MEMBER_LEVEL and fleet():
        return True
    if m[2] < MIN_TEMPLATE_REQUESTS and template_key(key):
        return False  # one prompt of a person's may be a template's sibling by chance
    fingerprint = fingerprint_only(key)
    costume = disguise_key(key)
    # A habit of sharing the campaign's prompts; on a fingerprint alone a busy account needs more
    # of it (a client in common is all the rest it shares).
    habit = TIED_MEMBER if fingerprint and m[2] >= BUSY_MEMBER else MIN_MEMBER_TIE
    untied = m[7] < habit and (fingerprint or (tie_pace and not key.startswith("org:")))
    if untied and (
        (m[2] >= UNTIED_MEMBER and not costume)
        or math.exp(m[6]) - 1.0 >= READING_S / (5 if templated else 2)
        or (templated and fingerprint and m[2] >= MIN_TEMPLATE_REQUESTS)
    ):
        return False
    # An untied member asking from a /24 of its own, apart from a campaign that sits on a few
    # (or, on a fingerprint alone, from a network of its own, apart from a few), shares a client
    # with it and nothing else: a developer at home on the campaign's SDK. Asked last, as it
    # reads every member. (On a disguise key the costume is the tie; an organisation's members
    # are never untied.)
    alone = untied and not costume
    h = member_harvest(m, tie_pace, product_mark)
    if h >= _member_level(m, costume):
        # On a fingerprint alone, an untied member shares only a client with the campaign.
        due = not (untied and fingerprint) or purity() >= MIN_HARVESTING_SHARE
        return due and not (alone and elsewhere())
    # An organisation is one customer: in one whose accounts nearly all harvest (pace and system
    # prompts aside, as ``_steady_purity`` judges them: ``m[4]``), a harvest-shaped account is
    # the harvest spread thin, however slowly it asks and whatever system prompt it sends.
    if key.startswith("org:") and m[2] < BUSY_MEMBER and m[4] >= MEMBER_LEVEL and purity() >= PURE_GROUP:
        return True
    if h < VERDICT_LEVEL:
        return False
    # The benefit of the doubt: a young member of a group that is nearly all harvesters, or a
    # member that sweeps the group's template with it on most of its requests (a campaign spread
    # thin, each account slow and its answers only partly long, is tied by what it asks).
    tied = templated and tie_pace and _tied_member(m)
    return tied or (m[2] < BUSY_MEMBER and purity() >= PURE_GROUP and not (alone and elsewhere()))


class ClusterDetector(Stage[ClusterState]):
    """Per-IP-cluster state; throttles a cluster only when its traffic is nearly all flagged."""

    subject_type = "ip_cluster"

    def __init__(self, cfg: DetectorConfig | None = None, dedupe: bool = True) -> None:
        super().__init__(cfg or DetectorConfig(), ClusterState)
        self.seen = RecentIds(SEEN_IDS) if dedupe else None
        """Event ids of recent observations: one sent twice (a retried send) counts once. ``None``
        (``dedupe=False``) where every observation comes from an account stage in the same process,
        whose memory of the same ids, added in the same order, has dropped duplicates already."""

    def observe(self, o: ClusterObservation, partition: int = 0) -> list[Decision]:
        """Fold one observation in; return the cluster decisions it triggers."""
        seen = self.seen
        if seen is not None and not seen.add(o.event_id):
            return []
        st = self.state(o.cluster, o.ts, partition)
        st.update(o)
        if st.n % self.cfg.eval_every:
            return []
        d = self._evaluate(o, st)
        return [d] if d is not None else []

    def _evaluate(self, o: ClusterObservation, st: ClusterState) -> Decision | None:
        cfg = self.cfg
        self.n_evals += 1
        policy = st.policy
        idle = policy is None or not policy.active
        if idle and (not cfg.cluster_throttle or len(st.accounts) < cfg.cluster_min_accounts):
            return None  # cannot be eligible (below): no need to count its accounts
        n_active, n_flagged_active = st.n_active(o.ts)
        # Overwhelmingly the campaign's, or nothing: every account the cluster remembers (not
        # just this hour's) counts, so the honest neighbours of a residential /24 that a rotating
        # campaign passes through keep it unthrottled.
        n_seen, n_flagged = st.n_flagged()
        share = n_flagged / n_seen if n_seen else 0.0
        eligible = (
            cfg.cluster_throttle
            and n_active >= 1
            and n_seen >= cfg.cluster_min_accounts
            and share >= cfg.cluster_campaign_share
        )  # a throttle restored from before the switch went off runs out, or is released
        if not eligible and idle:
            return None
        if self.allow.cluster(o.cluster):
            return None
        f = st.features(o.ts)
        score = share if eligible else 0.0
        honest = n_seen - n_flagged
        limit = int(min(cfg.max_limit_rpm, max(cfg.min_limit_rpm, 2 * honest)))

        def reasons() -> tuple[str, ...]:
            return (
                f"flagged_accounts {n_flagged} of {n_seen} seen ({share:.0%}) vs threshold "
                f"{cfg.cluster_campaign_share:.0%}; {n_flagged_active} of {n_active} active",
                f"fingerprint_concentration {f['fingerprint_concentration']:.2f}",
                f"new_account_share {f['new_account_share']:.2f}",
            )

        # Clusters are throttled, never blocked: honest accounts may share the addresses.
        return self.decide(o.cluster, st, score, o.ts, limit, reasons, o.event_id, can_block=False)


class Detector:
    """Account, campaign and cluster detection in one process (replay, tests, explain)."""

    def __init__(
        self, cfg: DetectorConfig | None = None, trace: Trace | None = None, campaign_trace: Trace | None = None
    ) -> None:
        self.cfg = cfg or DetectorConfig()
        self.accounts = AccountDetector(self.cfg, trace)
        self.campaigns = CampaignDetector(self.cfg, campaign_trace, dedupe=False)  # as the clusters
        self.clusters = ClusterDetector(self.cfg, dedupe=False)  # the account stage drops duplicates
        self._clusters = self.cfg.cluster_throttle
        """Whether the cluster stage runs: with cluster throttling off, and no stored states to load
        (a throttle from before the switch went off), it can never decide (a policy starts only at
        an eligible evaluation), so it is skipped."""
        self._since_evict = 0

    def observe(self, e: Event) -> list[Decision]:
        """Fold one valid event in and return every decision it triggers."""
        decisions, st, camp = self.accounts.fold(e)
        # Told as :meth:`AccountDetector.observe` tells it (before any verdict below), if a
        # cluster stage reads it.
        told = self._clusters or self.clusters.loader is not None
        obs = self.accounts.cluster_observation(e, st) if told else None
        for o in camp:
            for v in self.campaigns.observe(o):
                decisions.extend(self.accounts.apply_verdict(v))
        if obs is not None:
            decisions.extend(self.clusters.observe(obs))
        self._since_evict += 1
        if self._since_evict >= 50_000:
            self._since_evict = 0
            for stage in (self.accounts, self.campaigns, self.clusters):
                stage.evict(e.ts)
        return decisions
