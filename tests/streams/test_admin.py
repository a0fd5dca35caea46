"""Topic specifications: the worker creates its state changelogs with prompt compaction."""

from distillguard.streams.settings import Settings
from distillguard.streams.worker.admin import CHANGELOG_CONFIGS, topic_specs
from distillguard.streams.worker.app import faust_app
from distillguard.streams.worker.topics import declare_topics

settings = Settings()


def test_the_changelog_specs_are_the_tables_own_changelog_topics() -> None:
    """The names in the specs are the ones Faust reads and writes for the three tables."""
    specs = {t.name: t for t in topic_specs(settings)}
    declared = declare_topics(faust_app(settings), settings)
    for table in (declared.account_table, declared.campaign_table, declared.cluster_table):
        name = table.changelog_topic.get_topic_name()
        assert name in specs
        assert specs[name].topic_configs["cleanup.policy"] == "compact"
        assert int(specs[name].topic_configs["segment.ms"]) <= 60_000
        assert specs[name].num_partitions == settings.partitions


def test_changelogs_are_never_deleted_by_time() -> None:
    """Compaction only: a live subject's last checkpoint must survive any idle period."""
    assert "delete" not in CHANGELOG_CONFIGS["cleanup.policy"]
    assert "retention.ms" not in CHANGELOG_CONFIGS


def test_the_observations_topic_has_a_bounded_retention() -> None:
    """The repartition topic grows with the input: it is kept hours, not Kafka's default week."""
    spec = {t.name: t for t in topic_specs(settings)}[settings.cluster_topic]
    assert int(spec.topic_configs["retention.ms"]) <= 24 * 3600 * 1000
