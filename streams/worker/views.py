"""The worker's web views: JSON for people and the demo, Prometheus text for scrapers.

* ``GET /dg/stats/``: counters, events/s, decisions by action, top suspicious subjects.
* ``GET /dg/subjects/{subject}/``: current state and recent decisions of one account or cluster.
* ``GET /metrics/``: Prometheus text format (:mod:`~distillguard.streams.worker.metrics`).

The bodies are built by plain functions of the :class:`~distillguard.streams.worker.stages.Stages`;
:func:`add_views` puts them on a Faust app.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from typing import Any

import faust

from distillguard.streams.worker.metrics import CONTENT_TYPE, exposition, metrics_registry, score_quantiles
from distillguard.streams.worker.stages import Stages

__all__ = ["EventRate", "add_views", "score_quantiles", "stats", "subject_body", "top_subjects"]


class EventRate:
    """Events per second, measured over at least a second between calls."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.t, self.events, self.eps = clock(), 0, 0.0

    def __call__(self, events: int) -> float:
        """The rate, given the event counter now."""
        now = self.clock()
        dt = now - self.t
        if dt >= 1.0:
            self.eps = (events - self.events) / dt
            self.t, self.events = now, events
        return self.eps


def top_subjects(s: Stages, k: int = 10) -> list[dict[str, Any]]:
    """The ``k`` accounts with the highest current score, with their enforcement state."""
    top = heapq.nlargest(k, s.account.detector.states.items(), key=lambda kv: kv[1].score)
    out = []
    for acct, st in top:
        if st.score <= 0:
            continue
        pol = st.policy
        last = next((d for d in reversed(s.account.recent) if d["subject"] == acct), None)
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


def stats(s: Stages, rate: EventRate) -> dict[str, Any]:
    """Everything ``/dg/stats/`` shows."""
    c = s.account.counters
    decisions = {k: v + s.cluster.decisions[k] for k, v in c.decisions.items()}
    return {
        "events": c.events,
        "rejected": c.rejected,
        "redelivered": c.redelivered,
        "events_per_s": round(rate(c.events), 1),
        "decisions": decisions,
        "accounts": len(s.account.detector.states),
        "clusters": len(s.cluster.detector.states),
        "lag_s": round(c.last_lag_s, 3),
        "score_quantiles": score_quantiles(s),
        "top": top_subjects(s),
        "recent": s.account.recent[-20:],
    }


def subject_body(s: Stages, name: str) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` of ``/dg/subjects/{name}/``: one subject's state and recent decisions
    (a cluster's CIDR uses '_' for '/')."""
    name = name.replace("_", "/") if name.count(".") == 3 or ":" in name else name
    st = s.account.detector.states.get(name)
    cl = s.cluster.detector.states.get(name)
    if st is None and cl is None:
        return 404, {"subject": name, "known": False}
    body: dict[str, Any] = {"subject": name, "known": True}
    if st is not None:
        body.update(
            type="account",
            score=st.score,
            requests=st.n,
            features=s.account.detector.evidence(st, st.last_ts)[1],
            raw=st.raw(st.last_ts),
            policy=st.policy.to_state() if st.policy else None,
        )
    else:
        assert cl is not None
        body.update(
            type="ip_cluster", features=cl.features(cl.last_ts), policy=cl.policy.to_state() if cl.policy else None
        )
    body["recent_decisions"] = [d for d in s.account.recent if d["subject"] == name]
    return 200, body


def add_views(app: faust.App, s: Stages) -> None:
    """Serve the three views of ``s`` on ``app``'s web server (the metrics in a registry of this app's)."""
    rate = EventRate()
    registry = metrics_registry(s, rate, app)

    @app.page("/dg/stats/")
    async def stats_view(self: Any, request: Any) -> Any:
        """Counters and the top suspicious subjects."""
        return self.json(stats(s, rate))

    @app.page("/dg/subjects/{subject}/")
    async def subject_view(self: Any, request: Any, subject: str) -> Any:
        """One subject's state and recent decisions (a cluster's CIDR uses '_' for '/')."""
        status, body = subject_body(s, subject)
        return self.json(body, status=status)

    @app.page("/metrics/")
    async def metrics_view(self: Any, request: Any) -> Any:
        """Prometheus metrics."""
        return self.text(exposition(registry).decode(), content_type=CONTENT_TYPE)
