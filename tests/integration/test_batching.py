"""The whole-batch delivery path (streams/worker/batching.py) on the real broker: nothing lost on a
handler failure, and offsets committed only for what was handled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from tests.integration.conftest import ROOT, produce

pytestmark = pytest.mark.kafka

N = 3000


def _delivered(out: Path) -> list[str]:
    return out.read_text().splitlines() if out.exists() else []


def _committed(broker: str, group: str, topic: str) -> int:
    c = KafkaConsumer(bootstrap_servers=broker, group_id=group, enable_auto_commit=False)
    try:
        return sum(c.committed(TopicPartition(topic, p)) or 0 for p in range(2))
    finally:
        c.close()


def test_a_failed_batch_is_redelivered_and_every_offset_is_committed(broker: str, tmp_path: Path) -> None:
    """The handler raises on its first batch: that batch comes again, every record of the
    topic is delivered, and the group's committed offsets reach the end of both partitions."""
    tag = uuid.uuid4().hex[:8]
    topic, app_id, out = f"probe-{tag}", f"probe-app-{tag}", tmp_path / "delivered.txt"
    admin = KafkaAdminClient(bootstrap_servers=broker)
    admin.create_topics([NewTopic(topic, 2, 1)])
    admin.close()
    placed = produce(broker, topic, [(str(i % 50).encode(), b"x") for i in range(N)])
    env = {**os.environ, "PROBE_TOPIC": topic, "PROBE_APP": app_id, "PROBE_OUT": str(out), "PROBE_FAIL_FIRST": "1"}
    log = (tmp_path / "probe.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.batch_probe", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            lines = _delivered(out)
            if len(set(lines) - {"FAIL"}) >= N and _committed(broker, app_id, topic) >= N:
                break
            time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(30)
    lines = _delivered(out)
    assert lines[0] == "FAIL", "the first batch was handed to the handler and failed"
    delivered = {tuple(map(int, x.split())) for x in lines[1:]}
    assert delivered == set(placed), "every record was delivered after the failure"
    assert len(lines) - 1 >= N
    assert _committed(broker, app_id, topic) == N, (tmp_path / "probe.log").read_text()[-3000:]
