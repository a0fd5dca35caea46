"""A restarted worker starts warm: it restores the population scales from ``<app>-models``."""

from __future__ import annotations

import signal
import time

import orjson
import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from distillguard.models.evidence import WARMUP, PopulationScales
from distillguard.models.warm import snapshot
from distillguard.streams.worker.snapshots import KEY
from tests.factories import firehose
from tests.integration.conftest import Topics, Worker, consume_until, produce

pytestmark = pytest.mark.kafka


def _warm_scales() -> PopulationScales:
    scales = PopulationScales()
    for i in range(WARMUP + 50):
        scales.learn({"output_input_ratio": 1.0 + i % 9, "output_tokens": 150.0 + 3 * i, "active_hours": i % 13})
    return scales


def test_a_worker_restores_the_newest_snapshot_and_writes_its_own(broker: str, topics: Topics, worker: Worker) -> None:
    """What an earlier worker wrote is restored before the first event; the worker writes it back
    (grown by what it learned) when it stops."""
    models = f"{topics.app_id}-models"
    admin = KafkaAdminClient(bootstrap_servers=broker)
    admin.create_topics([NewTopic(models, 1, 1, topic_configs={"cleanup.policy": "compact"})])
    admin.close()
    old, newest = _warm_scales(), _warm_scales()
    newest.learn({"output_input_ratio": 2.0, "output_tokens": 300.0, "active_hours": 3.0})
    produce(broker, models, [(KEY, orjson.dumps(snapshot(old))), (KEY, orjson.dumps(snapshot(newest)))])
    recs = firehose("fh", 120, t0=time.time() - 3600)
    produce(broker, topics.events, [(b"fh", orjson.dumps(r)) for r in recs])

    worker.start()
    consume_until(broker, topics.decisions, lambda rs: len(rs) >= 1, 90, worker)
    restored = [orjson.loads(line) for line in worker.log().splitlines() if "population scales restored" in line]
    assert restored, worker.log()[-3000:]
    assert restored[0]["n"] == newest.n
    assert restored[0]["estimators"] is True

    worker.kill(signal.SIGTERM)  # the write at shutdown
    written = consume_until(broker, models, lambda rs: len(rs) >= 3, 30)
    assert len(written) == 3, worker.log()[-3000:]
    last = orjson.loads(written[-1].value)
    assert written[-1].key == KEY
    assert last["n"] > newest.n  # it went on learning from the firehose
