"""An analyst's release on the real broker: the running worker sends an ``allow`` naming the
verdict, and does not act on the released account again while the release is in force."""

from __future__ import annotations

import time
import uuid

import orjson
import pytest
from kafka.partitioner.default import murmur2

from distillguard.streams.worker.verdicts import new_verdict
from tests.factories import firehose
from tests.integration.conftest import Topics, Worker, consume_until, produce, values

pytestmark = pytest.mark.kafka
PARTITIONS = 4


def partition_of(key: str) -> int:
    """The partition kafka-python's default partitioner gives ``key`` (as the events are keyed)."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS


def same_partition_as(account: str, prefix: str) -> str:
    """An account name on the same events partition as ``account`` (its events are handled after)."""
    return next(f"{prefix}-{i}" for i in range(1000) if partition_of(f"{prefix}-{i}") == partition_of(account))


def keyed(events: list[dict[str, object]]) -> list[tuple[bytes, bytes]]:
    return [(str(e["account_id"]).encode(), orjson.dumps(e)) for e in events]


def test_a_release_sends_an_allow_naming_the_verdict_and_the_account_is_left_alone(
    broker: str, topics: Topics, worker: Worker
) -> None:
    topics.env["DISTILLGUARD_TOPIC_VERDICTS"] = verdicts = f"verdicts-{uuid.uuid4().hex[:8]}"
    t0 = time.time() - 7200
    harvest = firehose("fh", 400, t0=t0)
    produce(broker, topics.events, keyed(harvest[:120]))
    worker.start()

    def decisions_for(subject: str, done: object) -> list[dict[str, object]]:
        recs = consume_until(broker, topics.decisions, done, 90, worker)
        return [d for d in values(recs) if d["subject"] == subject]

    acted = decisions_for("fh", lambda rs: any(orjson.loads(r.value)["action"] == "throttle" for r in rs))
    assert acted, f"the harvester was never throttled; worker log:\n{worker.log()[-3000:]}"
    assert acted[0]["action"] == "throttle"

    v = new_verdict("alice", "account", "fh", "release", "known customer's batch job", hours=1)
    produce(broker, verdicts, [v.encode()])

    def has_allow(rs: list[object]) -> bool:
        return any(d["action"] == "allow" and d["subject"] == "fh" for d in values(rs))  # type: ignore[arg-type]

    started = time.monotonic()
    after = decisions_for("fh", has_allow)
    allow = next((d for d in after if d["action"] == "allow"), None)
    assert allow is not None, f"no allow after the release; worker log:\n{worker.log()[-3000:]}"
    assert time.monotonic() - started < 30
    assert allow["reasons"] == [f"analyst release {v.verdict_id}: alice: known customer's batch job"]
    assert allow["trigger_event_id"] == v.verdict_id
    assert allow["reason_codes"][0] == "released"

    # More harvesting from the released account, then a second harvester on the same partition
    # (handled after it): once the second is throttled, the first's requests have been seen. The
    # second must not look like the first (a released account's look-alikes are left alone too):
    # it fills its max_tokens and rotates its /24 on every request.
    control = same_partition_as("fh", "ctl")
    produce(broker, topics.events, keyed(harvest[120:]))
    other = firehose(control, 120, t0=harvest[-1]["ts"] + 1.0)  # type: ignore[operator]
    for i, e in enumerate(other):
        e["max_tokens"], e["ip"] = 2048, f"34.{100 + i % 100}.{i // 100}.5"
    produce(broker, topics.events, keyed(other))
    final = values(
        consume_until(
            broker,
            topics.decisions,
            lambda rs: any(d["subject"] == control for d in values(rs)),  # type: ignore[arg-type]
            90,
            worker,
        )
    )
    assert any(d["subject"] == control for d in final), f"control never acted on:\n{worker.log()[-3000:]}"
    fh = [d for d in final if d["subject"] == "fh"]
    last_allow = max(i for i, d in enumerate(fh) if d["action"] == "allow")
    assert fh[last_allow + 1 :] == [], "the released account was acted on again"
    assert worker.alive()


def test_an_escalation_blocks_and_a_restarted_worker_sends_it_again_with_the_same_id(
    broker: str, topics: Topics, worker: Worker
) -> None:
    topics.env["DISTILLGUARD_TOPIC_VERDICTS"] = verdicts = f"verdicts-{uuid.uuid4().hex[:8]}"
    worker.start()
    v = new_verdict("bob", "account", "quiet-user", "escalate", "same operator as case 12", hours=1)
    produce(broker, verdicts, [v.encode()])

    def blocks(rs: list[object]) -> list[dict[str, object]]:
        return [d for d in values(rs) if d["subject"] == "quiet-user" and d["action"] == "block"]  # type: ignore[arg-type]

    first = blocks(consume_until(broker, topics.decisions, lambda rs: bool(blocks(rs)), 90, worker))
    assert first, f"no block after the escalation; worker log:\n{worker.log()[-3000:]}"
    assert first[0]["reasons"] == [f"analyst escalate {v.verdict_id}: bob: same operator as case 12"]
    assert first[0]["trigger_event_id"] == v.verdict_id

    worker.kill()
    worker.start()
    again = blocks(consume_until(broker, topics.decisions, lambda rs: len(blocks(rs)) >= 2, 90, worker))
    assert len(again) >= 2, f"not sent again after a restart:\n{worker.log()[-3000:]}"
    assert {d["decision_id"] for d in again} == {first[0]["decision_id"]}
