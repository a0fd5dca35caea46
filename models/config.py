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
    min_events: int = 20
    """An account is never judged alone before it has sent this many requests."""
    eval_every: int = 4
    """An account is scored every this many of its requests (and at min_events)."""
    lone_min_rph: float = 12.0
    """Cost gate: an account acting alone is actioned only while it sends at least this many
    requests an hour (a lone low-volume account is worth nothing to a distiller; acting on it
    is all cost). Campaign members are exempt: their stake is the campaign's."""
    lone_browser_requests: int = 50
    """Cost gate: ...and, from a proven browser (its claim held by most accounts of a judged TLS
    stack), only once it has sent this many requests in all, at the first evaluation from there
    (``AccountDetector._worth_alone``)."""
    throttle_score: float = 0.70
    block_score: float = 0.85
    release_score: float = 0.50
    """Hysteresis: an actioned subject is released only below this score..."""
    release_after: int = 3
    """...at this many consecutive evaluations..."""
    release_calm_s: float = 900.0
    """...spanning at least this long (a busy account is evaluated every few seconds: a quiet
    stretch of a diluted harvest must not lift its block)."""
    strikes_to_block: int = 5
    """Strikes that escalate a throttle to a block: one per evaluation at or above
    throttle_score while throttled, two at or above block_score, minus one per evaluation below."""
    throttle_ttl_s: int = 900
    block_ttl_s: int = 3600
    max_block_ttl_s: int = 86400
    """A subject's first block lasts ``block_ttl_s``, each later one twice the one before, up to this."""
    min_limit_rpm: int = 1
    max_limit_rpm: int = 30
    limit_share: float = 0.1
    """A throttle lets through this share of the account's own rate; when that rounds below
    ``min_limit_rpm`` of what it sends (a throttle that would not bite), the account is blocked."""
    allowlist: frozenset[str] = field(default_factory=frozenset)
    """Accounts and CIDR networks (a cluster inside one counts) that are never actioned."""
    campaign_min_accounts: int = 5
    """A linkage group is judged as a campaign only with at least this many active accounts."""
    campaign_min_rph: float = 20.0
    """...and at least this many requests an hour (the harvest at stake)."""
    campaign_score: float = 0.75
    """Score at which a group is a campaign and its members are acted on."""
    campaign_ttl_s: int = 3600
    cluster_throttle: bool = False
    """Whether IP clusters are throttled at all. Off by default, measured: on tuning seeds 1-10,
    cluster throttles (every remembered account flagged, 50+ accounts) took no harvest that the
    account and campaign stages did not already take (the campaign's own accounts were blocked
    already, and its new ones are blocked at their first request), and put the honest newcomers
    of proxy-exit /24s under a throttle (seed 8: honest accounts actioned 0.93 % -> 0 %)."""
    busy_fleet: bool = False
    """Whether a fleet (five or more busy accounts on one client fingerprint and network, all but a
    few harvest-shaped with their system prompts aside, prompts following no template and asked
    by few others: ``CampaignDetector._busy_fleet``) is judged and acted on as one campaign. Off by
    default, measured: on the tuning seeds it took paraphrased sweeps whole (seed 5: 0 % -> 100 %
    of their accounts), and it blocked every account of the simulator's honest ``tenant_pool``
    (one product run as several accounts without an organisation id), whose events carry no trait
    that tells them apart. On where customers that spread one product over accounts carry an
    organisation id or are allowlisted."""
    cluster_min_accounts: int = 50
    cluster_campaign_share: float = 1.0
    """An IP cluster is throttled (never blocked) only when at least this share of the accounts it
    remembers are campaign members or actioned: a residential /24 that a rotating campaign passes
    through keeps its honest users (measured on seeds 1-10: below 1.0 the throttled /24s added
    honest collateral and no recall)."""
    record_keep_s: float = 7 * 86400.0
    """An actioned subject's state (strikes, campaign) outlives idle eviction this long."""
    population_learn_s: float = 600.0
    """The population model learns from an account at most once per this many event-time seconds
    (so every account weighs alike, whatever its volume), never while it is actioned."""
    ablate: frozenset[str] = field(default_factory=frozenset)
    """Evidence switched off for an ablation study (names in ``models.evidence.ABLATABLE``)."""
    hst_trees: int = 10
    hst_height: int = 8
    hst_window: int = 250
