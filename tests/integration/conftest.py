"""Integration fixtures: the real local broker, unique topic names, a worker subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from distillguard.streams.settings import Settings

BROKER = os.environ.get("DISTILLGUARD_BROKER", "127.0.0.1:9092")
ROOT = Path(__file__).parents[2]
collect_ignore = ["batch_probe.py"]  # a program the tests run, configured by its environment


@pytest.fixture(scope="session")
def broker() -> str:
    """The local broker's address; fails loudly when it is not up (make kafka-up)."""
    try:
        KafkaAdminClient(bootstrap_servers=BROKER, request_timeout_ms=5000).close()
    except Exception as err:  # pragma: no cover - environment problem
        pytest.fail(f"no Kafka broker at {BROKER} ({err}); run 'make kafka-up' or 'make test'")
    return BROKER


@dataclass
class Topics:
    """Names for one test's isolated pipeline."""

    app_id: str
    events: str
    decisions: str
    dlq: str
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def topics(broker: str, tmp_path: Path) -> Topics:
    """Unique app id and topic names, and the worker environment that uses them."""
    tag = uuid.uuid4().hex[:8]
    t = Topics(f"dg-test-{tag}", f"req-{tag}", f"dec-{tag}", f"dlq-{tag}")
    t.env = {
        **os.environ,
        "DISTILLGUARD_BROKER": broker,
        "DISTILLGUARD_APP_ID": t.app_id,
        "DISTILLGUARD_TOPIC_EVENTS": t.events,
        "DISTILLGUARD_TOPIC_DECISIONS": t.decisions,
        "DISTILLGUARD_TOPIC_DLQ": t.dlq,
        "DISTILLGUARD_TOPIC_VERDICTS": f"ver-{tag}",
        "DISTILLGUARD_WEB_ENABLED": "false",
        "DISTILLGUARD_DATA_DIR": str(tmp_path / "worker"),
        "DISTILLGUARD_LOG_FORMAT": "json",
        "DISTILLGUARD_CHECKPOINT_INTERVAL_S": "0.5",
    }
    admin = KafkaAdminClient(bootstrap_servers=broker)
    from kafka.admin import NewTopic

    admin.create_topics([NewTopic(t.events, 4, 1)])
    admin.close()
    return t


class Worker:
    """``distillguard worker`` as a subprocess, as a user runs it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log_path = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        fh = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "distillguard.streams.cli", "worker"], cwd=ROOT, env=self.env, stdout=fh, stderr=fh
        )
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker(topics: Topics, tmp_path: Path) -> Iterator[Worker]:
    """A worker on the test's topics; killed at teardown."""
    w = Worker(topics.env, tmp_path / "worker.log")
    yield w
    w.kill(signal.SIGTERM)


def isolated_settings(broker: str, prefix: str, **over: Any) -> Settings:
    """Settings with a unique app id and topic names on ``broker``."""
    tag = uuid.uuid4().hex[:8]
    return replace(
        Settings(),
        broker=broker,
        app_id=f"{prefix}-{tag}",
        topic_events=f"req-{tag}",
        topic_decisions=f"dec-{tag}",
        topic_dlq=f"dlq-{tag}",
        topic_verdicts=f"ver-{tag}",
        **over,
    )


def worker_env(s: Settings, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment that makes ``distillguard worker`` use settings ``s`` (web server off)."""
    env = {
        **os.environ,
        "DISTILLGUARD_BROKER": s.broker,
        "DISTILLGUARD_APP_ID": s.app_id,
        "DISTILLGUARD_TOPIC_EVENTS": s.topic_events,
        "DISTILLGUARD_TOPIC_DECISIONS": s.topic_decisions,
        "DISTILLGUARD_TOPIC_DLQ": s.topic_dlq,
        "DISTILLGUARD_TOPIC_VERDICTS": s.topic_verdicts,
        "DISTILLGUARD_WEB_ENABLED": "false",
        "DISTILLGUARD_DATA_DIR": str(data_dir),
        "DISTILLGUARD_LOG_FORMAT": "json",
    }
    if s.security_protocol != "PLAINTEXT":
        env["DISTILLGUARD_SECURITY_PROTOCOL"] = s.security_protocol
    if s.security_protocol.startswith("SASL"):
        env |= {
            "DISTILLGUARD_SASL_MECHANISM": s.sasl_mechanism,
            "DISTILLGUARD_SASL_USERNAME": s.sasl_username,
            "DISTILLGUARD_SASL_PASSWORD": s.sasl_password.reveal(),
        }
    if s.ssl_cafile:
        env["DISTILLGUARD_SSL_CAFILE"] = s.ssl_cafile
    return env | extra


DELIVERY_TIMEOUT_S = 120
"""How long the producer keeps retrying a record (the client's default): on a loaded machine a
broker busy with a group's rebalance can take longer than a request timeout to acknowledge."""


def produce(broker: str, topic: str, records: list[tuple[bytes | None, bytes]]) -> list[tuple[int, int]]:
    """Produce ``(key, value)`` records; returns each one's ``(partition, offset)``."""
    p = KafkaProducer(bootstrap_servers=broker, acks="all", linger_ms=5, delivery_timeout_ms=DELIVERY_TIMEOUT_S * 1000)
    try:
        futures = [p.send(topic, key=k, value=v) for k, v in records]
        p.flush()
        return [(m.partition, m.offset) for m in (f.get(DELIVERY_TIMEOUT_S) for f in futures)]
    finally:
        p.close()


def consume_until(broker: str, topic: str, done: Any, timeout: float, worker: Worker | None = None) -> list[Any]:
    """Read ``topic`` from the start until ``done(records)`` or ``timeout`` seconds."""
    c = KafkaConsumer(topic, bootstrap_servers=broker, auto_offset_reset="earliest", enable_auto_commit=False)
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not done(records):
            for batch in c.poll(timeout_ms=500).values():
                records.extend(batch)
            if worker is not None and not worker.alive():
                raise AssertionError(f"worker exited:\n{worker.log()[-4000:]}")
    finally:
        c.close()
    return records


def values(records: list[Any]) -> list[dict[str, Any]]:
    """Decoded JSON values of consumer records."""
    return [orjson.loads(r.value) for r in records]
