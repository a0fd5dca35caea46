"""A batch fetched before a rebalance is rewound, never dropped (``BatchConsumer._hand_over``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from distillguard.streams.worker.batching import BatchConsumer


@dataclass
class _Message:
    tp: str
    offset: int


@dataclass
class _App:
    consumer_generation_id: int


@dataclass
class _Consumer:
    """Just what the hand-over reads: the app's generation, flow, assignment and seeks."""

    app: _App
    owned: set[str]
    flow_active: bool = True
    seeks: list[tuple[str, int]] = field(default_factory=list)
    delivered: list[list[_Message]] = field(default_factory=list)

    _hand_over = BatchConsumer._hand_over
    _rewind = BatchConsumer._rewind

    def assignment(self) -> set[str]:
        return self.owned

    async def seek(self, tp: str, offset: int) -> None:
        self.seeks.append((tp, offset))

    async def _deliver(self, handler: Any, messages: list[_Message], generation: int) -> None:
        self.delivered.append(messages)


def _batch() -> list[_Message]:
    return [_Message("p0", 0), _Message("p1", 7), _Message("p0", 1), _Message("p1", 8)]


def test_a_batch_from_before_a_rebalance_is_sought_back_on_the_partitions_still_owned() -> None:
    """A new group has no committed offsets, so Faust's seek to them leaves the fetch position
    past the batch; the hand-over seeks each partition it still owns to the batch's first record."""
    c = _Consumer(_App(consumer_generation_id=2), owned={"p0"})
    asyncio.run(c._hand_over({"api-requests": _batch()}, {"api-requests": None}, generation=1))  # type: ignore[dict-item]
    assert c.delivered == []
    assert c.seeks == [("p0", 0)]


def test_a_batch_of_the_current_generation_is_delivered_without_seeking() -> None:
    c = _Consumer(_App(consumer_generation_id=1), owned={"p0", "p1"})
    asyncio.run(c._hand_over({"api-requests": _batch()}, {"api-requests": None}, generation=1))  # type: ignore[dict-item]
    assert c.delivered == [_batch()]
    assert c.seeks == []


def test_a_paused_flow_rewinds_every_owned_partition() -> None:
    c = _Consumer(_App(consumer_generation_id=1), owned={"p0", "p1"}, flow_active=False)
    asyncio.run(c._hand_over({"api-requests": _batch()}, {"api-requests": None}, generation=1))  # type: ignore[dict-item]
    assert sorted(c.seeks) == [("p0", 0), ("p1", 7)]
