"""End to end on the real broker: the worker as a subprocess, records in, decisions and DLQ out."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
import pytest

from tests.factories import chat_user, firehose, hydra
from tests.integration.conftest import Topics, Worker, consume_until, produce, values

pytestmark = pytest.mark.kafka

MALFORMED = [
    b"{not json",
    b"\xff\xfe garbage",
    b"[1, 2, 3]",
    orjson.dumps({"event_id": "only-an-id"}),
    orjson.dumps({**firehose("x", 1)[0], "input_tokens": -3}),
    orjson.dumps({**firehose("y", 1)[0], "ip": "999.0.0.1"}),
]


def _events(t0: float) -> list[tuple[bytes, bytes]]:
    recs = firehose("fh", 150, t0=t0)
    for i in range(3):
        recs += chat_user(f"user-{i}", 40, t0=t0)
    recs.sort(key=lambda r: r["ts"])
    return [(str(r["account_id"]).encode(), orjson.dumps(r)) for r in recs]


def test_decisions_and_dead_letters_flow_end_to_end(broker: str, topics: Topics, worker: Worker) -> None:
    """N valid + M malformed records: the firehose is throttled then blocked, keyed by subject;
    every malformed record is on the DLQ with its error and its source position."""
    t0 = time.time() - 7200
    good = _events(t0)
    produce(broker, topics.events, good[:100])
    bad_pos = produce(broker, topics.events, [(b"bad", v) for v in MALFORMED])
    produce(broker, topics.events, good[100:])
    worker.start()

    dec = consume_until(
        broker, topics.decisions, lambda rs: any(orjson.loads(r.value)["action"] == "block" for r in rs), 90, worker
    )
    decisions = values(dec)
    assert decisions, f"no decisions; worker log:\n{worker.log()[-3000:]}"
    assert {(r.key, d["subject"]) for r, d in zip(dec, decisions, strict=True)} == {(b"fh", "fh")}
    assert [d["action"] for d in decisions][:2] == ["throttle", "block"]
    assert all(d["reasons"] and 0 <= d["score"] <= 1 for d in decisions)

    dlq = values(consume_until(broker, topics.dlq, lambda rs: len(rs) >= len(MALFORMED), 60, worker))
    assert len(dlq) == len(MALFORMED)
    assert sorted((d["partition"], d["offset"]) for d in dlq) == sorted(bad_pos)
    assert all(d["topic"] == topics.events and d["error"] for d in dlq)
    errors = " | ".join(d["error"] for d in dlq)
    for fragment in ("not valid JSON", "must be a JSON object", "missing field 'ts'", "input_tokens", "field 'ip'"):
        assert fragment in errors
    assert worker.alive()


def test_restart_recovers_state_and_redelivers_at_least_once(broker: str, topics: Topics, worker: Worker) -> None:
    """SIGKILL after the block: a restarted worker recovers the account's state from the changelog
    (no fresh throttle for a subject already blocked); decisions are at-least-once with stable ids."""
    t0 = time.time() - 7200
    produce(broker, topics.events, _events(t0))
    worker.start()
    first = values(
        consume_until(
            broker, topics.decisions, lambda rs: any(orjson.loads(r.value)["action"] == "block" for r in rs), 90, worker
        )
    )
    time.sleep(3.0)  # past a checkpoint and an offset commit
    worker.kill(signal.SIGKILL)

    more = firehose("fh", 60, t0=t0 + 400)
    for i, r in enumerate(more):
        r["event_id"] = f"fh-late-{i}"
    produce(broker, topics.events, [(b"fh", orjson.dumps(r)) for r in more])
    worker.start()
    time.sleep(15.0)
    decisions = values(consume_until(broker, topics.decisions, lambda rs: False, 5, worker))
    after = decisions[len(first) :]
    by_id: dict[str, dict[str, object]] = {}
    for d in decisions:
        prior = by_id.setdefault(str(d["decision_id"]), d)
        assert {k: v for k, v in prior.items() if k != "ts"} == {k: v for k, v in d.items() if k != "ts"}
    new_triggers = [d for d in after if str(d["trigger_event_id"]).startswith("fh-late")]
    assert not [d for d in new_triggers if d["action"] == "throttle"], (
        f"state was not recovered: {new_triggers}\n{worker.log()[-3000:]}"
    )


def test_a_hydra_is_blocked_through_the_campaign_stage(broker: str, topics: Topics, worker: Worker) -> None:
    """30 accounts x 8 requests (none reaches the per-account minimum): through the campaign
    observations, the campaign agent and the verdicts topic, its members are blocked on the real
    broker, with reasons that name the campaign."""
    t0 = time.time() - 7200
    recs = hydra("hy", 30, 8, t0=t0)
    produce(broker, topics.events, [(str(r["account_id"]).encode(), orjson.dumps(r)) for r in recs])
    worker.start()

    def enough(rs: list[object]) -> bool:
        return len({orjson.loads(r.value)["subject"] for r in rs if orjson.loads(r.value)["action"] == "block"}) >= 20

    decisions = values(consume_until(broker, topics.decisions, enough, 120, worker))
    blocked = {d["subject"] for d in decisions if d["action"] == "block"}
    assert len(blocked) >= 20, f"blocked {sorted(blocked)}; worker log:\n{worker.log()[-3000:]}"
    assert all(str(s).startswith("hy-") for s in blocked)
    assert any(str(d["reasons"][0]).startswith("campaign c-") for d in decisions)
    assert worker.alive()


def test_sigterm_writes_a_final_checkpoint(broker: str, topics: Topics, tmp_path: Path) -> None:
    """With periodic checkpoints an hour apart, only the shutdown checkpoint can put the account's
    state in the changelog: after SIGTERM it holds every request the worker processed."""
    env = {**topics.env, "DISTILLGUARD_CHECKPOINT_INTERVAL_S": "3600"}
    w = Worker(env, tmp_path / "worker.log").start()
    try:
        recs = firehose("fh-term", 30, t0=time.time() - 7200)
        produce(broker, topics.events, [(b"fh-term", orjson.dumps(r)) for r in recs])
        consume_until(broker, topics.decisions, lambda rs: len(rs) >= 1, 90, w)
        time.sleep(2.0)  # the rest of the 30 requests
    finally:
        w.kill(signal.SIGTERM)
    log = w.log()
    assert "final checkpoint" in log, log[-3000:]
    changelog = f"{topics.app_id}-account-state-changelog"
    states = [
        r for r in consume_until(broker, changelog, lambda rs: False, 8) if r.key == b'"fh-term"'
    ]  # keys are JSON strings
    assert states, f"no checkpoint of the account in {changelog}\n{log[-3000:]}"
    assert orjson.loads(states[-1].value)["n"] == 30
