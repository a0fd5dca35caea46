"""Authenticated Kafka: a second local broker with a SASL/SCRAM listener.

The worker and the enforcement client authenticate with credentials from settings (never
logged); clients without the right credentials are refused.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError

from distillguard.streams.gateway.enforcer import EnforcementClient
from distillguard.streams.settings import Secret
from tests.factories import firehose
from tests.integration.conftest import ROOT, Worker, isolated_settings, worker_env

pytestmark = pytest.mark.kafka

PLAIN_PORT = int(os.environ.get("SASL_TEST_KAFKA_PORT", "9392"))
SASL_PORT = PLAIN_PORT + 2  # the controller takes PLAIN_PORT + 1
USER, PASSWORD = "distillguard", "s3cret-for-tests-only"


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker with SCRAM-SHA-256 on 127.0.0.1:SASL_PORT (started and stopped here)."""
    state = tmp_path_factory.mktemp("sasl-broker")
    env = {
        **os.environ,
        "KAFKA_PORT": str(PLAIN_PORT),
        "KAFKA_SASL_PORT": str(SASL_PORT),
        "KAFKA_SASL_USER": USER,
        "KAFKA_SASL_PASSWORD": PASSWORD,
        "KAFKA_STATE_DIR": str(state),
        "KAFKA_HEAP": "384m",
    }
    subprocess.run(["bash", str(ROOT / "broker" / "kafka.sh"), "up"], env=env, check=True, timeout=180)
    try:
        yield f"127.0.0.1:{SASL_PORT}"
    finally:
        subprocess.run(["bash", str(ROOT / "broker" / "kafka.sh"), "down"], env=env, check=False, timeout=60)


def _auth(**over: object) -> dict[str, object]:
    cfg: dict[str, object] = {
        "bootstrap_servers": f"127.0.0.1:{SASL_PORT}",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": USER,
        "sasl_plain_password": PASSWORD,
    }
    cfg.update(over)
    return cfg


def test_clients_without_the_right_credentials_are_refused(sasl_broker: str) -> None:
    """Wrong password: authentication fails; no SASL at all: the listener does not serve it."""
    with pytest.raises(KafkaError):
        KafkaAdminClient(**_auth(sasl_plain_password="wrong"), request_timeout_ms=5000)
    with pytest.raises(KafkaError):
        KafkaAdminClient(bootstrap_servers=sasl_broker, request_timeout_ms=5000)
    KafkaAdminClient(**_auth()).close()  # the right credentials work


def test_worker_and_enforcer_authenticate_from_settings(sasl_broker: str, tmp_path: Path) -> None:
    """End to end over SASL: events in, a block out, the enforcer refuses the account; the
    password never appears in the worker's log."""
    settings = isolated_settings(
        sasl_broker, "dg-sasl", security_protocol="SASL_PLAINTEXT", sasl_username=USER, sasl_password=Secret(PASSWORD)
    )
    admin = KafkaAdminClient(**_auth())
    admin.create_topics([NewTopic(settings.topic_events, 4, 1)])
    admin.close()
    env = worker_env(settings, tmp_path / "w", DISTILLGUARD_LOG_LEVEL="debug")
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        producer = KafkaProducer(**_auth())
        for r in firehose("fh", 120, t0=time.time() - 3600):
            producer.send(settings.topic_events, key=b"fh", value=orjson.dumps(r))
        producer.flush()
        consumer = KafkaConsumer(settings.topic_decisions, **_auth(), auto_offset_reset="earliest")
        actions: list[str] = []
        deadline = time.monotonic() + 120
        while "block" not in actions and time.monotonic() < deadline:
            assert worker.alive(), worker.log()[-3000:]
            for batch in consumer.poll(timeout_ms=500).values():
                actions += [orjson.loads(r.value)["action"] for r in batch]
        consumer.close()
        assert "block" in actions, worker.log()[-3000:]
        client = EnforcementClient(settings).start(wait_s=60)
        try:
            verdict = client.check("fh", "34.90.1.5")
            assert not verdict.allowed
            assert "block fh" in verdict.reason
            assert client.check("someone-else", "98.1.2.3").allowed
        finally:
            client.stop()
    finally:
        worker.kill()
    log = worker.log()
    assert PASSWORD not in log
    assert repr(settings.sasl_password) == "Secret('**********')"
