"""Detector configuration: one frozen object, every threshold named once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Hyperparameters of the detection core. Times are event-time seconds."""

    seed: int = 7
    v4_prefix: int = 24
    v6_prefix: int = 48
    lateness_s: float = 300.0
    """Events older than the partition's watermark minus this are dead-lettered as late."""
    future_allowance_s: float = 300.0
    idle_evict_s: float = 6 * 3600.0
    """Subjects with no event for this long (event time) are forgotten."""
    min_events: int = 12
    """No action on an account before it has sent this many requests."""
    eval_every: int = 4
    """An account is scored every this many of its requests (and at min_events)."""
    throttle_score: float = 0.62
    block_score: float = 0.80
    release_score: float = 0.45
    """Hysteresis: an actioned subject is released only below this score."""
    strikes_to_block: int = 5
    """Strikes that escalate a throttle to a block: one per evaluation at or above
    throttle_score while throttled, two at or above block_score, minus one per evaluation below."""
    throttle_ttl_s: int = 900
    block_ttl_s: int = 3600
    min_limit_rpm: int = 1
    max_limit_rpm: int = 30
    allowlist: frozenset[str] = field(default_factory=frozenset)
    """Accounts and clusters (CIDR) that are never actioned."""
    cluster_min_accounts: int = 4
    cluster_suspect_share: float = 0.75
    """An IP cluster is actioned only when at least this share of its active accounts is suspect."""
    cluster_throttle_score: float = 0.70
    population_learn_s: float = 600.0
    """The population model learns from an account at most once per this many event-time seconds
    (so every account weighs alike, whatever its volume), never while it is actioned."""
    ablate: frozenset[str] = field(default_factory=frozenset)
    """Evidence switched off for an ablation study (names in ``models.evidence.ABLATABLE``)."""
    hst_trees: int = 10
    hst_height: int = 8
    hst_window: int = 250
