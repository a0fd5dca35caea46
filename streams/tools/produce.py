"""Live traffic to Kafka: simulated events produced to ``api-requests`` at (sped-up) real time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
from kafka import KafkaProducer

from distillguard.streams.settings import Settings


def produce_live(
    events: Iterator[dict[str, Any]], *, speed: float, limit: int = 0, quiet: bool = False, duration: float = 0.0
) -> int:
    """Produce events keyed by account; event time is re-based on the wall clock at ``speed`` x."""
    s = Settings.from_env()
    producer = KafkaProducer(**s.kafka_python_config(), linger_ms=5, acks=1)
    start = time.time()
    t0: float | None = None
    n = 0
    for ev in events:
        if t0 is None:
            t0 = ev["ts"]
        offset = (ev["ts"] - t0) / speed if speed > 0 else 0.0
        wait = start + offset - time.time()
        if wait > 0.002:
            time.sleep(wait)
        del ev["_text"]
        ev["ts"] = start + offset
        producer.send(s.topic_events, key=ev["account_id"].encode(), value=orjson.dumps(ev))
        n += 1
        if not quiet and n % 10_000 == 0:
            print(f"simulate: produced {n:,} events", flush=True)
        if (limit and n >= limit) or (duration and time.time() - start >= duration):
            break
    producer.flush()
    producer.close()
    print(f"simulate: produced {n} events to {s.topic_events}")
    return 0
