"""Throttling decisions, per ``throttle_decision.schema.json`` (version 2)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

MODEL_VERSION = "dg-43"
SCHEMA_VERSION = 2
"""The decision contract's version: 2 adds ``expires_at``, ``reason_codes``, ``scope``, ``enforce``
and the subject types ``api_key``, ``org`` and ``campaign`` (all additive: a v1 reader ignores them)."""

SUBJECT_TYPES = ("account", "ip_cluster", "api_key", "org", "campaign")

REASON_CODES: dict[str, str] = {
    "harvest_signature": "harvest_signature",
    "answer_ratio": "answer_shape",
    "answer_length": "answer_shape",
    "max_tokens_fill": "answer_shape",
    "output_input_ratio": "answer_shape",
    "shallow_share": "shallow_turns",
    "template_share": "template_sweep",
    "timing_regularity": "automation",
    "round_the_clock": "automation",
    "no_pauses": "automation",
    "automation_cues": "automation",
    "ip_rotation": "ip_rotation",
    "population_anomaly_percentile_score": "population_anomaly",
    "drift_from_own_baseline": "baseline_drift",
    "looks_like_released": "analyst_lookalike",
    "looks_like_confirmed": "analyst_lookalike",
    "campaign": "campaign_member",
    "flagged_accounts": "cluster_flagged_accounts",
    "fingerprint_concentration": "cluster_fingerprint_concentration",
    "new_account_share": "cluster_new_accounts",
}
"""The first word of a reason text -> its machine-readable code (the documented vocabulary, plus
``released`` for an ``allow`` and ``other`` for a reason no entry names)."""


_RPH = re.compile(r"(\d+(?:\.\d+)?) requests/h")


def queue_volume(d: dict[str, Any]) -> float:
    """The subject's own requests an hour, the last named in a decision's reasons (a campaign
    member's decision names the campaign's rate first, the member's own last), else 1."""
    for text in reversed(d.get("reasons") or []):
        found = _RPH.findall(str(text))
        if found:
            return max(1.0, float(found[-1]))
    return 1.0


def queue_priority(d: dict[str, Any]) -> float:
    """The order of an analyst's queue (a decision as JSON): what is at stake x uncertainty.

    What is at stake is the subject's requests an hour (harvest if it is a campaign's, refused work
    if it is a customer's); the uncertainty is ``4 s (1 - s)`` of its score ``s``: 1 at 0.5, 0.36
    at 0.9, 0.04 at 0.99. A busy subject the detector is unsure of comes first; a script at 0.99
    needs no person.

    >>> round(queue_priority({"score": 0.9, "reasons": ["... 120 requests/h"]}), 1)
    43.2
    """
    s = min(1.0, max(0.0, float(d.get("score") or 0.0)))
    return 4.0 * s * (1.0 - s) * queue_volume(d)


def reason_codes(action: str, reasons: tuple[str, ...] | list[str]) -> list[str]:
    """Machine-readable codes for a decision's reasons: deterministic, in the reasons' order, each once.

    Examples
    --------
    >>> reason_codes("block", ("harvest_signature 0.91 (...)", "template_share 0.80", "automation_cues 0.40"))
    ['harvest_signature', 'template_sweep', 'automation']
    >>> reason_codes("block", ("campaign c-1f3a09e2: 118 active accounts", "campaign harvest: ..."))
    ['campaign_member']
    >>> reason_codes("allow", ())
    ['released']
    """
    out = ["released"] if action == "allow" else []
    for text in reasons:
        word = text.split(" ", 1)[0].rstrip(":")
        code = REASON_CODES.get(word, "other")
        if code not in out:
            out.append(code)
    return out or ["other"]


@dataclass(slots=True, frozen=True)
class Decision:
    """What a gateway must enforce for one subject until ``ttl_s`` after ``ts``.

    ``scope`` is ``"all"`` or a model family (the decision applies only to requests for that
    family); ``enforce`` is false for a decision made in shadow mode (gateways count it, never
    refuse on it). Neither enters ``decision_id``.
    """

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
    scope: str = "all"
    enforce: bool = True

    def __post_init__(self) -> None:
        if not self.decision_id:
            object.__setattr__(
                self,
                "decision_id",
                decision_id(self.subject_type, self.subject, self.action, self.trigger_event_id),
            )

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object (version 2; ``model_version`` added)."""
        return {
            "decision_id": self.decision_id,
            "ts": self.ts,
            "subject_type": self.subject_type,
            "subject": self.subject,
            "action": self.action,
            "limit_rpm": self.limit_rpm,
            "ttl_s": self.ttl_s,
            "expires_at": self.ts + self.ttl_s,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "reason_codes": reason_codes(self.action, self.reasons),
            "scope": self.scope,
            "enforce": self.enforce,
            "trigger_event_id": self.trigger_event_id,
            "trigger_event_ts": self.trigger_event_ts,
            "model_version": MODEL_VERSION,
            "schema_version": SCHEMA_VERSION,
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
