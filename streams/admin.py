"""Topic creation with deliberate configurations (the worker runs it before it starts)."""

from __future__ import annotations

import structlog
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.settings import Settings

log = structlog.get_logger("distillguard.admin")


def topic_specs(s: Settings) -> list[NewTopic]:
    """The external topics and their configurations.

    ``throttle-decisions`` is compacted by subject and deleted after its retention, so a
    gateway rebuilds the current state from a short log; the DLQ keeps records 14 days.
    """
    return [
        NewTopic(s.topic_events, s.partitions, s.replication),
        NewTopic(
            s.topic_decisions,
            s.partitions,
            s.replication,
            topic_configs={
                "cleanup.policy": "compact,delete",
                "retention.ms": str(s.decisions_retention_ms),
                "segment.ms": str(3600 * 1000),
                "min.cleanable.dirty.ratio": "0.1",
            },
        ),
        NewTopic(s.topic_dlq, s.partitions, s.replication, topic_configs={"retention.ms": str(14 * 86400 * 1000)}),
    ]


def ensure_topics(s: Settings) -> list[str]:
    """Create the absent topics; returns the names created."""
    admin = KafkaAdminClient(**s.kafka_python_config(), client_id=f"{s.app_id}-admin")
    try:
        existing = set(admin.list_topics())
        todo = [t for t in topic_specs(s) if t.name not in existing]
        created = []
        for t in todo:
            try:
                admin.create_topics([t])
                created.append(t.name)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info("topics created", topics=created)
        return created
    finally:
        admin.close()
