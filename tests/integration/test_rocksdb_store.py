"""``DISTILLGUARD_STORE=rocksdb`` end to end: the worker keeps its tables in RocksDB files under
its data folder, and a worker SIGKILLed and restarted on that folder still knows a blocked account
from those files alone (the changelog's records are deleted in between)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest
import rocksdict
from faust.stores.rocksdb import Store as RocksDBStore
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from tests.factories import firehose
from tests.integration.conftest import Topics, Worker, consume_until, produce, values

pytestmark = pytest.mark.kafka


def _stored(data_dir: Path, key: bytes) -> tuple[dict[str, object], bool]:
    """The account table's value for ``key`` read from the RocksDB files (read-only, no lock), and
    whether that database records a changelog offset (Faust's ``offset_key``)."""
    for path in sorted((data_dir / "v1" / "tables").glob("account-state-*.db")):
        db = rocksdict.Rdict(str(path), rocksdict.Options(raw_mode=True), access_type=rocksdict.AccessType.read_only())
        try:
            raw = db.get(key)
            if raw is not None:
                return orjson.loads(raw), db.get(RocksDBStore.offset_key) is not None
        finally:
            db.close()
    raise AssertionError(f"{key!r} is in no account-state database under {data_dir}")


def _produce_on(broker: str, topic: str, partition: int, events: list[dict[str, object]]) -> None:
    p = KafkaProducer(bootstrap_servers=broker, acks="all")
    for ev in events:
        p.send(topic, key=str(ev["account_id"]).encode(), value=orjson.dumps(ev), partition=partition)
    p.flush()
    p.close()


def _empty_changelog(broker: str, topic: str) -> None:
    """Delete every record of ``topic`` (a compacted topic's records cannot be deleted: made
    ``delete`` first), so that a restart can find the state nowhere but in the local store."""
    admin = KafkaAdminClient(bootstrap_servers=broker)
    c = KafkaConsumer(bootstrap_servers=broker)
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"cleanup.policy": "delete"})])
        tps = [TopicPartition(topic, p) for p in sorted(c.partitions_for_topic(topic) or ())]
        admin.delete_records(c.end_offsets(tps))
        assert all(c.beginning_offsets(tps)[tp] == end for tp, end in c.end_offsets(tps).items())
    finally:
        c.close()
        admin.close()


def test_a_blocked_account_stays_known_across_a_sigkill(broker: str, topics: Topics, tmp_path: Path) -> None:
    """Blocked, SIGKILLed, changelog emptied, restarted: 60 more requests of the account bring no
    fresh throttle (a forgotten account would be throttled anew at its 20th)."""
    data_dir = tmp_path / "worker"
    env = {**topics.env, "DISTILLGUARD_STORE": "rocksdb", "DISTILLGUARD_SESSION_TIMEOUT_S": "6"}
    t0 = time.time() - 7200
    [(partition, _), *_] = produce(broker, topics.events, [(b"fh", orjson.dumps(r)) for r in firehose("fh", 150, t0)])
    w = Worker(env, tmp_path / "worker.log").start()
    try:
        blocked = lambda rs: any(d["action"] == "block" for d in values(rs))  # noqa: E731
        assert values(consume_until(broker, topics.decisions, blocked, 60, w)), w.log()[-3000:]
        time.sleep(1.5)  # the last checkpoint (every 0.5 s) is written and sent
    finally:
        w.kill(signal.SIGKILL)
    state, has_offset = _stored(data_dir, b'"fh"')  # keys are JSON strings, as on the changelog
    assert state["n"] == 150
    assert has_offset  # a restart reads the changelog only after this offset
    _empty_changelog(broker, f"{topics.app_id}-account-state-changelog")

    late = firehose("fh", 60, t0=t0 + 400)
    for i, r in enumerate(late):
        r["event_id"] = f"fh-late-{i}"
    marker = firehose("marker", 40, t0=t0 + 500)  # after the late requests, on their partition
    _produce_on(broker, topics.events, partition, late + marker)
    w = Worker(env, tmp_path / "worker.log").start()
    try:
        seen_marker = lambda rs: any(d["subject"] == "marker" for d in values(rs))  # noqa: E731
        decisions = values(consume_until(broker, topics.decisions, seen_marker, 45, w))
    finally:
        w.kill(signal.SIGTERM)
    assert any(d["subject"] == "marker" for d in decisions), w.log()[-3000:]
    fresh = [d for d in decisions if str(d["trigger_event_id"]).startswith("fh-late") and d["action"] == "throttle"]
    assert not fresh, f"the restarted worker did not know the blocked account: {fresh}"
