"""A simulated analyst: reviews the queue in event time and answers from the labels.

It stands in for a trust-and-safety reviewer in the evaluation (labels are read here, never by
the detector). Every ``every_s`` of event time (6 minutes) it takes the first ``per_review``
accounts (one) of the queue that it has not judged yet (what is in force, ordered as the console
orders it: requests an hour x uncertainty) and answers from the label: an attack account is
escalated (blocked), an honest one released; both for ``hours``. It stops after ``budget``
verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from distillguard.models.decision import queue_priority
from distillguard.streams.worker.verdicts import AnalystVerdict

ANALYST = "simulated-analyst"


class SimulatedAnalyst:
    """Reviews the first accounts of the queue at fixed event-time intervals, within a budget."""

    def __init__(
        self,
        labels: Mapping[str, str],
        budget: int,
        per_review: int = 1,
        every_s: float = 360.0,
        hours: float = 24.0,
    ) -> None:
        self.labels = labels
        """Account -> ``attack`` or ``benign``."""
        self.budget = budget
        self.per_review = per_review
        self.every_s = every_s
        self.hours = hours
        self.next_ts: float | None = None
        self.judged: dict[str, str] = {}
        """Account -> the verdict given."""

    def due(self, ts: float) -> bool:
        """Whether a review is due at event time ``ts`` (the first one ``every_s`` after the start)."""
        if len(self.judged) >= self.budget:
            return False
        if self.next_ts is None:
            self.next_ts = ts + self.every_s
        return ts >= self.next_ts

    def review(self, ts: float, latest: Mapping[str, dict[str, Any]]) -> list[AnalystVerdict]:
        """Verdicts on the first unjudged accounts in force, given each account's newest decision."""
        self.next_ts = ts + self.every_s
        queue = [
            d
            for acct, d in latest.items()
            if acct not in self.judged and d["action"] != "allow" and float(d["ts"]) + float(d["ttl_s"]) > ts
        ]
        queue.sort(key=queue_priority, reverse=True)
        room = min(self.per_review, self.budget - len(self.judged))
        out = []
        for d in queue[:room]:
            acct = str(d["subject"])
            verdict = "escalate" if self.labels.get(acct) == "attack" else "release"
            self.judged[acct] = verdict
            out.append(
                AnalystVerdict(
                    f"v-sim-{len(self.judged):04d}",
                    ts,
                    ANALYST,
                    "account",
                    acct,
                    verdict,
                    "answered from the simulation's labels",
                    ts + self.hours * 3600.0,
                )
            )
        return out
