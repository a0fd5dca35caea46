"""The worker's model snapshots without a broker: what is written, what is restored, the start gate."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from distillguard.models.evidence import WARMUP, PopulationScales
from distillguard.models.warm import snapshot
from distillguard.streams.settings import Settings
from distillguard.streams.worker.snapshots import KEY, ModelSnapshots, after_ready


class FakeTopic:
    def __init__(self) -> None:
        self.sent: list[tuple[bytes, bytes]] = []

    async def send(self, key: bytes, value: bytes, force: bool = False) -> None:
        self.sent.append((key, value))


def _warm() -> PopulationScales:
    scales = PopulationScales()
    for i in range(WARMUP + 10):
        scales.learn({"output_input_ratio": 1.0 + i % 7, "output_tokens": 100.0 + i % 300, "active_hours": i % 11})
    return scales


def test_only_warm_restored_scales_are_written() -> None:
    topic = FakeTopic()
    snaps = ModelSnapshots(Settings(), topic, _warm())
    assert snaps.payload() is None  # not before the restore was tried: it would overwrite a warmer one
    snaps.ready.set()
    assert asyncio.run(snaps.write()) is True
    assert topic.sent[0][0] == KEY
    assert orjson.loads(topic.sent[0][1])["n"] == WARMUP + 10
    cold = ModelSnapshots(Settings(), FakeTopic(), PopulationScales())
    cold.ready.set()
    assert cold.payload() is None


def test_a_snapshot_record_is_restored_and_a_bad_one_ignored() -> None:
    warm = _warm()
    snaps = ModelSnapshots(Settings(), FakeTopic(), PopulationScales())
    assert snaps.load(b"not json") is False
    assert snaps.load(orjson.dumps({"kind": "account-scales", "v": 0})) is False
    assert snaps.scales.n == 0
    assert snaps.restored == "none"
    assert snaps.load(orjson.dumps(snapshot(warm))) is True
    assert snaps.restored == "exact"
    assert snaps.scales.cuts == warm.cuts
    assert snaps.scales.n == warm.n


def test_the_account_stage_waits_for_the_restore() -> None:
    seen: list[list[Any]] = []

    async def handle(messages: list[Any]) -> None:
        seen.append(messages)

    async def main() -> None:
        ready = asyncio.Event()
        task = asyncio.create_task(after_ready(ready, handle)([1, 2]))
        await asyncio.sleep(0.01)
        assert seen == []
        ready.set()
        await task
        assert seen == [[1, 2]]

    asyncio.run(main())
