"""The worker's pipeline on one screen: :func:`build_app` wires every stage, in order.

::

    api-requests ─▶ decode ─▶ accounts ─┬─▶ throttle-decisions (bad records: api-requests-dlq)
                                ▲       ├─▶ re-key by IP cluster ──▶ clusters ──▶ throttle-decisions
                                │       └─▶ re-key by linkage key ─▶ campaigns ─┐
                                └───────────── verdicts, keyed by account ◀─────┘
    analyst-verdicts (whole topic, every worker) ─▶ exemptions, allow / block ─▶ throttle-decisions
    <app>-models (newest snapshot) ─▶ population scales, before the first event ─▶ every 60 s

Nothing is wired at import: ``distillguard worker`` calls ``build_app(Settings.from_env())``.
"""

from __future__ import annotations

from distillguard.streams.settings import Settings
from distillguard.streams.worker.agents import each_batch, each_fetch, follow_verdicts, sender
from distillguard.streams.worker.app import faust_app
from distillguard.streams.worker.batching import BatchingApp
from distillguard.streams.worker.health import add_health
from distillguard.streams.worker.snapshots import ModelSnapshots, add_snapshots, after_ready
from distillguard.streams.worker.state import add_upkeep, build_stages
from distillguard.streams.worker.topics import declare_topics
from distillguard.streams.worker.views import add_views


def build_app(settings: Settings) -> BatchingApp:
    """The worker's Faust app with its topics, tables, agents, timers and web views."""
    app = faust_app(settings)
    t = declare_topics(app, settings)
    s = build_stages(settings, t)  # each stage loads a subject's state from its table on first sight
    s.cluster.share_verdicts(s.account.verdicts)  # a release of an IP cluster exempts it too
    send = sender(t, s.account.counters.dead_letters)  # an Outbox to its topics: decisions, DLQ, observations, verdicts
    window = settings.batch_max, settings.batch_within_s
    snaps = ModelSnapshots(settings, t.models, s.account.detector.scales)  # warm population scales

    # detect_accounts: decode -> accounts -> re-key; api-requests a whole fetch at a time (by account),
    # once the population scales are restored from <app>-models (or that was given up)
    accounts = each_fetch(s.account.process, send, slice_max=settings.batch_max)
    app.batch_agent(t.events)(after_ready(snaps.ready, accounts))
    # detect_clusters: observations re-keyed by IP cluster (/24, /48) -> cluster decisions
    app.agent(t.cluster_observations, name="detect_clusters")(each_batch(s.cluster.process, send, *window))
    # detect_campaigns: observations re-keyed by linkage key -> verdicts keyed by account
    app.agent(t.campaign_observations, name="detect_campaigns")(each_batch(s.campaign.process, send, *window))
    # apply_verdicts: verdicts back to their accounts (co-partitioned with api-requests) -> decisions
    app.batch_agent(t.verdicts)(each_fetch(s.account.apply_verdicts, send))
    # analysts' verdicts: the whole topic in every worker -> allow / block decisions, exemptions
    app.task(follow_verdicts(settings, s.account, send))

    add_snapshots(app, snaps)  # restore at start, write every 60 s and at shutdown
    add_upkeep(app, settings, t, s)  # checkpoints, idle eviction, the rebalance hook, a progress line
    add_views(app, s)  # /dg/stats/, /dg/subjects/{subject}/, /metrics/
    add_health(app, settings.topic_events)  # /livez, /readyz
    return app
