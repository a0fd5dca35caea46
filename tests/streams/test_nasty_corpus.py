"""A corpus of nasty records through the worker stage: each lands on the DLQ with a precise
reason, the good records around them are all processed, duplicates count once."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.config import DetectorConfig
from distillguard.streams.worker.stages import AccountStage
from tests.factories import T0, event

NOW = T0 + 1000

CORPUS: list[tuple[bytes | None, str]] = [
    (b"not json at all", "not valid JSON"),
    (b"\xc3\x28\xa0\xa1", "not valid JSON"),
    (b'"a string"', "must be a JSON object, got str"),
    (b"42", "must be a JSON object, got int"),
    (b'{"ts": NaN}', "not valid JSON"),
    (b'{"ts": Infinity}', "not valid JSON"),
    (b"[" * 2000 + b"]" * 2000, "not valid JSON"),
    (orjson.dumps(event(event_id="n1", input_tokens=-1)), "field 'input_tokens' = -1"),
    (orjson.dumps(event(event_id="n2", output_tokens=10**9)), "field 'output_tokens'"),
    (orjson.dumps(event(event_id="n3", ts=T0 + 10**8)), "in the future"),
    (orjson.dumps(event(event_id="n4", ts=T0 - 10**6)), "late event"),
    (orjson.dumps(event(event_id="n5", ip="300.2.3.4")), "field 'ip'"),
    (orjson.dumps(event(event_id="n6", account_id="a" * 2_000_000)), "field 'account_id' length"),
    (orjson.dumps(event(event_id="n7", user_agent={"nested": [1, {"deep": True}]})), "field 'user_agent'"),
    (orjson.dumps(event(event_id="n8", status=True)), "field 'status' must be an integer, got bool"),
    (orjson.dumps(event(event_id="good-0")), "duplicate event_id"),
    (None, "record has no value"),
]


def test_each_nasty_record_is_dead_lettered_with_its_reason() -> None:
    """Every corpus record is rejected with its expected reason; every good record is processed."""
    good = [orjson.dumps(event(event_id=f"good-{i}", ts=T0 + i)) for i in range(40)]
    records: list[tuple[bytes | None, str, int, int]] = []
    offset = 0
    for i, g in enumerate(good):
        records.append((g, "api-requests", 0, offset))
        offset += 1
        if i < len(CORPUS):
            records.append((CORPUS[i][0], "api-requests", 0, offset))
            offset += 1
    stage = AccountStage(DetectorConfig(lateness_s=300))
    out = stage.process(records, now=NOW)
    assert stage.counters.events == len(good)
    assert stage.counters.rejected == len(CORPUS)
    errors = [orjson.loads(v)["error"] for _, v in out.dlq]
    for (_, reason), error in zip(CORPUS, errors, strict=True):
        assert reason in error, (reason, error)


@settings(max_examples=60, deadline=None)
@given(junk=st.lists(st.one_of(st.binary(max_size=200), st.none()), max_size=20))
def test_no_record_is_lost_or_crashes_the_stage(junk: list[bytes | None]) -> None:
    """Random records mixed with good ones: events + rejected == records, and nothing raises."""
    good = [orjson.dumps(event(event_id=f"g{i}", ts=T0 + i)) for i in range(10)]
    records = [(r, "t", 0, i) for i, r in enumerate(good + junk)]
    stage = AccountStage(DetectorConfig())
    out = stage.process(records, now=NOW)
    assert stage.counters.events + stage.counters.rejected == len(records)
    assert len(out.dlq) == stage.counters.rejected
    assert stage.counters.events >= len(good)


@pytest.mark.parametrize("lateness", [60.0, 600.0])
def test_out_of_order_within_the_allowance_is_folded_in(lateness: float) -> None:
    """An event 100 s behind the watermark is accepted with a 600 s allowance and dead-lettered with 60 s."""
    stage = AccountStage(DetectorConfig(lateness_s=lateness))
    records = [
        (orjson.dumps(event(event_id="a", ts=T0 + 200)), "t", 0, 0),
        (orjson.dumps(event(event_id="b", ts=T0 + 100)), "t", 0, 1),
    ]
    out = stage.process(records, now=NOW)
    assert stage.counters.events == (2 if lateness > 100 else 1)
    assert len(out.dlq) == (0 if lateness > 100 else 1)
