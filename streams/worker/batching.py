"""Whole-batch delivery for the hot topic: Faust's consumer, without Faust's per-message path.

Faust hands each fetched record to its streams one at a time, and for each one creates tasks
(``wait_first``), an ``Event``, a queue put and a queue get. On this project's 2-core machine
an agent that does nothing but count, over ``stream.take_events(5000)``, tops out at about
5,400 events/s, against about 45,000-60,000 events/s for the same consumer handing over whole
fetched batches (``bench/kafka_bench.py``; README, performance). For ``api-requests`` we keep
everything else Faust does (group membership, co-partitioned tables and their recovery,
offset commits, rebalances, flow control, the web server and timers) and replace only the
inner loop: records of a *batch topic* are collected per fetch and handed over in one call.

Semantics of a batch handler:

* it is awaited with the records of one fetch, in offset order per partition;
* its records are acknowledged (committable) only after it returns; if it raises, the batch
  is not acknowledged, its partitions are sought back to the batch's first offsets and it is
  delivered again after a pause: at-least-once, never a silent drop;
* a batch fetched before a rebalance is not delivered (or not acknowledged) after it: the
  new owner of the partitions reads those records again from the committed offsets, and when
  this consumer keeps a partition, it is sought back to the batch's first record (a partition
  with no committed offset is not moved by Faust's seek to committed offsets).

The fence around Faust's internals
----------------------------------
This module is the only place that reaches into Faust, mode and aiokafka privately. It is
derived from ``faust.transport.consumer.Consumer._drain_messages`` of faust-streaming
``0.15.3`` (``UPSTREAM_DRAIN_SHA256`` is the hash of that source; a test fails when the
installed source differs), and importing it with any other version raises ``ImportError``.
What it touches, and why:

* ``Consumer._drain_messages`` (overridden): the fetch loop itself;
* ``Consumer._stopped``, ``Fetcher._stopped``, ``Consumer.should_stop``: stop conditions, as upstream;
* ``Consumer._read_offset``: Faust's per-partition read position (drops re-fetched records);
* ``Consumer._add_gap``: tells Faust's commit logic about offset gaps (compaction, markers);
* ``Consumer._commit_every`` / ``_n_acked`` / ``commit``: upstream's commit-by-count;
* ``Consumer.diag`` and ``CONSUMER_FETCHING``: the fetching flag Faust's monitor shows;
* ``Consumer.wait_first`` / ``suspend_flow`` / ``flow_active``: upstream delivery for ordinary
  topics, and pausing during rebalances;
* ``Consumer.consumer_stopped_errors``: the errors that mean "the broker stopped us";
* ``App.consumer_generation_id``: detects a rebalance between fetch and delivery;
* ``App.topics.acks_enabled_for``, ``App.monitor.stream_inbound_time``: gap tracking and
  Faust's liveness check ("Stream has not started processing");
* ``App._new_transport`` (overridden) and ``aiokafka_driver.Transport.Consumer``: the hook
  that installs :class:`BatchConsumer`.

Upstream behaviours kept: the stop/cancel handling (a stop during a fetch ends the loop
quietly), the yield to the event loop every 100 records of non-batch topics, the fetching
flag, commit-by-count. Dropped: none known.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from typing import Any

import faust
import structlog
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as aiokafka_driver

log = structlog.get_logger("distillguard.batching")

PINNED = {"faust-streaming": "0.15.3", "mode-streaming": "0.7.1", "aiokafka": "0.14.0"}
"""The versions whose internals this module was written against (pyproject pins them)."""
UPSTREAM_DRAIN_SHA256 = "44a2500309e83c630493f6828af50166ec8d96a0b3e4fb2bab735f704ae93417"
"""SHA-256 of the source of faust-streaming 0.15.3's ``Consumer._drain_messages``."""


def check_pinned_versions() -> None:
    """Raise ``ImportError`` unless the pinned versions of Faust, mode and aiokafka are installed."""
    wrong = {name: version(name) for name, want in PINNED.items() if version(name) != want}
    if wrong:
        raise ImportError(
            f"distillguard.streams.worker.batching needs {PINNED}, found {wrong}: it builds on their internals"
        )


def upstream_drain_sha256() -> str:
    """SHA-256 of the installed Faust's ``Consumer._drain_messages`` source."""
    src = inspect.getsource(faust_consumer.Consumer._drain_messages)
    return hashlib.sha256(src.encode()).hexdigest()


check_pinned_versions()

BatchHandler = Callable[[list[Any]], Awaitable[None]]
RETRY_PAUSE_S = 1.0


class BatchConsumer(aiokafka_driver.Consumer):  # type: ignore[misc]
    """Faust's aiokafka consumer whose fetch loop delivers batch topics whole."""

    async def _drain_messages(self, fetcher: Any) -> None:
        handlers: dict[str, BatchHandler] = self.app.batch_handlers
        callback = self.callback
        getmany = self.getmany
        consumer_stopped = self._stopped.is_set
        fetcher_stopped = fetcher._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        acks_enabled_for = self.app.topics.acks_enabled_for
        set_flag, unset_flag = self.diag.set_flag, self.diag.unset_flag
        commit_every = self._commit_every
        since_yield = 0
        try:
            while not (consumer_stopped() or fetcher_stopped()):
                set_flag(faust_consumer.CONSUMER_FETCHING)
                generation = self.app.consumer_generation_id
                pending: dict[str, list[Any]] = {}
                await self.sleep(0)
                if self.should_stop:
                    break
                async for tp, message in getmany(timeout=1.0):
                    offset = message.offset
                    r_offset = get_read_offset(tp)
                    if r_offset is not None and offset < r_offset:
                        continue  # already read (Faust's rule: a re-fetched record is dropped)
                    if r_offset and offset - r_offset > 1 and acks_enabled_for(message.topic):
                        await self._add_gap(tp, r_offset + 1, offset)  # compaction/markers: let commits pass
                    if tp.topic in handlers:
                        pending.setdefault(tp.topic, []).append(message)
                    else:
                        since_yield += 1
                        if since_yield > 100:
                            since_yield = 0
                            await asyncio.sleep(0)
                        if commit_every is not None and self._n_acked >= commit_every:
                            self._n_acked = 0
                            await self.commit()
                        await self.wait_first(callback(message), self.suspend_flow.wait())
                    set_read_offset(tp, offset)
                unset_flag(faust_consumer.CONSUMER_FETCHING)
                await self._hand_over(pending, handlers, generation)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                log.info("broker stopped the consumer while shutting down")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                log.info("consumer cancelled while shutting down")
                return
            raise
        finally:
            unset_flag(faust_consumer.CONSUMER_FETCHING)

    async def _hand_over(
        self, pending: dict[str, list[Any]], handlers: dict[str, BatchHandler], generation: int
    ) -> None:
        """Deliver each topic's fetched batch, unless a rebalance began since the fetch: then the
        batch is rewound, not dropped (see :meth:`_rewind`)."""
        for topic, messages in pending.items():
            if self.app.consumer_generation_id != generation or not self.flow_active:
                log.info("batch from before a rebalance not delivered; rewound", topic=topic, records=len(messages))
                await self._rewind(messages)
                continue
            await self._deliver(handlers[topic], messages, generation)

    async def _rewind(self, messages: list[Any]) -> None:
        """Seek every partition of ``messages`` this consumer still owns back to its first record
        among them, so that they are fetched again.

        Needed even across a rebalance: Faust then seeks to the committed offsets, but a
        partition with no committed offset yet (a new group, or offset 0) is not moved, and the
        fetch position would stay past records never delivered. A partition that went to
        another consumer is left alone: its new owner reads from the committed offset."""
        first: dict[Any, int] = {}
        for m in messages:
            first.setdefault(m.tp, m.offset)
        owned = self.assignment()
        for tp, offset in first.items():
            if tp in owned:
                await self.seek(tp, offset)

    async def _deliver(self, handler: BatchHandler, messages: list[Any], generation: int) -> None:
        """Run the handler; acknowledge on success, rewind and retry later on failure."""
        inbound = self.app.monitor.stream_inbound_time  # Faust's "is the stream alive?" check
        now = time.monotonic()
        for m in messages:
            inbound[m.tp] = now
        try:
            await handler(messages)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("batch handler failed; rewinding to retry", records=len(messages))
            await asyncio.sleep(RETRY_PAUSE_S)
            await self._rewind(messages)
            return
        if self.app.consumer_generation_id != generation:
            return  # partitions may have moved meanwhile: their new owner re-reads, we must not commit
        ack = self.ack
        for m in messages:
            ack(m)

    async def commit(self, *args: Any, **kwargs: Any) -> bool:
        """Upstream's commit; then ``app.after_commit`` when offsets were committed."""
        did = bool(await super().commit(*args, **kwargs))
        hook = self.app.after_commit
        if did and hook is not None:
            hook()
        return did


class BatchTransport(aiokafka_driver.Transport):  # type: ignore[misc]
    """The aiokafka transport with :class:`BatchConsumer`."""

    Consumer = BatchConsumer


class BatchingApp(faust.App):  # type: ignore[misc]
    """A Faust app that can deliver a topic to a handler in whole fetched batches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_handlers: dict[str, BatchHandler] = {}
        self.after_commit: Callable[[], None] | None = None
        """Called after each offset commit that committed something (the tests' crash point)."""

    def _new_transport(self) -> Any:
        return BatchTransport(self.conf.broker_consumer, self)

    def batch_agent(self, topic: Any) -> Callable[[BatchHandler], BatchHandler]:
        """Decorator: subscribe ``topic`` and hand its records to the function a fetch at a time."""

        def register(fn: BatchHandler) -> BatchHandler:
            for name in topic.topics:
                self.batch_handlers[name] = fn
            self.topics.add(topic)
            return fn

        return register
