"""What the agents do with a batch, without Faust: decode, detect, route. Unit-testable."""

from __future__ import annotations

import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import orjson
import structlog

from distillguard.models.account_features import AccountState
from distillguard.models.campaigns import CampaignObservation, CampaignState, CampaignVerdict
from distillguard.models.cluster_features import ClusterObservation, ClusterState
from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.models.detector import AccountDetector, CampaignDetector, ClusterDetector
from distillguard.models.event import InvalidEvent, decode_for
from distillguard.streams.logs import SampledLog
from distillguard.streams.worker.records import dead_letter, encode_decision
from distillguard.streams.worker.verdicts import AnalystVerdict, RuntimeAllowlist, VerdictBook, learn_verdict

log = structlog.get_logger("distillguard.worker")
T = TypeVar("T")


@dataclass(slots=True)
class Outbox:
    """Records a batch produces, per destination topic, as ``(key, value)`` bytes."""

    decisions: list[tuple[bytes, bytes]] = field(default_factory=list)
    dlq: list[tuple[bytes | None, bytes]] = field(default_factory=list)
    observations: dict[int, list[list[object]]] = field(default_factory=dict)
    """Cluster observations by destination partition, sent in messages of ``OBS_PER_MESSAGE``."""
    campaign_observations: dict[int, list[list[object]]] = field(default_factory=dict)
    """Campaign observations by destination partition (of the linkage key)."""
    verdicts: list[tuple[bytes, bytes]] = field(default_factory=list)
    """Campaign verdicts keyed by account (co-partitioned with ``api-requests``)."""

    def observation_messages(self) -> list[tuple[int, bytes]]:
        """``(partition, value)`` of the batched cluster observation messages."""
        return _chunked(self.observations)

    def campaign_messages(self) -> list[tuple[int, bytes]]:
        """``(partition, value)`` of the batched campaign observation messages."""
        return _chunked(self.campaign_observations)


OBS_PER_MESSAGE = 400
"""Observations per message: far below the producer's 1 MB limit even with 512-character
user agents (one message per partition per batch could exceed it and stall the stream)."""


def _chunked(by_partition: dict[int, list[list[object]]]) -> list[tuple[int, bytes]]:
    return [
        (p, orjson.dumps(obs[i : i + OBS_PER_MESSAGE]))
        for p, obs in sorted(by_partition.items())
        for i in range(0, len(obs), OBS_PER_MESSAGE)
    ]


DEAD_LETTER_REASONS = (
    ("record has no value", "no_value"),
    ("not valid JSON", "invalid_json"),
    ("record must be a JSON object", "not_an_object"),
    ("missing field", "missing_field"),
    ("late event", "late"),
    ("duplicate event_id", "duplicate"),
    ("internal error", "internal_error"),
    ("unsendable output", "unsendable_output"),
)
"""A dead letter's error message (its start) -> the reason label of the metrics (few values)."""


def dead_letter_reason(error: str) -> str:
    """The metrics' reason label of a dead letter's error message.

    >>> dead_letter_reason("missing field 'ts'"), dead_letter_reason("field 'ts' = 9e9 is 3 s in the future")
    ('missing_field', 'future')
    """
    for start, reason in DEAD_LETTER_REASONS:
        if error.startswith(start):
            return reason
    if error.startswith("field "):
        return "future" if error.endswith("in the future") else "invalid_field"
    return "other"


_REASON_WORD = re.compile(r"[a-z_]+")


def reason_kind(reason: str) -> str:
    """The metrics' reason label of a decision: the leading word of its first reason, which names
    the evidence (``harvest_signature``, ``campaign``, ``flagged_accounts``...), never its numbers.

    >>> reason_kind("campaign c-1a2b3c4d: 30 active accounts"), reason_kind("harvest_signature 0.91 (...)")
    ('campaign', 'harvest_signature')
    """
    m = _REASON_WORD.match(reason)
    return m.group() if m else "other"


class DecisionCounts(dict[str, int]):
    """Decisions by action (the plain dict the views and logs show), with counts by action and
    reason kind and an optional latency observer, for the metrics."""

    def __init__(self) -> None:
        super().__init__(allow=0, throttle=0, block=0)
        self.by_reason: Counter[tuple[str, str]] = Counter()
        self.latency: Callable[[float], None] | None = None
        """Called with each live decision's delay after its trigger event (seconds)."""

    def add(self, d: Decision, live: bool) -> None:
        """Count ``d``; observe its latency when it is live."""
        self[d.action] += 1
        self.by_reason[d.action, reason_kind(d.reasons[0] if d.reasons else "")] += 1
        if live and self.latency is not None:
            self.latency(max(0.0, time.time() - d.trigger_event_ts))


@dataclass(slots=True)
class Counters:
    """Live counters of the worker (exposed by the web views and logs)."""

    events: int = 0
    rejected: int = 0
    redelivered: int = 0
    """Records at or below an offset this process already handled (skipped, not dead-lettered)."""
    decisions: DecisionCounts = field(default_factory=DecisionCounts)
    dead_letters: Counter[str] = field(default_factory=Counter)
    """Dead letters by reason (:func:`dead_letter_reason`)."""
    last_event_ts: float = 0.0
    last_lag_s: float = 0.0


def cluster_partition(cluster: str, partitions: int) -> int:
    """The partition of an observation topic that owns ``cluster`` or a linkage key (stable across processes)."""
    return zlib.crc32(cluster.encode()) % partitions


class AccountStage:
    """The per-account stage: raw ``api-requests`` records in, decisions/DLQ/observations out."""

    def __init__(
        self,
        cfg: DetectorConfig,
        loader: Callable[[str], AccountState | None] | None = None,
        cluster_partitions: int = 4,
    ) -> None:
        self.cfg = cfg
        self.cluster_partitions = cluster_partitions
        self.detector = AccountDetector(cfg)
        self.detector.loader = loader
        self.verdicts = VerdictBook()
        """Analysts' verdicts in force: a release exempts its subject (through the allowlist)."""
        self.detector.allow = RuntimeAllowlist(self.detector.allow, self.verdicts)
        self.verdicts.on_apply = self._learn_verdict
        self.counters = Counters()
        self.shadow = False
        """Shadow mode (``DISTILLGUARD_MODE=shadow``): every decision is sent with ``enforce: false``."""
        self.recent: list[dict[str, object]] = []
        self.dead_letter_log = SampledLog(log)
        """One warning line per bad record, up to 20 per 10 s; the rest are counted in the next."""
        self.handled: dict[tuple[str, int], int] = {}
        """Highest offset handled per (topic, partition) by this process. A record at or below
        it is a redelivery after a rebalance: its effects are already in the state (and in the
        checkpoint written when the partition was revoked), so it is skipped, not counted again
        and not dead-lettered as a duplicate. Kept across revocations on purpose."""

    def process(
        self, records: Iterable[tuple[bytes | None, str, int, int]], live: bool = True, now: float | None = None
    ) -> Outbox:
        """Process ``(value, topic, partition, offset)`` records; never raises for bad input.

        ``now`` (default: the wall clock) is used only to reject events from the future.
        """
        out = Outbox()
        cfg = self.cfg
        now = time.time() if now is None else now
        c = self.counters
        handled = self.handled
        for raw, topic, partition, offset in records:
            tp = (topic, partition)
            if offset <= handled.get(tp, -1):
                c.redelivered += 1
                continue
            handled[tp] = offset
            try:
                if raw is None:
                    raise InvalidEvent("record has no value")
                e = decode_for(cfg, raw, now)
                decisions, obs, camp = self.detector.observe(e, partition)
            except InvalidEvent as err:
                c.rejected += 1
                c.dead_letters[dead_letter_reason(str(err))] += 1
                self.dead_letter_log.warning(
                    "dead-lettered", topic=topic, partition=partition, offset=offset, error=str(err)
                )
                out.dlq.append((None, dead_letter(str(err), raw, topic, partition, offset)))
                continue
            except Exception as err:  # a bug must not stop the stream: dead-letter and go on
                c.rejected += 1
                c.dead_letters["internal_error"] += 1
                log.exception("internal error; dead-lettered", topic=topic, partition=partition, offset=offset)
                out.dlq.append((None, dead_letter(f"internal error: {err!r}", raw, topic, partition, offset)))
                continue
            c.events += 1
            c.last_event_ts = e.ts
            out.observations.setdefault(cluster_partition(obs.cluster, self.cluster_partitions), []).append(
                obs.to_list()
            )
            for o in camp:
                part = cluster_partition(o.key, self.cluster_partitions)
                out.campaign_observations.setdefault(part, []).append(o.to_list())
            for d in decisions:
                self._emit(d, out, live, topic=topic, partition=partition, offset=offset)
        if c.last_event_ts:
            c.last_lag_s = max(0.0, now - c.last_event_ts)
        return out

    def apply_verdicts(self, records: Iterable[tuple[bytes | None, str, int, int]], live: bool = True) -> Outbox:
        """Fold campaign verdicts (``(value, topic, partition, offset)``) into their accounts."""
        out = Outbox()

        def handle(item: list[Any], partition: int) -> list[Decision]:
            return self.detector.apply_verdict(CampaignVerdict.from_list(item), partition)

        items = internal_items(records, out, "campaign verdict", handle, self.counters.dead_letters)
        for d, topic, partition, offset in items:
            self._emit(d, out, live, topic=topic, partition=partition, offset=offset)
        return out

    def apply_analyst_verdicts(self, raws: Iterable[bytes | None], catch_up: bool = False) -> Outbox:
        """Fold records of the analysts' verdicts topic in; their decisions to send.

        While ``catch_up`` (reading the topic from its start after a restart) nothing is sent:
        :meth:`verdicts_in_force` then sends the decisions of the verdicts still in force.
        """
        out = Outbox()
        for d in self.verdicts.apply_records(raws, emit=not catch_up):
            self._emit(d, out, True, source="analyst-verdicts")
        return out

    def _learn_verdict(self, v: AnalystVerdict) -> None:
        """An account's verdict teaches the account detector, where the account's state is."""
        if v.subject_type == "account":
            learned = learn_verdict(self.detector, v)
            log.info(
                "analyst's verdict learned" if learned else "analyst's verdict not learned: account not here",
                subject=v.subject,
                verdict=v.verdict,
                labels=len(self.detector.lookalikes),
            )

    def verdicts_in_force(self) -> Outbox:
        """The decisions of every release and escalation in force (same ids as when first sent)."""
        out = Outbox()
        for d in self.verdicts.in_force():
            self._emit(d, out, True, source="analyst-verdicts")
        return out

    def _emit(self, d: Decision, out: Outbox, live: bool, **where: object) -> None:
        if where.get("source") != "analyst-verdicts" and not self.verdicts.admits(d):
            log.info("decision held back by an analyst's verdict", subject=d.subject, action=d.action)
            return
        d = emit(d, out, live, self.counters.decisions, shadow=self.shadow, **where)
        self.recent.append(d.to_dict())
        del self.recent[:-200]


def internal_items(
    records: Iterable[tuple[bytes | None, str, int, int]],
    out: Outbox,
    what: str,
    handle: Callable[[list[Any], int], list[T]],
    dead_letters: Counter[str] | None = None,
) -> Iterator[tuple[T, str, int, int]]:
    """Run ``handle(item, partition)`` over each item of an internal topic's batched records and
    yield ``(result, topic, partition, offset)`` per result.

    A record that cannot be read or handled (only a bug can cause one) is dead-lettered and
    logged, whole: none of its results are yielded, and the stream goes on; it is counted in
    ``dead_letters`` as ``internal_error``.
    """
    for raw, topic, partition, offset in records:
        try:
            items = orjson.loads(raw or b"null")
            if type(items) is not list:
                raise TypeError(f"expected a JSON array, got {type(items).__name__}")
            results = [r for item in items for r in handle(item, partition)]
        except Exception as err:
            log.exception(f"bad {what}; dead-lettered", topic=topic, partition=partition, offset=offset)
            if dead_letters is not None:
                dead_letters["internal_error"] += 1
            out.dlq.append((None, dead_letter(f"internal error: {err!r}", raw, topic, partition, offset)))
            continue
        for r in results:
            yield r, topic, partition, offset


def emit(
    d: Decision, out: Outbox, live: bool, counts: DecisionCounts, shadow: bool = False, **where: object
) -> Decision:
    """Queue one decision for its topic, count it, and log it with where it came from.

    In shadow mode the decision is sent with ``enforce: false`` (same ``decision_id``); the one
    sent is returned.
    """
    if shadow:
        d = replace(d, enforce=False)
    counts.add(d, live)
    out.decisions.append((d.subject.encode(), encode_decision(d, live)))
    log.info(
        "decision",
        subject_type=d.subject_type,
        subject=d.subject,
        action=d.action,
        score=round(d.score, 3),
        limit_rpm=d.limit_rpm,
        reason=d.reasons[0],
        enforce=d.enforce,
        **where,
    )
    return d


class ClusterStage:
    """The per-IP-cluster stage: repartitioned observations in, cluster decisions out."""

    def __init__(self, cfg: DetectorConfig, loader: Callable[[str], ClusterState | None] | None = None) -> None:
        self.detector = ClusterDetector(cfg)
        self.detector.loader = loader
        self.decisions = DecisionCounts()
        self.dead_letters: Counter[str] = Counter()
        self.shadow = False
        """Shadow mode: every decision is sent with ``enforce: false``."""
        self.verdicts = VerdictBook()
        self.detector.allow = RuntimeAllowlist(self.detector.allow, self.verdicts)

    def share_verdicts(self, book: VerdictBook) -> None:
        """Read the analysts' verdicts from ``book`` (the account stage's, which the worker fills)."""
        allow = self.detector.allow
        self.verdicts = book
        self.detector.allow = RuntimeAllowlist(allow.base if isinstance(allow, RuntimeAllowlist) else allow, book)

    def process(self, records: Iterable[tuple[bytes | None, str, int, int]], live: bool = True) -> Outbox:
        """Process ``(value, topic, partition, offset)`` records, each a batch of observations."""
        out = Outbox()

        def handle(item: list[Any], partition: int) -> list[Decision]:
            return self.detector.observe(ClusterObservation.from_list(item), partition)

        items = internal_items(records, out, "cluster observation", handle, self.dead_letters)
        for d, topic, partition, offset in items:
            if not self.verdicts.admits(d):
                continue
            emit(d, out, live, self.decisions, shadow=self.shadow, topic=topic, partition=partition, offset=offset)
        return out


class CampaignStage:
    """The campaign stage: observations repartitioned by linkage key in, verdicts for accounts out."""

    def __init__(self, cfg: DetectorConfig, loader: Callable[[str], CampaignState | None] | None = None) -> None:
        self.detector = CampaignDetector(cfg)
        self.detector.loader = loader
        self.verdicts = 0
        self.dead_letters: Counter[str] = Counter()

    def process(self, records: Iterable[tuple[bytes | None, str, int, int]]) -> Outbox:
        """Process ``(value, topic, partition, offset)`` records, each a batch of observations."""
        out = Outbox()
        by_account: dict[str, list[list[object]]] = {}

        def handle(item: list[Any], partition: int) -> list[CampaignVerdict]:
            return self.detector.observe(CampaignObservation.from_list(item), partition)

        for v, _topic, _partition, _offset in internal_items(
            records, out, "campaign observation", handle, self.dead_letters
        ):
            by_account.setdefault(v.account, []).append(v.to_list())
        for account, vs in by_account.items():
            self.verdicts += len(vs)
            out.verdicts.append((account.encode(), orjson.dumps(vs)))
        return out


@dataclass(slots=True)
class Stages:
    """The worker's three stages, one of each per process."""

    account: AccountStage
    cluster: ClusterStage
    campaign: CampaignStage
