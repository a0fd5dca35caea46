"""A case file on one subject (an account, an IP cluster or a campaign), for enforcement and legal teams.

One pass over the events, exactly as the evaluation runs it (:func:`~distillguard.lab.evaluation.evaluate`:
the detector in event time, its decisions enforced by the gateway's rules ``delay_s`` later),
with the detector's traces on. The case collects:

* the accounts involved, with their API keys, organisations, IP clusters, ASNs and clients;
* requests and output tokens before and after each account's first action, served and refused
  (an account's first action as the evaluation counts it: its first request judged under a
  rule, or the first request after a decision on it);
* requests a minute, served and refused (the timeline);
* every decision on those accounts and their IP clusters, in time order, with its reasons;
* the evidence: each signal's value at the first action and at the last evaluation, against the
  population (the other subjects evaluated in the same file, and the detector's own running
  medians);
* analysts' verdicts on those subjects, when given; the detector's version; a hash of the input.

Which requests count: an account's own; an IP cluster's (every request from it); a campaign's:
every request of an account from its first request on the campaign's linkage key. A campaign's
members are the accounts it acted on (a decision names it); accounts that only share its
linkage key are listed apart. Nothing of a prompt is kept (events carry only a SimHash, and the
case keeps none of those either): only counts, hashes of the input and identifiers.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from distillguard.lab.evaluation import AccountTally, evaluate
from distillguard.models.campaigns import campaign_id, linkage_keys
from distillguard.models.config import DetectorConfig
from distillguard.models.decision import MODEL_VERSION
from distillguard.models.detector import CAMPAIGN_FEATURES, REASON_FEATURES, Detector
from distillguard.models.event import Event

CASE_VERSION = 1
"""The version of ``case.json``'s layout."""

ACCOUNT_SIGNALS = (
    "score",
    "core",
    "automation",
    "population",
    "drift",
    *REASON_FEATURES,
    "novelty",
    "rpm",
    "rph",
    "output_input_ratio",
    "output_tokens",
    "active_hours",
)
"""An account's evaluation: its scores, the features the reasons rank, then raw values."""
CAMPAIGN_SIGNALS = CAMPAIGN_FEATURES
"""A campaign's evaluation (as ``distillguard explain`` shows it)."""
LIST_CAP = 20
"""At most this many API keys, clusters, clients ... listed per account (the count is always given)."""

_CAMPAIGN = re.compile(r"^c-[0-9a-f]{6,16}$")


def subject_type(subject: str) -> str:
    """``campaign``, ``ip_cluster`` or ``account``.

    Examples
    --------
    >>> [subject_type("c-8ae5f2"), subject_type("203.0.113.0/24"), subject_type("2001:db8::/48"), subject_type("a1")]
    ['campaign', 'ip_cluster', 'ip_cluster', 'account']
    """
    if _CAMPAIGN.match(subject):
        return "campaign"
    if "/" in subject:
        try:
            ipaddress.ip_network(subject, strict=False)
            return "ip_cluster"
        except ValueError:
            pass
    return "account"


@dataclass
class _Account:
    """What the case saw of one account's matching requests."""

    requests: int = 0
    served: int = 0
    before: int = 0
    served_before: int = 0
    output_tokens: int = 0
    output_before: int = 0
    output_served_before: int = 0
    output_served_after: int = 0
    first_ts: float = 0.0
    last_ts: float = 0.0
    under_ts: float | None = None
    """The first matching request judged after the account's first action."""
    api_keys: dict[str, int] = field(default_factory=dict)
    orgs: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, int] = field(default_factory=dict)
    asns: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)
    ips: set[str] = field(default_factory=set)
    prompts: set[int] = field(default_factory=set)
    minutes: dict[int, list[int]] = field(default_factory=dict)
    """Minute (epoch seconds // 60) -> [served, refused]."""


class _Collector:
    """The per-request hook: matching requests, by account and by minute."""

    def __init__(self, subject: str, kind: str) -> None:
        self.subject, self.kind = subject, kind
        self.accounts: dict[str, _Account] = {}
        self.group_key = ""
        self.tracked: set[str] = set()
        self._keys: dict[str, bool] = {}

    def _matches(self, e: Event) -> bool:
        if self.kind == "account":
            return e.account_id == self.subject
        if self.kind == "ip_cluster":
            return e.cluster == self.subject
        if e.account_id in self.tracked:
            return True
        for key in linkage_keys(e):
            hit = self._keys.get(key)
            if hit is None:
                hit = self._keys[key] = campaign_id(key) == self.subject
            if hit:
                self.group_key = key
                self.tracked.add(e.account_id)
                return True
        return False

    def __call__(self, e: Event, served: bool, tally: AccountTally) -> None:
        if not self._matches(e):
            return
        a = self.accounts.get(e.account_id)
        if a is None:
            a = self.accounts[e.account_id] = _Account(first_ts=e.ts)
        before = tally.actioned_at is None
        out = e.output_tokens
        a.requests += 1
        a.served += served
        a.output_tokens += out
        a.last_ts = e.ts
        if before:
            a.before += 1
            a.served_before += served
            a.output_before += out
            a.output_served_before += out if served else 0
        else:
            a.output_served_after += out if served else 0
            if a.under_ts is None:
                a.under_ts = e.ts
        _count(a.api_keys, e.api_key_id)
        org = e.data.get("org_id")
        if isinstance(org, str) and org:
            _count(a.orgs, org)
        _count(a.clusters, e.cluster)
        asn = e.data.get("asn")
        if asn is not None:
            _count(a.asns, f"AS{asn}")
        _count(a.clients, f"{e.user_agent or '-'} | tls {e.tls_fingerprint or '-'}")
        if len(a.ips) < 10_000:
            a.ips.add(e.ip)
        if len(a.prompts) < 100_000:
            a.prompts.add(e.simhash)
        m = a.minutes.get(int(e.ts // 60))
        if m is None:
            m = a.minutes[int(e.ts // 60)] = [0, 0]
        m[0 if served else 1] += 1


def _count(d: dict[str, int], k: str) -> None:
    d[k] = d.get(k, 0) + 1


def _top(d: dict[str, int]) -> list[dict[str, Any]]:
    return [{"value": k, "requests": n} for k, n in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))[:LIST_CAP]]


class _Traces:
    """The subject's evaluations, and every other subject's last one (the population)."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.rows: list[tuple[float, dict[str, Any]]] = []
        self.last: dict[str, dict[str, Any]] = {}
        self.detector: Detector | None = None
        self.campaign = False

    def __call__(self, subject: str, ts: float, values: dict[str, Any]) -> None:
        if subject == self.subject:
            det = self.detector
            medians: dict[str, float] = {}
            if det is not None:
                scales = det.campaigns.scales if self.campaign else det.accounts.scales
                medians = dict(scales.medians())
            self.rows.append((ts, {**values, "_medians": medians}))
        else:
            self.last[subject] = values


def hashed(lines: Iterable[bytes], h: Any) -> Iterator[bytes]:
    """Yield ``lines`` while feeding them to the hash ``h`` (the input's fingerprint)."""
    for line in lines:
        h.update(line)
        yield line


def build_case(
    lines: Iterable[bytes],
    subject: str,
    *,
    cfg: DetectorConfig | None = None,
    delay_s: float = 1.0,
    labels: dict[str, dict[str, str]] | None = None,
    verdicts: list[dict[str, Any]] | None = None,
    source: str = "",
) -> dict[str, Any]:
    """The case on ``subject`` from JSONL event ``lines`` (a JSON-ready dict; see ``case.json``)."""
    kind = subject_type(subject)
    collect = _Collector(subject, kind)
    traces = _Traces(subject)
    traces.campaign = kind == "campaign"
    det = Detector(cfg, None if traces.campaign else traces, traces if traces.campaign else None)
    traces.detector = det
    digest = hashlib.sha256()
    res = evaluate(hashed(lines, digest), delay_s=delay_s, on_request=collect, detector=det)

    # Who the case is about.
    if kind == "campaign":
        named = f"campaign {subject}:"
        acted = {d["subject"] for d in res.decisions if d["subject_type"] == "account" and _names(d, named)}
        members = sorted(acted)
        linked = sorted(set(collect.accounts) - acted)
    else:
        members = sorted(collect.accounts)
        linked = []
    clusters = sorted({c for a in members if a in collect.accounts for c in collect.accounts[a].clusters})
    if kind == "ip_cluster":
        clusters = [subject]
    member_set, cluster_set = set(members), set(clusters)

    decisions = [
        d
        for d in res.decisions
        if (d["subject_type"] == "account" and d["subject"] in member_set)
        or (d["subject_type"] == "ip_cluster" and d["subject"] in cluster_set)
    ]
    decisions.sort(key=lambda d: (d["ts"], d["subject_type"], d["subject"]))
    first_decision: dict[str, float] = {}
    for d in decisions:
        if d["action"] != "allow" and d["subject_type"] == "account":
            first_decision.setdefault(d["subject"], d["ts"])

    lab = labels or {}
    rows = []
    for acct in members:
        a = collect.accounts.get(acct) or _Account()
        firsts = [t for t in (first_decision.get(acct), a.under_ts) if t is not None]
        rows.append(_account_row(acct, a, min(firsts) if firsts else None, lab.get(acct)))
    totals = _totals(rows)
    acted_at = [r["first_action_ts"] for r in rows if r["first_action_ts"] is not None]
    totals["first_action_ts"] = min(acted_at) if acted_at else None
    totals["first_action_utc"] = utc(totals["first_action_ts"])
    seen = [collect.accounts[a] for a in members if a in collect.accounts]
    totals["first_request_utc"] = utc(min((a.first_ts for a in seen), default=None))
    totals["last_request_utc"] = utc(max((a.last_ts for a in seen), default=None))

    minutes: dict[int, list[int]] = {}
    for acct in members:
        for k, (s, r) in (collect.accounts[acct].minutes if acct in collect.accounts else {}).items():
            v = minutes.setdefault(k, [0, 0])
            v[0] += s
            v[1] += r
    timeline = []
    if minutes:
        lo, hi = min(minutes), max(minutes)
        step = max(1, -(-(hi - lo + 1) // 2000))  # at most 2,000 points, even for a long case
        for m in range(lo, hi + 1, step):
            s = r = 0
            for k in range(m, min(hi + 1, m + step)):
                sr = minutes.get(k)
                if sr is not None:
                    s, r = s + sr[0], r + sr[1]
            timeline.append({"minute_ts": m * 60.0, "served": s / step, "refused": r / step})

    wanted = {("account", a) for a in members} | {("ip_cluster", c) for c in clusters} | {(kind, subject)}
    own_verdicts = sorted(
        (v for v in verdicts or [] if (v.get("subject_type"), v.get("subject")) in wanted),
        key=lambda v: float(v.get("ts") or 0.0),
    )

    return {
        "case_version": CASE_VERSION,
        "subject": subject,
        "subject_type": kind,
        "model_version": MODEL_VERSION,
        "generated_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "input": {
            "source": source,
            "sha256": digest.hexdigest(),
            "events": res.events,
            "rejected": res.rejected,
        },
        "enforcement": {
            "gateway_delay_s": delay_s,
            "rules": "the evaluation's: account and IP-cluster decisions enforced by the gateway's rules "
            "(streams/gateway/enforcement.py) from delay_s after each decision",
        },
        "linkage_key": collect.group_key or None,
        "members": members,
        "linked_not_acted_on": linked,
        "ip_clusters": clusters,
        "accounts": rows,
        "totals": totals,
        "timeline": timeline,
        "decisions": [_decision(d, delay_s) for d in decisions],
        "signals": _signals(traces, kind, member_set, totals["first_action_ts"]),
        "verdicts": own_verdicts,
        "labels_given": labels is not None,
    }


def _names(d: dict[str, Any], named: str) -> bool:
    reasons = d.get("reasons") or []
    return bool(reasons) and str(reasons[0]).startswith(named)


def utc(ts: float | None) -> str | None:
    """Seconds since the epoch as an ISO 8601 UTC time to the millisecond (None stays None)."""
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _account_row(acct: str, a: _Account, first_action: float | None, label: dict[str, str] | None) -> dict[str, Any]:
    after = a.requests - a.before
    served_after = a.served - a.served_before
    return {
        "account_id": acct,
        "label": label,
        "first_request_utc": utc(a.first_ts),
        "last_request_utc": utc(a.last_ts),
        "first_action_ts": first_action,
        "first_action_utc": utc(first_action),
        "requests": a.requests,
        "served": a.served,
        "refused": a.requests - a.served,
        "requests_before_action": a.before,
        "requests_after_action": after,
        "served_before_action": a.served_before,
        "served_after_action": served_after,
        "output_tokens": a.output_tokens,
        "output_tokens_served_before_action": a.output_served_before,
        "output_tokens_served_after_action": a.output_served_after,
        "output_tokens_refused": a.output_tokens - a.output_served_before - a.output_served_after,
        "distinct_prompts": len(a.prompts),
        "distinct_ips": len(a.ips),
        "api_keys": _top(a.api_keys),
        "api_key_count": len(a.api_keys),
        "orgs": _top(a.orgs),
        "ip_clusters": _top(a.clusters),
        "ip_cluster_count": len(a.clusters),
        "asns": _top(a.asns),
        "clients": _top(a.clients),
    }


TOTALLED = (
    "requests",
    "served",
    "refused",
    "requests_before_action",
    "requests_after_action",
    "served_before_action",
    "served_after_action",
    "output_tokens",
    "output_tokens_served_before_action",
    "output_tokens_served_after_action",
    "output_tokens_refused",
)


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {k: sum(r[k] for r in rows) for k in TOTALLED}
    out["accounts"] = len(rows)
    out["accounts_acted_on"] = sum(r["first_action_ts"] is not None for r in rows)
    out["api_keys"] = sum(r["api_key_count"] for r in rows)
    return out


def _decision(d: dict[str, Any], delay_s: float) -> dict[str, Any]:
    return {
        "utc": utc(d["ts"]),
        "ts": d["ts"],
        "in_force_utc": utc(d["ts"] + delay_s),
        "subject_type": d["subject_type"],
        "subject": d["subject"],
        "action": d["action"],
        "limit_rpm": d.get("limit_rpm"),
        "ttl_s": d.get("ttl_s"),
        "score": d.get("score"),
        "reasons": d.get("reasons") or [],
        "reason_codes": d.get("reason_codes") or [],
        "decision_id": d.get("decision_id"),
        "model_version": d.get("model_version"),
    }


def _signals(traces: _Traces, kind: str, members: set[str], first_action: float | None) -> dict[str, Any]:
    """Each signal at the first action and at the last evaluation, against the population."""
    if kind == "ip_cluster":
        return {
            "note": "IP clusters have no evaluation trace: their decisions' reasons above are the evidence",
            "rows": [],
        }
    rows = traces.rows
    if not rows:
        return {"note": "no evaluation of this subject (too few requests, or a campaign seen too briefly)", "rows": []}
    names = CAMPAIGN_SIGNALS if kind == "campaign" else ACCOUNT_SIGNALS
    # The evaluation that led to the first action: the last one at or before it.
    acting = None
    if first_action is not None:
        acting = next((v for t, v in reversed(rows) if t <= first_action), None)
    last_ts, last = rows[-1]
    others = [v for s, v in traces.last.items() if s not in members]
    out = []
    for k in names:
        if k not in last:
            continue
        pop = [float(v[k]) for v in others if isinstance(v.get(k), int | float)]
        value = float(last[k])
        med = last["_medians"].get(k)
        out.append(
            {
                "signal": k,
                "value": value,
                "value_at_first_action": float(acting[k]) if acting is not None and k in acting else None,
                "population_median": statistics.median(pop) if pop else None,
                "population_percentile": round(100.0 * sum(p <= value for p in pop) / len(pop), 1) if pop else None,
                "population_size": len(pop),
                "detector_running_median": med,
            }
        )
    return {
        "evaluations": len(rows),
        "last_evaluation_utc": utc(last_ts),
        "population": f"the other {'linkage groups' if kind == 'campaign' else 'accounts'} evaluated in this "
        "file, each at its last evaluation; the detector's running medians where it keeps one",
        "rows": out,
    }
