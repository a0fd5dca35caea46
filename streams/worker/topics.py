"""Topics and tables, named by configuration; values are raw bytes (orjson on both sides).

Topic configuration set here on purpose (the worker creates absent topics with it):

* ``throttle-decisions``: compacted by subject *and* deleted after ``decisions_retention_ms``
  (``cleanup.policy=compact,delete``), so a gateway rebuilds current state from it quickly.
* ``<app>-models``: one partition, compacted: the newest snapshot of the population scales.
* state changelogs: compacted (Faust's default for tables) with no time-based deletion, so a
  restart always recovers every live subject; evicted subjects are deleted by tombstones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust

from distillguard.streams.settings import Settings


@dataclass(frozen=True, slots=True)
class Topics:
    """The worker's topics and its three state tables, declared on one app."""

    events: Any
    decisions: Any
    dlq: Any
    cluster_observations: Any
    campaign_observations: Any
    verdicts: Any
    account_table: Any
    campaign_table: Any
    cluster_table: Any
    models: Any


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    """Declare the topics and tables on ``app`` (nothing is created on the broker yet)."""

    def raw_topic(name: str, **kwargs: Any) -> Any:
        """A topic of raw bytes keys and values (we decode with orjson ourselves)."""
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.partitions,
            **kwargs,
        )

    def state_table(name: str) -> Any:
        """A table of one stage's subject states (raw JSON bytes by key), with its changelog."""
        return app.Table(name, default=None, key_type=str, value_type=bytes, partitions=settings.partitions)

    retention_s = settings.decisions_retention_ms / 1000.0
    return Topics(
        events=raw_topic(settings.topic_events),
        decisions=raw_topic(settings.topic_decisions, compacting=True, deleting=True, retention=retention_s),
        dlq=raw_topic(settings.topic_dlq),
        cluster_observations=raw_topic(settings.cluster_topic, internal=True),
        campaign_observations=raw_topic(settings.campaign_topic, internal=True),
        verdicts=raw_topic(settings.verdict_topic, internal=True),
        account_table=state_table("account-state"),
        campaign_table=state_table("campaign-state"),
        cluster_table=state_table("cluster-state"),
        models=app.topic(
            settings.models_topic,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=1,
            compacting=True,
            internal=True,
        ),
    )
