"""Thin Faust agents: take a batch, hand it to a stage, send what it returns.

``api-requests`` and the campaign verdicts arrive a whole fetch at a time
(:mod:`~distillguard.streams.worker.batching`); the low-volume repartitioned observations go
through ordinary Faust agents.

Sends use ``force=True`` so decisions leave at once instead of waiting for the offset commit;
delivery is therefore at-least-once: after a crash the events since the last commit are
processed again and their decisions re-sent with the same ``decision_id``.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import structlog
from aiokafka.errors import MessageSizeTooLargeError

from distillguard.streams.worker.batching import BatchHandler
from distillguard.streams.worker.records import dead_letter
from distillguard.streams.worker.stages import Outbox
from distillguard.streams.worker.topics import Topics

log = structlog.get_logger("distillguard.worker")

Record = tuple[bytes | None, str, int, int]
Stage = Callable[[list[Record]], Outbox]
"""A stage's batch step: ``(value, topic, partition, offset)`` records in, an :class:`Outbox` out."""
Send = Callable[[Outbox], Awaitable[None]]
NEVER_SENDABLE: tuple[type[Exception], ...] = (MessageSizeTooLargeError,)
"""Producer errors about the record itself: sending it again can never succeed."""
StreamAgent = Callable[[Any], Awaitable[None]]


def sender(t: Topics, dead_letters: Counter[str] | None = None) -> Send:
    """The function that sends a batch's output to its topics, retrying until the producer takes it.

    The input behind it is already folded into the state, so it is the *output* that is
    retried, never the processing (which would count the events twice). A retry may send some
    records twice; decisions carry stable ids, and the cluster and campaign stages skip
    observations they have counted. A record that can never be sent (larger than the broker
    takes) is dead-lettered with its destination instead of being retried for ever, which
    would stall the partition, and a restart would stall again on the same batch; it is counted
    in ``dead_letters`` as ``unsendable_output``.
    """

    async def put(topic: Any, name: str, value: bytes, **kw: Any) -> None:
        try:
            await topic.send(value=value, force=True, **kw)
        except NEVER_SENDABLE as err:
            log.error("output record can never be sent; dead-lettered", topic=name, bytes=len(value), error=repr(err))
            if dead_letters is not None:
                dead_letters["unsendable_output"] += 1
            part = kw.get("partition")
            await t.dlq.send(
                value=dead_letter(
                    f"unsendable output to {name}: {err!r}", value, name, -1 if part is None else part, -1
                ),
                force=True,
            )

    async def send_once(out: Outbox) -> None:
        for partition, value in out.observation_messages():
            await put(t.cluster_observations, "cluster_observations", value, partition=partition)
        for partition, value in out.campaign_messages():
            await put(t.campaign_observations, "campaign_observations", value, partition=partition)
        for key, value in out.verdicts:
            await put(t.verdicts, "verdicts", value, key=key)
        for key, value in out.decisions:
            await put(t.decisions, "decisions", value, key=key)
        for _key, value in out.dlq:
            await t.dlq.send(value=value, force=True)

    async def send(out: Outbox) -> None:
        for attempt in itertools.count(1):
            try:
                await send_once(out)
                return
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.warning("send failed; retrying", attempt=attempt, error=repr(err))
                # Capped backoff with jitter: workers that lost the broker together do not
                # come back in lockstep.
                await asyncio.sleep(min(5.0, 0.5 * attempt) * random.uniform(0.5, 1.0))

    return send


def records(messages: Iterable[Any]) -> list[Record]:
    """``(value, topic, partition, offset)`` of Kafka messages, as the stages take them."""
    return [(m.value, m.topic, m.partition, m.offset) for m in messages]


def each_fetch(stage: Stage, send: Send, slice_max: int | None = None) -> BatchHandler:
    """A batch handler (``app.batch_agent``): each fetch through ``stage``, its output sent.

    With ``slice_max``, large fetches are cut into slices of that many records with a yield
    between them, so the web views and timers stay responsive while a backlog drains.
    """

    async def handle(messages: list[Any]) -> None:
        step = slice_max or max(1, len(messages))
        for i in range(0, len(messages), step):
            await send(stage(records(messages[i : i + step])))

    return handle


def each_batch(stage: Stage, send: Send, batch_max: int, within_s: float) -> StreamAgent:
    """A Faust agent: up to ``batch_max`` records (or what ``within_s`` brings) through ``stage``."""

    async def agent(stream: Any) -> None:
        events: AsyncIterator[Any] = stream.take_events(batch_max, within=within_s)
        async for batch in events:
            await send(stage(records(ev.message for ev in batch)))

    return agent


def follow_verdicts(settings: Any, stage: Any, send: Send) -> Callable[[], Awaitable[None]]:
    """A task (``app.task``) that reads the whole analysts' verdicts topic, in every worker.

    It reads from the start, outside the consumer group (every worker needs every verdict: the
    subject's partition may be anyone's, now or after a rebalance), folding the records into the
    account stage's :class:`~distillguard.streams.worker.verdicts.VerdictBook`; once at the end it
    sends the decisions of the verdicts in force, then each new verdict's as it comes.
    """
    from aiokafka import AIOKafkaConsumer

    topic = settings.topic_verdicts

    async def run() -> None:
        while True:
            # No group: the consumer is given every partition of the topic, from the start.
            consumer = AIOKafkaConsumer(
                topic,
                **settings.aiokafka_config(),
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                metadata_max_age_ms=5000,
                client_id=f"{settings.app_id}-verdicts",
            )
            try:
                await consumer.start()
                end: dict[Any, int] | None = None
                caught_up = False
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=2000)
                    raws = [m.value for ms in batches.values() for m in ms]
                    if raws:
                        await send(stage.apply_analyst_verdicts(raws, catch_up=not caught_up))
                    if caught_up:
                        continue
                    tps = sorted(consumer.assignment())
                    if end is None and tps:
                        end = await consumer.end_offsets(tps)
                    if end is not None and all([await consumer.position(tp) >= end[tp] for tp in tps]):
                        caught_up = True
                        log.info("analysts' verdicts read", verdicts=len(stage.verdicts.by_subject))
                        await send(stage.verdicts_in_force())
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.warning("verdicts reader failed; restarting in 2 s", error=repr(err))
                await asyncio.sleep(2.0)
            finally:
                await consumer.stop()

    return run
