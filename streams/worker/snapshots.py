"""The account stage's population scales, snapshotted to ``<app>-models`` so a worker starts warm.

Every worker writes its scales (:mod:`distillguard.models.warm`, plain JSON) under one key of a
one-partition compacted topic every :data:`SNAPSHOT_INTERVAL_S` and when it stops, once they are
warm (``WARMUP`` values learned). At start, before the account stage takes its first event, the
worker reads the topic to its end and restores the newest snapshot; if it cannot (no topic, no
snapshot, another format, a broker that does not answer within :data:`RESTORE_TIMEOUT_S`) it
starts cold, as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import structlog

from distillguard.models.evidence import WARMUP, PopulationScales
from distillguard.models.warm import UnknownSnapshot, restore, snapshot
from distillguard.streams.worker.batching import BatchHandler

log = structlog.get_logger("distillguard.worker")

SNAPSHOT_INTERVAL_S = 60.0
"""How often a worker writes its scales (a restart loses at most this much learning)."""
RESTORE_TIMEOUT_S = 15.0
"""How long the account stage waits for the snapshot at start before it starts cold."""
KEY = b"account-scales"
"""The one key: the newest snapshot, whichever worker wrote it, is the one a worker restores."""


class ModelSnapshots:
    """Restores the scales at start (``ready`` is set once done, or given up), writes them later."""

    def __init__(self, settings: Any, topic: Any, scales: PopulationScales) -> None:
        self.settings, self.topic, self.scales = settings, topic, scales
        self.ready = asyncio.Event()
        self.restored = "none"
        """``exact`` (estimators too), ``cuts`` (cuts held while fresh estimators warm up) or ``none``."""

    async def restore(self) -> None:
        """Read the topic to its end and restore the newest snapshot; ``ready`` is set in any case."""
        try:
            raw = await asyncio.wait_for(self._newest(), RESTORE_TIMEOUT_S)
            if raw is not None:
                self.load(raw)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.warning("model snapshot not read; starting cold", error=repr(err))
        finally:
            self.ready.set()

    def load(self, raw: bytes) -> bool:
        """Restore the scales from one snapshot record; whether it was used."""
        try:
            exact = restore(self.scales, orjson.loads(raw))
        except (UnknownSnapshot, orjson.JSONDecodeError) as err:
            log.warning("model snapshot ignored; starting cold", reason=str(err))
            return False
        self.restored = "exact" if exact else "cuts"
        log.info("population scales restored", n=self.scales.n, estimators=exact)
        return True

    async def _newest(self) -> bytes | None:
        """The newest snapshot on the topic (``None``: there is none)."""
        from aiokafka import AIOKafkaConsumer, TopicPartition

        await self.topic.maybe_declare()
        tp = TopicPartition(self.settings.models_topic, 0)
        consumer = AIOKafkaConsumer(
            **self.settings.aiokafka_config(),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id=f"{self.settings.app_id}-models",
        )
        await consumer.start()
        try:
            consumer.assign([tp])
            end = (await consumer.end_offsets([tp]))[tp]
            newest = None
            while await consumer.position(tp) < end:
                for ms in (await consumer.getmany(tp, timeout_ms=500)).values():
                    newest = next((m.value for m in reversed(ms) if m.key == KEY), newest)
            return newest
        finally:
            await consumer.stop()

    def payload(self) -> bytes | None:
        """The snapshot to write, once restored (or given up) and warm; ``None`` otherwise."""
        if not self.ready.is_set() or self.scales.n < WARMUP:
            return None
        return orjson.dumps(snapshot(self.scales))

    async def write(self) -> bool:
        """Write the snapshot (if there is one to write); whether it was sent."""
        value = self.payload()
        if value is None:
            return False
        await self.topic.send(key=KEY, value=value, force=True)
        return True


def after_ready(ready: asyncio.Event, handle: BatchHandler) -> BatchHandler:
    """``handle``, each batch only once ``ready`` is set (the scales restored or given up)."""

    async def gated(messages: list[Any]) -> None:
        if not ready.is_set():
            await ready.wait()
        await handle(messages)

    return gated


def add_snapshots(app: Any, snaps: ModelSnapshots) -> None:
    """The restore task, the periodic write and the write at shutdown."""
    app.task(snaps.restore)

    @app.timer(interval=SNAPSHOT_INTERVAL_S, name="models_snapshot")
    async def write_snapshot() -> None:
        """The population scales to ``<app>-models`` (newest wins)."""
        try:
            if await snaps.write():
                log.debug("model snapshot written", n=snaps.scales.n)
        except Exception as err:  # a lost snapshot costs warmth, never decisions
            log.warning("model snapshot not written", error=repr(err))

    @app.on_before_shutdown.connect
    async def write_at_shutdown(app: Any, **kwargs: Any) -> None:
        """A stopping worker writes its scales once more (the producer is flushed after this)."""
        try:
            await snaps.write()
        except Exception as err:
            log.warning("model snapshot not written at shutdown", error=repr(err))
