"""Topics and tables, named by configuration; values are raw bytes (orjson on both sides).

Topic configuration set here on purpose (the worker creates absent topics with it):

* ``throttle-decisions``: compacted by subject *and* deleted after ``decisions_retention_ms``
  (``cleanup.policy=compact,delete``), so a gateway rebuilds current state from it quickly.
* state changelogs: compacted (Faust's default for tables) with no time-based deletion, so a
  restart always recovers every live subject; evicted subjects are deleted by tombstones.
"""

from __future__ import annotations

from typing import Any

from distillguard.streams.worker.app import app, settings


def _raw_topic(name: str, **kwargs: Any) -> Any:
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


events_topic = _raw_topic(settings.topic_events)
decisions_topic = _raw_topic(
    settings.topic_decisions, compacting=True, deleting=True, retention=settings.decisions_retention_ms / 1000.0
)
dlq_topic = _raw_topic(settings.topic_dlq)
cluster_topic = _raw_topic(settings.cluster_topic, internal=True)
campaign_topic = _raw_topic(settings.campaign_topic, internal=True)
verdict_topic = _raw_topic(settings.verdict_topic, internal=True)


def _state_table(name: str) -> Any:
    """A table of one stage's subject states (raw JSON bytes by key), with its changelog."""
    return app.Table(name, default=None, key_type=str, value_type=bytes, partitions=settings.partitions)


account_table = _state_table("account-state")
campaign_table = _state_table("campaign-state")
cluster_table = _state_table("cluster-state")
