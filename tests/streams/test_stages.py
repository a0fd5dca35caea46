"""The worker's batch stage without Kafka: routing of valid, invalid and duplicate records."""

from __future__ import annotations

import orjson

from distillguard.models.config import DetectorConfig
from distillguard.streams.worker.stages import AccountStage, CampaignStage, ClusterStage
from tests.factories import event, firehose, hydra

BAD = [b"{oops", b"[]", orjson.dumps({"event_id": "x"}), orjson.dumps(event(input_tokens=-5)), None]


def test_bad_records_are_dead_lettered_with_position_and_good_ones_processed() -> None:
    """Each bad record becomes one DLQ record naming its error and position; none is lost."""
    stage = AccountStage(DetectorConfig())
    good = [orjson.dumps(r) for r in firehose("fh", 60)]
    records = []
    for i, raw in enumerate(good):
        records.append((raw, "api-requests", 1, 2 * i))
        if i < len(BAD):
            records.append((BAD[i], "api-requests", 1, 2 * i + 1))
    out = stage.process(records)
    assert stage.counters.events == 60
    assert stage.counters.rejected == len(BAD)
    dlq = [orjson.loads(v) for _, v in out.dlq]
    assert [d["offset"] for d in dlq] == [1, 3, 5, 7, 9]
    assert all(d["topic"] == "api-requests" and d["partition"] == 1 and d["error"] for d in dlq)
    assert "not valid JSON" in dlq[0]["error"]
    assert "missing field 'ts'" in dlq[2]["error"]
    assert sum(len(v) for v in out.observations.values()) == 60
    assert out.decisions
    assert all(k == b"fh" for k, _ in out.decisions)


def test_huge_raw_values_are_truncated_in_the_dead_letter() -> None:
    """A megabyte record is dead-lettered with a bounded copy and its real size."""
    raw = b'{"x": "' + b"a" * 2_000_000 + b'"}'
    out = AccountStage(DetectorConfig()).process([(raw, "t", 0, 0)])
    d = orjson.loads(out.dlq[0][1])
    assert d["raw_truncated"] is True
    assert d["raw_bytes"] == len(raw)
    assert len(d["raw"]) <= 65_536


def test_duplicates_are_counted_once() -> None:
    """The same event twice: processed once, the second dead-lettered as a duplicate."""
    stage = AccountStage(DetectorConfig())
    raw = orjson.dumps(event())
    out = stage.process([(raw, "t", 0, 0), (raw, "t", 0, 1)])
    assert stage.counters.events == 1
    assert "duplicate event_id" in orjson.loads(out.dlq[0][1])["error"]


def test_cluster_stage_consumes_observations() -> None:
    """Observations from the account stage feed the cluster stage without errors."""
    acc = AccountStage(DetectorConfig())
    msgs = acc.process([(orjson.dumps(r), "t", 0, i) for i, r in enumerate(firehose("fh", 30))]).observation_messages()
    assert len(msgs) == 1  # one cluster: one message for the whole batch
    cl = ClusterStage(DetectorConfig())
    out = cl.process([(v, "obs", p, i) for i, (p, v) in enumerate(msgs)])
    assert out.dlq == []
    assert cl.detector.states["34.90.1.0/24"].n == 30


def test_records_redelivered_after_a_rebalance_are_skipped_not_dead_lettered() -> None:
    """Offsets this process already handled come back after a rebalance seek: they are counted
    as redelivered, change nothing and reach no DLQ; a real duplicate event_id at a new offset
    is still dead-lettered."""
    stage = AccountStage(DetectorConfig())
    raws = [orjson.dumps(r) for r in firehose("fh", 30)]
    first = stage.process([(r, "api-requests", 2, i) for i, r in enumerate(raws[:20])])
    n_first = stage.detector.states["fh"].n
    again = stage.process([(r, "api-requests", 2, i) for i, r in enumerate(raws)])  # 0-19 again, then 20-29
    assert stage.counters.redelivered == 20
    assert stage.counters.events == 30
    assert stage.detector.states["fh"].n == n_first + 10
    assert not first.dlq
    assert not again.dlq
    dup = stage.process([(raws[0], "api-requests", 2, 30)])
    assert len(dup.dlq) == 1
    assert "duplicate event_id" in orjson.loads(dup.dlq[0][1])["error"]
    other_partition = stage.process([(orjson.dumps(event(event_id="new-1")), "api-requests", 3, 0)])
    assert not other_partition.dlq
    assert stage.counters.events == 31


def test_campaign_stage_round_trip_blocks_a_hydra_and_survives_bad_records() -> None:
    """Account stage -> campaign observations -> campaign stage -> verdicts -> account stage:
    a hydra's members are blocked; a broken internal record is dead-lettered, the rest go on."""
    acc = AccountStage(DetectorConfig())
    camp = CampaignStage(DetectorConfig())
    records = [(orjson.dumps(r), "api-requests", 0, i) for i, r in enumerate(hydra("hy", 30, 8))]
    blocked: set[str] = set()
    for i in range(0, len(records), 40):
        out = acc.process(records[i : i + 40])
        msgs = [(v, "obs", p, j) for j, (p, v) in enumerate(out.campaign_messages())]
        msgs.insert(0, (b"not json", "obs", 0, -1))
        verdicts = camp.process(msgs)
        assert len(verdicts.dlq) == 1
        back = acc.apply_verdicts([(v, "verdicts", 0, j) for j, (_, v) in enumerate(verdicts.verdicts)])
        blocked |= {k.decode() for k, v in back.decisions if orjson.loads(v)["action"] == "block"}
        blocked |= {k.decode() for k, v in out.decisions if orjson.loads(v)["action"] == "block"}
    assert len(blocked) >= 25
