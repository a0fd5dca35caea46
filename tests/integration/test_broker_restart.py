"""The broker stops and restarts under load: the worker and the enforcement client reconnect by
themselves and nothing is lost (a dedicated broker, so the other tests are not disturbed)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from distillguard.models.config import DetectorConfig
from distillguard.streams.gateway.enforcer import EnforcementClient
from tests.factories import firehose
from tests.integration.conftest import ROOT, Worker, consume_until, isolated_settings, produce, values, worker_env

pytestmark = pytest.mark.kafka
PORT = 9492
N = DetectorConfig().min_events


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A broker on 127.0.0.1:9492 with its own state folder; the env to start/stop it."""
    env = {
        **os.environ,
        "KAFKA_PORT": str(PORT),
        "KAFKA_STATE_DIR": str(tmp_path_factory.mktemp("restart-broker")),
        "KAFKA_HEAP": "384m",
    }
    subprocess.run(["bash", str(ROOT / "broker" / "kafka.sh"), "up"], env=env, check=True, timeout=180)
    try:
        yield env
    finally:
        subprocess.run(["bash", str(ROOT / "broker" / "kafka.sh"), "down"], env=env, check=False, timeout=60)


def _broker(env: dict[str, str], cmd: str) -> None:
    subprocess.run(["bash", str(ROOT / "broker" / "kafka.sh"), cmd], env=env, check=True, timeout=180)


def test_worker_and_enforcer_survive_a_broker_restart(own_broker: dict[str, str], tmp_path: Path) -> None:
    """Campaigns before, during (produced after) and after the outage are all acted on."""
    broker = f"127.0.0.1:{PORT}"
    settings = isolated_settings(broker, "dg-rs")
    admin = KafkaAdminClient(bootstrap_servers=broker)
    admin.create_topics([NewTopic(settings.topic_events, 4, 1)])
    admin.close()
    env = worker_env(settings, tmp_path / "w")
    worker = Worker(env, tmp_path / "worker.log").start()
    client = EnforcementClient(settings, stale_after_s=300).start(wait_s=60)
    t0 = time.time() - 3600

    def campaign(prefix: str, k: int, offset: float) -> list[tuple[bytes, bytes]]:
        out = []
        for i in range(k):
            out += [
                (f"{prefix}{i}".encode(), orjson.dumps(r)) for r in firehose(f"{prefix}{i}", N + 4, t0=t0 + offset + i)
            ]
        return out

    try:
        produce(broker, settings.topic_events, campaign("before", 4, 0))
        consume_until(broker, settings.topic_decisions, lambda rs: len(rs) >= 4, 90, worker)
        _broker(own_broker, "down")
        time.sleep(8.0)
        _broker(own_broker, "up")
        produce(broker, settings.topic_events, campaign("after", 4, 600))
        recs = consume_until(
            broker,
            settings.topic_decisions,
            lambda rs: {orjson.loads(r.value)["subject"] for r in rs} >= {f"after{i}" for i in range(4)},
            120,
            worker,
        )
        subjects = {d["subject"] for d in values(recs) if d["action"] == "throttle"}
        assert subjects >= {f"before{i}" for i in range(4)} | {f"after{i}" for i in range(4)}, worker.log()[-3000:]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and client.check("after3", "34.90.1.5").allowed:
            time.sleep(0.5)
        assert not client.check("after3", "34.90.1.5").allowed, "the enforcement client did not reconnect"
        assert worker.alive()
    finally:
        client.stop()
        worker.kill()
