"""Subjects recovered from the changelog at start that never send again are evicted and deleted
from the changelog with tombstones, on the real broker."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest

from tests.factories import event
from tests.integration.conftest import Topics, Worker, consume_until, produce

pytestmark = pytest.mark.kafka


def test_recovered_idle_subjects_are_tombstoned(broker: str, topics: Topics, tmp_path: Path) -> None:
    env = {**topics.env, "DISTILLGUARD_IDLE_EVICT_S": "600"}
    changelog = f"{topics.app_id}-account-state-changelog"
    ghosts = [f"ghost-{i}" for i in range(20)]
    t0 = time.time() - 7200
    recs = [event(event_id=f"{a}-{k}", account_id=a, ts=t0 + k) for a in ghosts for k in range(3)]
    produce(broker, topics.events, [(str(r["account_id"]).encode(), orjson.dumps(r)) for r in recs])
    w = Worker(env, tmp_path / "worker.log").start()
    try:
        stored = consume_until(broker, changelog, lambda rs: {r.key for r in rs} >= {b'"ghost-19"'}, 60, w)
        assert stored, w.log()[-3000:]
    finally:
        w.kill(signal.SIGTERM)

    # A restart recovers the ghosts into the table; they never send again, while a fresh account
    # moves event time an hour on.
    w = Worker(env, tmp_path / "worker.log").start()
    try:
        fresh = [event(event_id=f"fresh-{k}", account_id="fresh", ts=t0 + 3600 + k) for k in range(3)]
        time.sleep(5.0)
        produce(broker, topics.events, [(b"fresh", orjson.dumps(r)) for r in fresh])

        def tombstoned(rs: list[object]) -> bool:
            return {r.key for r in rs if r.value is None} >= {f'"{a}"'.encode() for a in ghosts}  # type: ignore[attr-defined]

        records = consume_until(broker, changelog, tombstoned, 60, w)
    finally:
        w.kill(signal.SIGTERM)
    gone = {r.key for r in records if r.value is None}
    assert gone >= {f'"{a}"'.encode() for a in ghosts}, w.log()[-3000:]
    assert b'"fresh"' not in gone
    # on the partition of the value it deletes, or compaction would keep the value
    value_part = {r.key: r.partition for r in records if r.value is not None}
    assert all(r.partition == value_part[r.key] for r in records if r.value is None and r.key in value_part)
