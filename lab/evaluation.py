"""Detection quality from a replay: recall, delay, harvest and honest collateral.

One pass over the events in event time: each request is first judged by the enforcing gateway
(decisions made so far, once they have reached it), then folded into the detector, whose new
decisions reach the gateway ``delay_s`` later. Static baselines are judged in the same pass.
Labels are read only here, never by the detector.
"""

from __future__ import annotations

import heapq
import itertools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from distillguard.lab.analyst import SimulatedAnalyst
from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.models.detector import Detector, Trace
from distillguard.models.event import Event, InvalidEvent, decode_for
from distillguard.streams.gateway.enforcement import Enforcer, StaticLimit
from distillguard.streams.worker.verdicts import RuntimeAllowlist, VerdictBook, learn_verdict

STATIC_ACCOUNT_RPM = (10, 30, 60, 120, 300)
STATIC_CLUSTER_RPM = (60, 300, 1200)


@dataclass
class AccountTally:
    """What happened to one account's requests."""

    requests: int = 0
    served: int = 0
    first_ts: float = 0.0
    actioned_at: int | None = None
    """Requests the account had sent before its first action (None: never acted on)."""
    actioned_after_s: float | None = None
    static_served: dict[str, int] = field(default_factory=dict)


@dataclass
class EvalResult:
    """Per-account tallies, decisions and timing of one evaluation run."""

    tallies: dict[str, AccountTally]
    decisions: list[dict[str, Any]]
    events: int
    rejected: int
    seconds: float
    static_names: list[str]


def evaluate(
    lines: Iterable[bytes],
    cfg: DetectorConfig | None = None,
    delay_s: float = 1.0,
    trace: Trace | None = None,
    progress: Callable[[int], None] | None = None,
    *,
    campaign_trace: Trace | None = None,
    on_request: Callable[[Event, bool, AccountTally], None] | None = None,
    detector: Detector | None = None,
    analyst: SimulatedAnalyst | None = None,
) -> EvalResult:
    """Replay, enforce and tally in one pass over JSONL ``lines``.

    ``on_request`` is called for each valid request once the gateway has judged it, with the
    event, whether it was served and the account's tally (``actioned_at`` still None: the
    request came before the account's first action). ``detector`` replaces the one built
    from ``cfg``, ``trace`` and ``campaign_trace`` (a caller that reads its scales).

    With an ``analyst``, its verdicts take effect as the worker applies them: a release or an
    escalation reaches the gateway ``delay_s`` later, a released account is exempt (event time),
    the detector's decisions that a verdict holds back are not sent, and the account detector
    learns each verdict (``models.lookalikes``).
    """
    det = detector if detector is not None else Detector(cfg, trace, campaign_trace)
    book = VerdictBook()
    latest: dict[str, dict[str, Any]] = {}
    now = [0.0]
    if analyst is not None:
        for stage in (det.accounts, det.campaigns, det.clusters):
            stage.allow = RuntimeAllowlist(stage.allow, book, lambda: now[0])
        book.on_apply = lambda v: learn_verdict(det.accounts, v)  # as the worker's account stage
    enforcer = Enforcer()
    statics = [StaticLimit(r, "account") for r in STATIC_ACCOUNT_RPM] + [
        StaticLimit(r, "ip_cluster") for r in STATIC_CLUSTER_RPM
    ]
    pending: list[tuple[float, int, dict[str, Any]]] = []
    tallies: dict[str, AccountTally] = {}
    decisions: list[dict[str, Any]] = []
    n = rejected = 0
    seqs = itertools.count()

    def send(d: Decision, ts: float) -> dict[str, Any]:
        """Record a decision; it reaches the gateway ``delay_s`` later."""
        dd = d.to_dict()
        decisions.append(dd)
        heapq.heappush(pending, (ts + delay_s, next(seqs), dd))
        return dd

    start = time.perf_counter()
    for line in lines:
        if not line.strip():
            continue
        try:
            e = decode_for(det.cfg, line)
        except InvalidEvent:
            rejected += 1
            continue
        ts = e.ts
        while pending and pending[0][0] <= ts:
            at, _, due = heapq.heappop(pending)
            enforcer.apply(due, at)
        t = tallies.get(e.account_id)
        if t is None:
            t = tallies[e.account_id] = AccountTally(first_ts=ts)
        served, under = enforcer.admit(e.account_id, e.cluster, ts)
        if under and t.actioned_at is None:
            t.actioned_at, t.actioned_after_s = t.requests, ts - t.first_ts
        t.requests += 1
        t.served += served
        if on_request is not None:
            on_request(e, served, t)
        for s in statics:
            if s.admit(e.account_id, e.cluster, ts):
                t.static_served[s.name] = t.static_served.get(s.name, 0) + 1
        if analyst is not None:
            now[0] = ts
            if analyst.due(ts):
                for v in analyst.review(ts, latest):
                    for d in book.apply(v, ts):  # the account detector learns it (book.on_apply)
                        send(d, ts)
        try:
            new = det.observe(e)
        except InvalidEvent:
            rejected += 1
            continue
        n += 1
        if book.by_subject:
            new = [d for d in new if book.admits(d, ts)]
        for d in new:
            dd = send(d, ts)
            if analyst is not None and d.subject_type == "account":
                latest[d.subject] = dd
            if d.subject_type == "account" and d.action != "allow":
                acct = tallies.get(d.subject)
                if acct is not None and acct.actioned_at is None:
                    acct.actioned_at, acct.actioned_after_s = acct.requests, ts - acct.first_ts
        if progress is not None and n % 50_000 == 0:
            progress(n)
    return EvalResult(tallies, decisions, n, rejected, time.perf_counter() - start, [s.name for s in statics])


def _pct(a: float, b: float) -> float:
    return 100.0 * a / b if b else 0.0


def summarize(res: EvalResult, labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The metrics: ``overall``, ``scenarios`` (by name), ``static`` baselines, ``best_static``."""
    groups: dict[str, list[tuple[str, AccountTally]]] = defaultdict(list)
    for acct, t in res.tallies.items():
        lab = labels.get(acct, {"label": "benign", "scenario": "unlabelled"})
        groups[lab["scenario"]].append((lab["label"], t))
    by_label = {lab: [t for g in groups.values() for lb, t in g if lb == lab] for lab in ("attack", "benign")}

    def block(items: list[tuple[str, AccountTally]]) -> dict[str, Any]:
        att = [t for lb, t in items if lb == "attack"]
        ben = [t for lb, t in items if lb == "benign"]
        out: dict[str, Any] = {"accounts": len(items), "attack_accounts": len(att), "benign_accounts": len(ben)}
        acted = [t for t in att if t.actioned_at is not None]
        out["recall"] = round(len(acted) / len(att), 4) if att else None
        req = sum(t.requests for t in att)
        out["attack_requests"] = req
        out["harvest"] = round(sum(t.served for t in att) / req, 4) if req else None
        delays = [t.actioned_at for t in acted if t.actioned_at is not None]
        secs = [t.actioned_after_s for t in acted if t.actioned_after_s is not None]
        out["requests_to_action_median"] = statistics.median(delays) if delays else None
        out["requests_to_action_p90"] = _quantile(delays, 0.9)
        out["seconds_to_action_median"] = round(statistics.median(secs), 1) if secs else None
        out["seconds_to_action_p90"] = _quantile(secs, 0.9)
        out["benign_accounts_actioned_pct"] = round(_pct(sum(t.actioned_at is not None for t in ben), len(ben)), 3)
        breq = sum(t.requests for t in ben)
        out["benign_requests"] = breq
        out["benign_requests_rejected_pct"] = round(_pct(breq - sum(t.served for t in ben), breq), 4)
        return out

    scenarios = {name: block(items) for name, items in sorted(groups.items())}
    overall = block([it for g in groups.values() for it in g])
    overall["decisions"] = len(res.decisions)
    overall["events"] = res.events
    overall["events_per_s"] = round(res.events / res.seconds) if res.seconds else None
    static: dict[str, dict[str, Any]] = {}
    att_req = sum(t.requests for t in by_label["attack"])
    ben_req = sum(t.requests for t in by_label["benign"])
    for name in res.static_names:
        static[name] = {
            "harvest": round(sum(t.static_served.get(name, 0) for t in by_label["attack"]) / att_req, 4)
            if att_req
            else None,
            "benign_requests_rejected_pct": round(
                _pct(ben_req - sum(t.static_served.get(name, 0) for t in by_label["benign"]), ben_req), 4
            ),
        }
    ok = [(v["harvest"], k) for k, v in static.items() if v["benign_requests_rejected_pct"] <= 0.1]
    best = min(ok)[1] if ok else None
    return {"overall": overall, "scenarios": scenarios, "static": static, "best_static": best}


def _quantile(xs: list[float] | list[int], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return round(float(s[min(len(s) - 1, int(q * len(s)))]), 1)
