"""The enforcement rules a gateway embeds, in event time; the evaluation enforces with them too.

Block rejects; throttle admits ``limit_rpm`` through a token bucket per subject (burst
``limit_rpm``); ``allow`` lifts; a decision lapses at ``expires_at`` (``ts + ttl_s`` for a
version-1 decision); an account is also subject to its IP cluster's decision, and, when the
gateway names them, to its API key's, its organisation's and its campaign's. A decision with a
``scope`` other than ``all`` applies only to requests for that model family; one with
``enforce: false`` (shadow mode) never refuses: the verdict admits and names what it would have
done. A decision reaches the gateway ``delay_s`` after the event that triggered it. Rejected
requests take no token.
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
    decision_id: str = ""
    reason_codes: tuple[str, ...] = ()
    scope: str = "all"
    enforce: bool = True


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gateway's answer for one request.

    A refusal names the decision behind it (``action``, ``decision_id``, ``reason_codes``,
    ``expires_at``). An admission under a shadow decision that would have refused carries
    that decision too, with ``shadow`` set to its action.
    """

    allowed: bool
    retry_after_s: float
    reason: str
    action: str = "allow"
    decision_id: str = ""
    reason_codes: tuple[str, ...] = ()
    expires_at: float = 0.0
    shadow: str = ""


ALLOWED = Verdict(True, 0.0, "")

KEYED_BY_SUBJECT = ("account", "ip_cluster")
"""Subject types whose rules are keyed by the subject alone (as in version 1); the others are
keyed ``type:subject``."""


def rule_key(subject_type: str, subject: str) -> str:
    """The key of a subject's rule.

    Examples
    --------
    >>> rule_key("account", "a1"), rule_key("ip_cluster", "203.0.113.0/24"), rule_key("api_key", "k1")
    ('a1', '203.0.113.0/24', 'api_key:k1')
    """
    return subject if subject_type in KEYED_BY_SUBJECT else f"{subject_type}:{subject}"


def scope_applies(scope: str, model: str) -> bool:
    """Whether a decision of ``scope`` applies to a request for ``model``.

    ``all`` applies to every request; a model family applies to a model of that name or whose
    name continues it after a ``-``, and never to a request whose model is not known.

    Examples
    --------
    >>> [scope_applies("all", ""), scope_applies("opus", "opus-4"), scope_applies("opus", "opus")]
    [True, True, True]
    >>> [scope_applies("opus", "opusx"), scope_applies("opus", "sonnet-4"), scope_applies("opus", "")]
    [False, False, False]
    """
    return scope in ("all", model) or model.startswith(scope + "-")


class Enforcer:
    """Current decisions per subject, and the verdict for each request."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}

    def apply(self, d: dict[str, object], at: float) -> None:
        """Put decision ``d`` (a contract dict, version 1 or 2) in force from event time ``at``."""
        subject = rule_key(str(d.get("subject_type") or "account"), str(d["subject"]))
        action = str(d["action"])
        if action == "allow":
            self.rules.pop(subject, None)
            return
        expires_at = d.get("expires_at")  # version 2; version 1 has ts + ttl_s only
        until = float(expires_at if expires_at is not None else float(d["ts"]) + float(d["ttl_s"]))  # type: ignore[arg-type]
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
        codes = d.get("reason_codes")
        self.rules[subject] = Rule(
            action,
            until,
            bucket,
            f"{action} {d['subject']}: {first}",
            str(d.get("decision_id") or ""),
            tuple(str(c) for c in codes) if isinstance(codes, list) else (),
            str(d.get("scope") or "all"),
            d.get("enforce") is not False,
        )

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
        """``(served, under_action)`` for one request of ``account`` from ``cluster``.

        The evaluation's path: account and cluster rules only, each enforced as if ``enforce``
        were true and its scope ``all`` (the detector writes no other); gateways use :meth:`verdict`.
        """
        a = self._allowed(account, ts)
        if a is False:
            return False, True
        c = self._allowed(cluster, ts)
        if c is False:
            return False, True
        return True, a is not None or c is not None

    def verdict(
        self,
        account: str,
        cluster: str,
        ts: float,
        *,
        api_key: str = "",
        org: str = "",
        campaign: str = "",
        model: str = "",
    ) -> Verdict:
        """Like :meth:`admit`, with ``Retry-After`` and the decision a refusal names.

        The account's rule is consulted first, then the API key's, the organisation's, the
        campaign's (each only when given) and the IP cluster's; the first that refuses decides.

        Examples
        --------
        >>> e = Enforcer()
        >>> e.apply({"subject": "a1", "action": "block", "ts": 0.0, "ttl_s": 60, "reasons": ["x"]}, 0.0)
        >>> v = e.verdict("a1", "203.0.113.0/24", 10.0)
        >>> v.allowed, v.retry_after_s, v.reason, v.action
        (False, 50.0, 'block a1: x', 'block')
        >>> e.verdict("a1", "203.0.113.0/24", 61.0).allowed  # the TTL has run out
        True
        """
        shadow: Verdict | None = None
        for subject_type, subject in (
            ("account", account),
            ("api_key", api_key),
            ("org", org),
            ("campaign", campaign),
            ("ip_cluster", cluster),
        ):
            if not subject:
                continue
            key = rule_key(subject_type, subject)
            r = self.rules.get(key)
            if r is None:
                continue
            if ts >= r.until:
                del self.rules[key]
                continue
            if not scope_applies(r.scope, model):
                continue
            if r.action != "block" and r.bucket is not None and r.bucket.take(ts):
                continue
            wait = r.bucket.wait_s() if r.bucket is not None else r.until - ts
            refused = Verdict(
                not r.enforce,
                round(max(1.0, min(wait, r.until - ts)), 1),
                r.reason,
                r.action,
                r.decision_id,
                r.reason_codes,
                r.until,
                "" if r.enforce else r.action,
            )
            if r.enforce:
                return refused
            shadow = shadow or refused
        return shadow or ALLOWED


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
