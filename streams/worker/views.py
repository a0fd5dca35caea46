"""The worker's web views: JSON for people and the demo, Prometheus text for scrapers.

* ``GET /dg/stats/``: counters, events/s, decisions by action, top suspicious subjects.
* ``GET /dg/subjects/{subject}/``: current state and recent decisions of one account or cluster.
* ``GET /metrics/``: Prometheus exposition format.
"""

from __future__ import annotations

import heapq
import time
from typing import Any

from distillguard.streams.worker.agents import account_stage, cluster_stage
from distillguard.streams.worker.app import app

_rate = {"t": time.monotonic(), "events": 0, "eps": 0.0}


def _events_per_s() -> float:
    now, n = time.monotonic(), account_stage.counters.events
    dt = now - _rate["t"]
    if dt >= 1.0:
        _rate["eps"] = (n - _rate["events"]) / dt
        _rate["t"], _rate["events"] = now, n
    return float(_rate["eps"])


def top_subjects(k: int = 10) -> list[dict[str, Any]]:
    """The ``k`` accounts with the highest current score, with their enforcement state."""
    top = heapq.nlargest(k, account_stage.detector.states.items(), key=lambda kv: kv[1].score)
    out = []
    for acct, st in top:
        if st.score <= 0:
            continue
        pol = st.policy
        last = next((d for d in reversed(account_stage.recent) if d["subject"] == acct), None)
        out.append(
            {
                "subject": acct,
                "score": round(st.score, 3),
                "requests": st.n,
                "action": pol.action if pol is not None else "none",
                "reasons": last["reasons"] if last else [],
            }
        )
    return out


def score_quantiles() -> dict[str, float]:
    """p50/p90/p99 of the current account scores."""
    scores = sorted(st.score for st in account_stage.detector.states.values())
    if not scores:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0}
    return {f"p{q}": round(scores[min(len(scores) - 1, int(q / 100 * len(scores)))], 4) for q in (50, 90, 99)}


def stats() -> dict[str, Any]:
    """Everything ``/dg/stats/`` shows."""
    c = account_stage.counters
    decisions = {k: v + cluster_stage.decisions[k] for k, v in c.decisions.items()}
    return {
        "events": c.events,
        "rejected": c.rejected,
        "redelivered": c.redelivered,
        "events_per_s": round(_events_per_s(), 1),
        "decisions": decisions,
        "accounts": len(account_stage.detector.states),
        "clusters": len(cluster_stage.detector.states),
        "lag_s": round(c.last_lag_s, 3),
        "score_quantiles": score_quantiles(),
        "top": top_subjects(),
        "recent": account_stage.recent[-20:],
    }


@app.page("/dg/stats/")
async def stats_view(self: Any, request: Any) -> Any:
    """Counters and the top suspicious subjects."""
    return self.json(stats())


@app.page("/dg/subjects/{subject}/")
async def subject_view(self: Any, request: Any, subject: str) -> Any:
    """One subject's state and recent decisions (a cluster's CIDR uses '_' for '/')."""
    subject = subject.replace("_", "/") if subject.count(".") == 3 or ":" in subject else subject
    st = account_stage.detector.states.get(subject)
    cl = cluster_stage.detector.states.get(subject)
    if st is None and cl is None:
        return self.json({"subject": subject, "known": False}, status=404)
    body: dict[str, Any] = {"subject": subject, "known": True}
    if st is not None:
        body.update(
            type="account",
            score=st.score,
            requests=st.n,
            features=st.features(st.last_ts),
            raw=st.raw(st.last_ts),
            policy=st.policy.to_state() if st.policy else None,
        )
    else:
        assert cl is not None
        body.update(
            type="ip_cluster", features=cl.features(cl.last_ts), policy=cl.policy.to_state() if cl.policy else None
        )
    body["recent_decisions"] = [d for d in account_stage.recent if d["subject"] == subject]
    return self.json(body)


@app.page("/metrics/")
async def metrics_view(self: Any, request: Any) -> Any:
    """Prometheus metrics."""
    c = account_stage.counters
    lines = [
        "# TYPE distillguard_events_total counter",
        f"distillguard_events_total {c.events}",
        "# TYPE distillguard_dlq_total counter",
        f"distillguard_dlq_total {c.rejected}",
        "# TYPE distillguard_redelivered_total counter",
        f"distillguard_redelivered_total {c.redelivered}",
        "# TYPE distillguard_events_per_second gauge",
        f"distillguard_events_per_second {_events_per_s():.1f}",
        "# TYPE distillguard_lag_seconds gauge",
        f"distillguard_lag_seconds {c.last_lag_s:.3f}",
        "# TYPE distillguard_tracked_subjects gauge",
        f'distillguard_tracked_subjects{{type="account"}} {len(account_stage.detector.states)}',
        f'distillguard_tracked_subjects{{type="ip_cluster"}} {len(cluster_stage.detector.states)}',
        "# TYPE distillguard_decisions_total counter",
    ]
    for action, n in c.decisions.items():
        lines.append(f'distillguard_decisions_total{{subject_type="account",action="{action}"}} {n}')
    for action, n in cluster_stage.decisions.items():
        lines.append(f'distillguard_decisions_total{{subject_type="ip_cluster",action="{action}"}} {n}')
    lines.append("# TYPE distillguard_account_score gauge")
    for q, v in score_quantiles().items():
        lines.append(f'distillguard_account_score{{quantile="0.{q[1:]}"}} {v}')
    return self.text("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
