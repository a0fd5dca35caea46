"""Offline replay: the worker's detection code over a JSONL file, in event order, no Kafka."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.models.detector import Detector
from distillguard.models.event import InvalidEvent, decode_for

PROGRESS_EVERY = 50_000
"""Lines between two progress reports."""


@dataclass(slots=True)
class ReplayStats:
    """What one replay did."""

    events: int = 0
    rejected: int = 0
    decisions: int = 0
    seconds: float = 0.0

    @property
    def events_per_s(self) -> float:
        """Valid and rejected lines per wall-clock second."""
        return (self.events + self.rejected) / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        return (
            f"replay: events={self.events} rejected={self.rejected} decisions={self.decisions} "
            f"events_per_s={self.events_per_s:,.0f}"
        )


def dead_letter(error: str, raw: bytes, source: str, line: int) -> dict[str, Any]:
    """A DLQ record for a rejected line (same shape as the Kafka DLQ, file position as offset)."""
    return {
        "error": error,
        "raw": raw.decode("utf-8", "backslashreplace"),
        "topic": source,
        "partition": 0,
        "offset": line,
        "ts": time.time(),
    }


def replay_lines(
    lines: Iterable[bytes],
    detector: Detector,
    source: str = "-",
    stats: ReplayStats | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Decision | dict[str, Any]]:
    """Yield each decision (a :class:`Decision`) and each rejected line (a DLQ dict), in order.

    With ``stats``, the valid events are counted into ``stats.events``; ``progress`` is told the
    lines read every ``PROGRESS_EVERY``.
    """
    cfg, observe = detector.cfg, detector.observe
    now = time.time()
    report = PROGRESS_EVERY - 1  # the index of the next line after which progress is reported
    valid = 0
    try:
        for i, line in enumerate(lines):
            if i == report:
                report += PROGRESS_EVERY
                if progress is not None:
                    progress(i + 1)
            if not line or line.isspace():  # a blank line (``isspace``: no copy, unlike ``strip``)
                continue
            raw = line.rstrip(b"\r\n")
            if i % 4096 == 0:
                now = time.time()
            try:
                decisions = observe(decode_for(cfg, raw, now))
            except InvalidEvent as err:
                yield dead_letter(str(err), raw, source, i)
            else:
                valid += 1
                if decisions:
                    yield from decisions
    finally:
        if stats is not None:
            stats.events += valid


def run_replay(
    events: Path,
    out: IO[bytes],
    dlq: IO[bytes] | None = None,
    cfg: DetectorConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReplayStats:
    """Replay ``events`` and write decisions (and rejects, when ``dlq`` is given) as JSON lines."""
    detector = Detector(cfg)
    stats = ReplayStats()
    start = time.perf_counter()
    with events.open("rb") as fh:
        for item in replay_lines(fh, detector, str(events), stats, progress):
            if isinstance(item, Decision):
                stats.decisions += 1
                out.write(orjson.dumps(item.to_dict()) + b"\n")
            else:
                stats.rejected += 1
                if dlq is not None:
                    dlq.write(orjson.dumps(item) + b"\n")
    stats.seconds = time.perf_counter() - start
    return stats
