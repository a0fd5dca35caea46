"""Topic creation with deliberate configurations (the worker runs it before it starts)."""

from __future__ import annotations

import structlog
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from distillguard.streams.settings import Settings

log = structlog.get_logger("distillguard.admin")


CHANGELOG_TABLES = ("account-state", "cluster-state", "campaign-state")
CHANGELOG_CONFIGS = {
    "cleanup.policy": "compact",
    "segment.ms": str(60 * 1000),
    "segment.bytes": str(32 * 1024 * 1024),
    "min.cleanable.dirty.ratio": "0.1",
    "delete.retention.ms": str(3600 * 1000),
}
"""State changelogs roll a segment a minute so the log cleaner can compact all but the last
minute (it never touches the active segment): a restart then reads about one record per live
subject plus a minute of checkpoints, instead of every checkpoint since the topic was created
(with Kafka's defaults, 7-day or 1 GiB segments, the soak's restart read 15 minutes of them)."""


def changelog_topic(s: Settings, table: str) -> str:
    """Faust's name for a table's changelog topic."""
    return f"{s.app_id}-{table}-changelog"


OBSERVATIONS_RETENTION_MS = 6 * 3600 * 1000
"""The repartitioned observations are needed only until the cluster stage has read them; six
hours covers a long outage without keeping days of a topic that grows with the input."""


def topic_specs(s: Settings) -> list[NewTopic]:
    """The topics and their configurations.

    ``throttle-decisions`` is compacted by subject and deleted after its retention, so a
    gateway rebuilds the current state from a short log; the DLQ keeps records 14 days; the
    state changelogs are compacted promptly (:data:`CHANGELOG_CONFIGS`); the internal
    observations topic keeps :data:`OBSERVATIONS_RETENTION_MS`; the models topic (population
    scales' snapshots, one partition) is compacted.
    """
    return [
        *(
            NewTopic(
                name,
                s.partitions,
                s.replication,
                topic_configs={"retention.ms": str(OBSERVATIONS_RETENTION_MS), "segment.ms": str(600 * 1000)},
            )
            for name in (s.cluster_topic, s.campaign_topic, s.verdict_topic)
        ),
        *(
            NewTopic(changelog_topic(s, t), s.partitions, s.replication, topic_configs=dict(CHANGELOG_CONFIGS))
            for t in CHANGELOG_TABLES
        ),
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
        verdicts_topic_spec(s),
        NewTopic(s.models_topic, 1, s.replication, topic_configs={"cleanup.policy": "compact"}),
    ]


def verdicts_topic_spec(s: Settings) -> NewTopic:
    """``analyst-verdicts``: one partition (a record per judged subject, read whole by every
    worker and by the console), compacted by ``subject_type:subject`` without time-based deletion."""
    return NewTopic(s.topic_verdicts, 1, s.replication, topic_configs={"cleanup.policy": "compact"})


def ensure_topic(s: Settings, spec: NewTopic) -> bool:
    """Create one topic unless it exists; whether it was created."""
    admin = KafkaAdminClient(**s.kafka_python_config(), client_id=f"{s.app_id}-admin")
    try:
        if spec.name in set(admin.list_topics()):
            return False
        try:
            admin.create_topics([spec])
        except TopicAlreadyExistsError:
            return False
        log.info("topics created", topics=[spec.name])
        return True
    finally:
        admin.close()


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
