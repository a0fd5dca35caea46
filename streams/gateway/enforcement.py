"""The enforcement rules a gateway embeds, in event time; the evaluation enforces with them too.

Block rejects; throttle admits ``limit_rpm`` through a token bucket per subject (burst
``limit_rpm``); ``allow`` lifts; a decision lapses ``ttl_s`` after it was made; an account is
also subject to its IP cluster's decision. A decision reaches the gateway ``delay_s`` after
the event that triggered it. Rejected requests take no token.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    """``rate_per_min`` tokens a minute, holding at most ``burst``.

    Examples
    --------
    >>> b = TokenBucket(60, 2, 0.0)
    >>> [b.take(0.0), b.take(0.0), b.take(0.0), b.take(1.0)]
    [True, True, False, True]
    """

    rate_per_min: float
    burst: float
    last: float
    tokens: float = -1.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def wait_s(self) -> float:
        """Seconds until the next token (after a refused :meth:`take`)."""
        return (1.0 - self.tokens) * 60.0 / self.rate_per_min if self.rate_per_min > 0 else 3600.0

    def take(self, ts: float) -> bool:
        """Admit one request at ``ts`` if a token is there."""
        if ts > self.last:
            self.tokens = min(self.burst, self.tokens + (ts - self.last) * self.rate_per_min / 60.0)
            self.last = ts
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(slots=True)
class Rule:
    """The decision in force for one subject."""

    action: str
    until: float
    bucket: TokenBucket | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gateway's answer for one request."""

    allowed: bool
    retry_after_s: float
    reason: str


ALLOWED = Verdict(True, 0.0, "")


class Enforcer:
    """Current decisions per subject, and the verdict for each request."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}

    def apply(self, d: dict[str, object], at: float) -> None:
        """Put decision ``d`` (a contract dict) in force from event time ``at``."""
        subject, action = str(d["subject"]), str(d["action"])
        if action == "allow":
            self.rules.pop(subject, None)
            return
        until = float(d["ts"]) + float(d["ttl_s"])  # type: ignore[arg-type]
        bucket = None
        if action == "throttle":
            limit = float(d.get("limit_rpm") or 0)  # type: ignore[arg-type]
            old = self.rules.get(subject)
            if old is not None and old.bucket is not None and old.bucket.rate_per_min == limit:
                bucket = old.bucket  # a renewal keeps the bucket's state
            else:
                bucket = TokenBucket(limit, max(1.0, limit), at)
        reasons = d.get("reasons") or []
        first = str(reasons[0]) if isinstance(reasons, list) and reasons else ""
        self.rules[subject] = Rule(action, until, bucket, f"{action} {subject}: {first}")

    def _allowed(self, subject: str, ts: float) -> bool | None:
        r = self.rules.get(subject)
        if r is None:
            return None
        if ts >= r.until:
            del self.rules[subject]
            return None
        if r.action == "block":
            return False
        return r.bucket.take(ts) if r.bucket is not None else False

    def admit(self, account: str, cluster: str, ts: float) -> tuple[bool, bool]:
        """``(served, under_action)`` for one request of ``account`` from ``cluster``."""
        a = self._allowed(account, ts)
        if a is False:
            return False, True
        c = self._allowed(cluster, ts)
        if c is False:
            return False, True
        return True, a is not None or c is not None

    def verdict(self, account: str, cluster: str, ts: float) -> Verdict:
        """Like :meth:`admit`, with ``Retry-After`` and the reason a refusal gives.

        Examples
        --------
        >>> e = Enforcer()
        >>> e.apply({"subject": "a1", "action": "block", "ts": 0.0, "ttl_s": 60, "reasons": ["x"]}, 0.0)
        >>> e.verdict("a1", "203.0.113.0/24", 10.0)
        Verdict(allowed=False, retry_after_s=50.0, reason='block a1: x')
        >>> e.verdict("a1", "203.0.113.0/24", 61.0).allowed  # the TTL has run out
        True
        """
        for subject in (account, cluster):
            ok = self._allowed(subject, ts)
            if ok is False:
                r = self.rules[subject]
                wait = r.bucket.wait_s() if r.bucket is not None else r.until - ts
                return Verdict(False, round(max(1.0, min(wait, r.until - ts)), 1), r.reason)
        return ALLOWED


class StaticLimit:
    """Today's static rate limit: a token bucket of ``rpm`` per account or per cluster."""

    def __init__(self, rpm: float, per: str) -> None:
        self.rpm, self.per = rpm, per
        self.buckets: dict[str, TokenBucket] = {}

    @property
    def name(self) -> str:
        """Label, such as ``static 60 rpm/account``."""
        return f"static {self.rpm:g} rpm/{self.per}"

    def admit(self, account: str, cluster: str, ts: float) -> bool:
        """Whether the static limit serves this request."""
        key = account if self.per == "account" else cluster
        b = self.buckets.get(key)
        if b is None:
            b = self.buckets[key] = TokenBucket(self.rpm, self.rpm, ts)
        return b.take(ts)
