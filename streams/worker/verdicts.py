"""Analysts' verdicts (``analyst-verdicts``): what the worker does with them, without Kafka or Faust.

A verdict is one JSON record per ``analyst_verdict.schema.json`` on a compacted topic keyed by
``subject_type:subject``; the newest record of a subject is its verdict in force:

* ``release``: the worker sends an ``allow`` decision naming the verdict, and the subject is
  exempt until ``expires_at`` (the detectors see it as allowlisted: no decision, not flagged to
  its IP cluster, not acted on as a campaign member);
* ``escalate``: the worker sends a ``block`` decision naming the verdict until ``expires_at``,
  and drops the detectors' own decisions on the subject meanwhile (they would lift the block);
* ``confirm``: a record only (the action in force stays); it ends an earlier release or
  escalation of the subject.

Every worker reads the whole topic (it is small: a record per judged subject), so the verdict
reaches whichever worker owns the subject's partition now or after a rebalance, and a
restarted worker rebuilds the verdicts in force from the topic. Each worker sends the verdict's
decision; the copies have the same ``decision_id`` (from the ``verdict_id``), so a gateway
applies the same decision again, which changes nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from distillguard.models.decision import SUBJECT_TYPES, Decision
from distillguard.models.detector import AccountDetector, Allowlist

VERDICTS = ("release", "confirm", "escalate")
SCHEMA_VERSION = 1
"""Version of ``contracts/analyst_verdict.schema.json``."""


class InvalidVerdict(ValueError):
    """A record that is not a verdict per the contract."""


@dataclass(frozen=True, slots=True)
class AnalystVerdict:
    """One analyst's verdict on one subject (``analyst_verdict.schema.json``)."""

    verdict_id: str
    ts: float
    analyst: str
    subject_type: str
    subject: str
    verdict: str
    note: str
    expires_at: float

    @property
    def key(self) -> str:
        """The record's key on the topic: ``subject_type:subject``."""
        return f"{self.subject_type}:{self.subject}"

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object."""
        return {
            "verdict_id": self.verdict_id,
            "ts": self.ts,
            "analyst": self.analyst,
            "subject_type": self.subject_type,
            "subject": self.subject,
            "verdict": self.verdict,
            "note": self.note,
            "expires_at": self.expires_at,
            "schema_version": SCHEMA_VERSION,
        }

    def encode(self) -> tuple[bytes, bytes]:
        """``(key, value)`` of the record."""
        return self.key.encode(), orjson.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, d: Any) -> AnalystVerdict:
        """Read a contract object; :class:`InvalidVerdict` when it is not one."""
        if not isinstance(d, dict):
            raise InvalidVerdict("a verdict must be a JSON object")
        try:
            v = cls(
                str(d["verdict_id"]),
                float(d["ts"]),
                str(d["analyst"]),
                str(d["subject_type"]),
                str(d["subject"]),
                str(d["verdict"]),
                str(d.get("note") or ""),
                float(d["expires_at"]),
            )
        except KeyError as err:
            raise InvalidVerdict(f"missing field {err}") from None
        except (TypeError, ValueError) as err:
            raise InvalidVerdict(f"bad field: {err}") from None
        if v.verdict not in VERDICTS:
            raise InvalidVerdict(f"verdict {v.verdict!r} is not one of {', '.join(VERDICTS)}")
        if v.subject_type not in SUBJECT_TYPES:
            raise InvalidVerdict(f"subject_type {v.subject_type!r} is not one of {', '.join(SUBJECT_TYPES)}")
        if not v.verdict_id or not v.subject or not v.analyst:
            raise InvalidVerdict("verdict_id, subject and analyst must not be empty")
        return v

    @classmethod
    def decode(cls, raw: bytes | None) -> AnalystVerdict:
        """Read a record's value; :class:`InvalidVerdict` when it is not a verdict."""
        if raw is None:
            raise InvalidVerdict("record has no value")
        try:
            return cls.from_dict(orjson.loads(raw))
        except orjson.JSONDecodeError:
            raise InvalidVerdict("not valid JSON") from None


def new_verdict(
    analyst: str,
    subject_type: str,
    subject: str,
    verdict: str,
    note: str = "",
    hours: float = 24.0,
    now: float | None = None,
) -> AnalystVerdict:
    """A fresh verdict with a random id (``v-`` and 12 hex digits), in force ``hours`` from now."""
    now = time.time() if now is None else now
    return AnalystVerdict.from_dict(
        {
            "verdict_id": "v-" + secrets.token_hex(6),
            "ts": now,
            "analyst": analyst,
            "subject_type": subject_type,
            "subject": subject,
            "verdict": verdict,
            "note": note.strip(),
            "expires_at": now + max(0.0, hours) * 3600.0,
        }
    )


def verdict_reason(v: AnalystVerdict) -> str:
    """The reason text of a verdict's decision: ``analyst release v-...: <analyst>: <note>``."""
    text = f"analyst {v.verdict} {v.verdict_id}: {v.analyst}"
    return f"{text}: {v.note}" if v.note else text


def verdict_decision(v: AnalystVerdict, now: float) -> Decision | None:
    """The decision a verdict sends (``allow`` for a release, ``block`` for an escalation), or
    ``None`` for a confirmation or a verdict that has expired."""
    if v.verdict == "confirm" or v.expires_at <= now:
        return None
    return Decision(
        ts=now,
        subject_type=v.subject_type,
        subject=v.subject,
        action="allow" if v.verdict == "release" else "block",
        ttl_s=max(1, int(v.expires_at - now + 0.999)),
        score=0.0 if v.verdict == "release" else 1.0,
        reasons=(verdict_reason(v),),
        trigger_event_id=v.verdict_id,
        trigger_event_ts=v.ts,
        limit_rpm=None,
    )


class VerdictBook:
    """The verdict in force per subject (the newest record of each key), with expiry."""

    def __init__(self) -> None:
        self.by_subject: dict[tuple[str, str], AnalystVerdict] = {}
        self.applied = 0
        self.rejected = 0
        self.on_apply: Callable[[AnalystVerdict], None] | None = None
        """Called with each verdict recorded (the account stage learns from it)."""

    def apply(self, v: AnalystVerdict, now: float | None = None, emit: bool = True) -> list[Decision]:
        """Record ``v`` as its subject's verdict; the decisions to send (none when ``emit`` is false).

        A verdict older than the one held (by ``ts``) is ignored: a record replayed out of order
        never undoes a newer one.
        """
        now = time.time() if now is None else now
        key = (v.subject_type, v.subject)
        old = self.by_subject.get(key)
        if old is not None and old.ts > v.ts:
            return []
        self.by_subject[key] = v
        self.applied += 1
        if self.on_apply is not None:
            self.on_apply(v)
        d = verdict_decision(v, now) if emit else None
        return [d] if d is not None else []

    def apply_records(
        self, raws: Iterable[bytes | None], now: float | None = None, emit: bool = True
    ) -> list[Decision]:
        """Apply record values; unreadable ones are counted in ``rejected`` and skipped."""
        out: list[Decision] = []
        for raw in raws:
            try:
                v = AnalystVerdict.decode(raw)
            except InvalidVerdict:
                self.rejected += 1
                continue
            out += self.apply(v, now, emit)
        return out

    def in_force(self, now: float | None = None) -> list[Decision]:
        """The decisions of every release and escalation still in force (sent after a restart)."""
        now = time.time() if now is None else now
        return [d for v in self.by_subject.values() if (d := verdict_decision(v, now)) is not None]

    def active(self, subject_type: str, subject: str, verdict: str, now: float | None = None) -> AnalystVerdict | None:
        """The subject's ``verdict`` (release or escalate) when it is the one in force and unexpired."""
        v = self.by_subject.get((subject_type, subject))
        if v is None or v.verdict != verdict:
            return None
        if v.expires_at <= (time.time() if now is None else now):
            return None
        return v

    def released(self, subject_type: str, subject: str, now: float | None = None) -> bool:
        """Whether a release of the subject is in force."""
        return self.active(subject_type, subject, "release", now) is not None

    def admits(self, d: Decision, now: float | None = None) -> bool:
        """Whether the detectors' decision ``d`` may be sent: not on a released subject (other
        than ``allow``), nor anything but a block on an escalated one."""
        if not self.by_subject:
            return True
        if d.action != "allow" and self.released(d.subject_type, d.subject, now):
            return False
        return d.action == "block" or self.active(d.subject_type, d.subject, "escalate", now) is None


def learn_verdict(detector: AccountDetector, v: AnalystVerdict) -> bool:
    """Teach the account detector an account's verdict (``models.lookalikes``); whether it held
    the account's state (other subject types teach nothing yet)."""
    return v.subject_type == "account" and detector.learn_verdict(v.subject, v.verdict, v.ts, v.expires_at)


class RuntimeAllowlist(Allowlist):
    """The configured allowlist, plus the subjects a release in force exempts (wall clock).

    It answers through the configured one (``base``) rather than copying its lists, so it
    follows whatever :class:`~distillguard.models.detector.Allowlist` keeps.
    """

    def __init__(
        self, base: Allowlist, book: VerdictBook, clock: Callable[[], float] = time.time
    ) -> None:  # no super().__init__: see base
        self.base = base
        self.book = book
        self.clock = clock
        """The time a release is judged in force at (the wall clock; event time in an evaluation)."""

    def account(self, account: str) -> bool:
        """Whether the account is listed or released."""
        return self.base.account(account) or (
            bool(self.book.by_subject) and self.book.released("account", account, self.clock())
        )

    def cluster(self, cluster: str) -> bool:
        """Whether the cluster lies inside a listed network or is released."""
        return (
            bool(self.book.by_subject) and self.book.released("ip_cluster", cluster, self.clock())
        ) or self.base.cluster(cluster)
