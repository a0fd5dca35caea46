"""Records at the contract's size limits never stall the worker (its re-keyed output is split)."""

from __future__ import annotations

import signal
import time

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.factories import event
from tests.integration.conftest import Topics, Worker, produce

pytestmark = pytest.mark.kafka

UA = "Mozilla/5.0 " + "x" * 500  # 512 characters, the contract's maximum


def _batch(tag: str, n: int, t0: float) -> list[tuple[bytes, bytes]]:
    """``n`` valid events with 512-character user agents, all from one /24."""
    out = []
    for i in range(n):
        acct = f"big-{i % 200:03d}"
        r = event(
            event_id=f"{tag}-{i}",
            account_id=acct,
            ts=t0 + i * 0.05,
            ip=f"203.0.113.{i % 250 + 1}",
            user_agent=UA,
            tls_fingerprint="t" * 64,
        )
        out.append((acct.encode(), orjson.dumps(r)))
    return out


def _committed(broker: str, topics: Topics) -> int:
    """Offsets the worker's group has committed on the events topic, summed over partitions."""
    c = KafkaConsumer(bootstrap_servers=broker, group_id=topics.app_id, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topics.events, p) for p in c.partitions_for_topic(topics.events) or ()]
        return sum(c.committed(tp) or 0 for tp in parts)
    finally:
        c.close()


def _wait_committed(broker: str, topics: Topics, worker: Worker, want: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    got = 0
    while time.monotonic() < deadline:
        got = _committed(broker, topics)
        if got >= want:
            return got
        assert worker.alive(), worker.log()[-3000:]
        time.sleep(1.0)
    return got


def test_large_user_agents_from_one_cluster_are_processed_across_a_restart(
    broker: str, topics: Topics, worker: Worker
) -> None:
    """5,000 events with 512-character user agents from one /24, a restart, 5,000 more: every
    one is processed (committed) each time, and no message is too large. The 90 s wait is a
    liveness bound (a stalled batch never commits), not a speed target: speed is `make bench`'s."""
    t0 = time.time() - 3600
    produce(broker, topics.events, _batch("a", 5000, t0))
    worker.start()
    assert _wait_committed(broker, topics, worker, 5000, 90) == 5000, worker.log()[-3000:]
    worker.kill(signal.SIGTERM)

    produce(broker, topics.events, _batch("b", 5000, t0 + 300))
    worker.start()
    assert _wait_committed(broker, topics, worker, 10000, 90) == 10000, worker.log()[-3000:]
    assert "MessageSizeTooLarge" not in worker.log()
