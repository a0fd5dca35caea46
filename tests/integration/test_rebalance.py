"""A rebalance when a second worker joins and leaves: no account's state is lost or doubled.

An account's first throttle is triggered by exactly its 12th request (min_events). Half of its
requests go in before a rebalance, half after: the throttle must come from request 12 exactly
(lost state would need 12 more; doubled state would fire earlier or twice).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest

from distillguard.models.config import DetectorConfig
from tests.factories import firehose
from tests.integration.conftest import Topics, Worker, consume_until, produce, values

pytestmark = pytest.mark.kafka
N = DetectorConfig().min_events


def _accounts(prefix: str, k: int, t0: float) -> dict[str, list[dict[str, object]]]:
    return {f"{prefix}{i}": firehose(f"{prefix}{i}", N, t0=t0 + i, ip=f"34.90.{i}.5") for i in range(k)}


def _send(broker: str, topic: str, accts: dict[str, list[dict[str, object]]], part: slice) -> None:
    produce(broker, topic, [(a.encode(), orjson.dumps(r)) for a, rs in accts.items() for r in rs[part]])


def test_state_survives_a_worker_joining_and_leaving(
    broker: str, topics: Topics, worker: Worker, tmp_path: Path
) -> None:
    """Accounts split across a join and a leave are throttled at exactly their 12th request."""
    t0 = time.time() - 3600
    half = N // 2
    joining = _accounts("j", 8, t0)
    leaving = _accounts("l", 8, t0 + 100)
    worker.start()
    _send(broker, topics.events, joining, slice(0, half))
    time.sleep(12.0)  # processed and checkpointed on one worker
    second = Worker(topics.env | {"DISTILLGUARD_DATA_DIR": str(tmp_path / "w2")}, tmp_path / "w2.log").start()
    try:
        time.sleep(15.0)  # the group rebalances over two workers
        _send(broker, topics.events, joining, slice(half, None))
        _send(broker, topics.events, leaving, slice(0, half))
        time.sleep(12.0)
    finally:
        second.kill(signal.SIGTERM)
    time.sleep(15.0)  # back to one worker
    _send(broker, topics.events, leaving, slice(half, None))
    expected = {a: rs[N - 1]["event_id"] for a, rs in (joining | leaving).items()}
    recs = consume_until(
        broker, topics.decisions, lambda rs: len({orjson.loads(r.value)["subject"] for r in rs}) >= 16, 90, worker
    )
    throttles: dict[str, list[str]] = {}
    for d in values(recs):
        if d["action"] == "throttle":
            throttles.setdefault(d["subject"], []).append(d["trigger_event_id"])
    missing = set(expected) - set(throttles)
    assert not missing, f"state lost for {sorted(missing)}\n{worker.log()[-2000:]}\n{second.log()[-2000:]}"
    for acct, trigger in expected.items():
        assert set(throttles[acct]) == {trigger}, (acct, throttles[acct])
