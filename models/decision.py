"""Throttling decisions, per ``throttle_decision.schema.json``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

MODEL_VERSION = "dg-3"


@dataclass(slots=True, frozen=True)
class Decision:
    """What a gateway must enforce for one subject until ``ttl_s`` after ``ts``."""

    ts: float
    subject_type: str
    subject: str
    action: str
    ttl_s: int
    score: float
    reasons: tuple[str, ...]
    trigger_event_id: str
    trigger_event_ts: float
    limit_rpm: int | None = None
    decision_id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.decision_id:
            object.__setattr__(
                self,
                "decision_id",
                decision_id(self.subject_type, self.subject, self.action, self.trigger_event_id),
            )

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object (``model_version`` added)."""
        return {
            "decision_id": self.decision_id,
            "ts": self.ts,
            "subject_type": self.subject_type,
            "subject": self.subject,
            "action": self.action,
            "limit_rpm": self.limit_rpm,
            "ttl_s": self.ttl_s,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "trigger_event_id": self.trigger_event_id,
            "trigger_event_ts": self.trigger_event_ts,
            "model_version": MODEL_VERSION,
        }


def decision_id(subject_type: str, subject: str, action: str, trigger_event_id: str) -> str:
    """A stable id: the same change of state triggered by the same event has the same id.

    Replaying a stream after a crash therefore re-emits decisions with the ids they had, so a
    gateway (or anyone) can drop duplicates.

    Examples
    --------
    >>> decision_id("account", "a1", "block", "e9")
    '1c75ac7fdd0d37ff2b20af1a'
    >>> decision_id("account", "a1", "throttle", "e9") != decision_id("account", "a1", "block", "e9")
    True
    """
    h = hashlib.blake2b(f"{subject_type}\x1f{subject}\x1f{action}\x1f{trigger_event_id}".encode(), digest_size=12)
    return h.hexdigest()
