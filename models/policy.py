"""The policy: from a subject's score to at most one decision per change of state.

States are ``none`` (nothing in force), ``throttle`` and ``block``. A subject escalates
none -> throttle -> block; it is released with an explicit ``allow`` only when its score falls
below ``release_score`` (hysteresis: no flapping around one threshold). A decision in force is
renewed shortly before its TTL runs out while the evidence holds; once the TTL has passed with
no renewal the gateway has lifted it, and so does the policy, silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distillguard.models.config import DetectorConfig

NONE, ALLOW, THROTTLE, BLOCK = "none", "allow", "throttle", "block"


@dataclass(slots=True)
class Change:
    """A change of state the detector turns into a :class:`~models.decision.Decision`."""

    action: str
    ttl_s: int
    limit_rpm: int | None


class SubjectPolicy:
    """The enforcement state of one subject (account or IP cluster)."""

    __slots__ = ("action", "blocks", "calm", "calm_since", "limit", "strikes", "until")

    def __init__(self) -> None:
        self.action = NONE
        self.until = 0.0
        self.strikes = 0
        self.limit: int | None = None
        self.calm = 0
        """Consecutive evaluations below ``release_score`` while something is in force..."""
        self.calm_since = 0.0
        """...since this event time."""
        self.blocks = 0
        """Blocks imposed so far (renewals not counted): each one lasts twice the one before."""

    @property
    def active(self) -> bool:
        """Whether a throttle or block is in force."""
        return self.action in (THROTTLE, BLOCK)

    @property
    def acted(self) -> bool:
        """Whether the subject has been throttled or blocked: in force, released, or remembered
        by its strikes or blocks."""
        return self.action != NONE or self.strikes > 0 or self.blocks > 0

    def in_force(self, ts: float) -> bool:
        """Whether a throttle or block is in force at event time ``ts``."""
        return self.active and ts < self.until

    def step(
        self,
        score: float,
        ts: float,
        limit_rpm: int,
        cfg: DetectorConfig,
        *,
        force_block: bool = False,
        can_block: bool = True,
        settled: bool = False,
    ) -> Change | None:
        """Advance on one evaluation; return the change to announce, if any.

        ``force_block`` skips the throttle: for a throttle that could not bite (a subject that
        sends less than its limit) and for campaign members (many accounts x a small limit is
        still the whole harvest). ``can_block=False`` caps the subject at a throttle however
        many strikes it collects (IP clusters: honest neighbours may share the addresses).
        ``settled``: the subject asks nothing new (a benchmark run again); once its evidence stays
        low it is released without waiting out ``release_calm_s``.

        Examples
        --------
        >>> cfg = DetectorConfig()
        >>> p = SubjectPolicy()
        >>> p.step(0.9, 0.0, 5, cfg).action
        'throttle'
        >>> p.step(0.9, 10.0, 5, cfg) is None  # one decision per change, not per event
        True
        >>> p.step(0.9, 20.0, 5, cfg).action  # still strong after the throttle: escalate
        'block'
        >>> [p.step(0.1, 40.0 + 60 * i, 5, cfg) is None for i in range(cfg.release_after)]  # stays low...
        [True, True, True]
        >>> p.step(0.1, 40.0 + cfg.release_calm_s, 5, cfg).action  # ...long enough: released
        'allow'
        """
        if self.active and ts >= self.until:
            self.action = NONE  # the TTL ran out: the gateway has lifted it; the strikes stay
        strong = score >= cfg.block_score
        if self.action in (NONE, ALLOW):
            if score < cfg.throttle_score:
                return None
            self.strikes += 2 if strong else 1
            if can_block and (self.strikes >= cfg.strikes_to_block or force_block):  # a repeat offender
                return self._block(ts, cfg)
            return self._set(THROTTLE, ts, cfg.throttle_ttl_s, limit_rpm)
        if score < cfg.release_score:
            # Released only after evidence stays low (one quiet stretch of a diluted harvest
            # must not lift a block); half the strikes are forgiven, not all.
            if self.calm == 0:
                self.calm_since = ts
            self.calm += 1
            if self.calm < cfg.release_after or (ts - self.calm_since < cfg.release_calm_s and not settled):
                return None
            self.action, self.until, self.limit, self.calm = ALLOW, 0.0, None, 0
            self.strikes //= 2
            self.blocks //= 2
            return Change(ALLOW, cfg.throttle_ttl_s, None)
        self.calm = 0
        if self.action == THROTTLE:
            # Still suspicious while throttled (a throttle that does not bite, or a persistent
            # campaign): a strike, two when the evidence is strong; doubt takes one back.
            if score >= cfg.throttle_score:
                self.strikes += 2 if strong else 1
            else:
                self.strikes = max(0, self.strikes - 1)
            if can_block and (self.strikes >= cfg.strikes_to_block or (force_block and score >= cfg.throttle_score)):
                return self._block(ts, cfg)
            if ts > self.until - cfg.throttle_ttl_s / 3:
                return self._set(THROTTLE, ts, cfg.throttle_ttl_s, self.limit or limit_rpm)
            return None
        ttl = self.block_ttl(cfg)
        if ts > self.until - ttl / 3:
            return self._set(BLOCK, ts, ttl, None)
        return None

    def block_ttl(self, cfg: DetectorConfig) -> int:
        """The TTL of the block in force: ``block_ttl_s`` doubled for every block before it, up to
        ``max_block_ttl_s``. A subject slower than one request a TTL never meets its block's
        renewal and is served at each lapse; each lapse lengthens the next block instead.

        >>> cfg = DetectorConfig()
        >>> p = SubjectPolicy()
        >>> [(p.step(0.9, t, 1, cfg, force_block=True).ttl_s) for t in (0.0, 4000.0, 12000.0)]
        [3600, 7200, 14400]
        """
        return min(cfg.max_block_ttl_s, cfg.block_ttl_s << max(0, min(self.blocks - 1, 16)))

    def _block(self, ts: float, cfg: DetectorConfig) -> Change:
        self.blocks += 1
        return self._set(BLOCK, ts, self.block_ttl(cfg), None)

    def _set(self, action: str, ts: float, ttl: int, limit: int | None) -> Change:
        self.action, self.until, self.limit = action, ts + ttl, limit
        return Change(action, ttl, limit)

    def to_state(self) -> list[Any]:
        """JSON-able snapshot."""
        return [self.action, self.until, self.strikes, self.limit, self.calm, self.calm_since, self.blocks]

    @classmethod
    def from_state(cls, s: list[Any]) -> SubjectPolicy:
        """Inverse of :meth:`to_state`."""
        p = cls()
        p.action, p.until, p.strikes, p.limit = s[0], float(s[1]), int(s[2]), s[3]
        if len(s) > 5:  # absent in version-1 checkpoints
            p.calm, p.calm_since = int(s[4]), float(s[5])
        if len(s) > 6:  # absent before dg-16
            p.blocks = int(s[6])
        return p
