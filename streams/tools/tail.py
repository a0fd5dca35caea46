"""``distillguard decisions``: print decisions from ``throttle-decisions`` as they arrive."""

from __future__ import annotations

import argparse
import time

import orjson
from kafka import KafkaConsumer

from distillguard.streams.settings import Settings


def format_decision(d: dict[str, object]) -> str:
    """One decision as one readable line."""
    reasons = d.get("reasons") or []
    first = reasons[0] if isinstance(reasons, list) and reasons else ""
    limit = f" limit_rpm={d['limit_rpm']}" if d.get("limit_rpm") is not None else ""
    return (
        f"{d['action']:>8} {d['subject_type']:<10} {d['subject']:<22} score={float(d['score']):.2f}"  # type: ignore[arg-type]
        f"{limit} ttl={d['ttl_s']}s  {first}"
    )


def run(args: argparse.Namespace) -> int:
    """Follow the topic until ``--seconds`` pass with nothing new."""
    s = Settings.from_env()
    c = KafkaConsumer(
        s.topic_decisions,
        **s.kafka_python_config(),
        group_id=None,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
    )
    idle_since = time.monotonic()
    n = 0
    while time.monotonic() - idle_since < args.seconds:
        for records in c.poll(timeout_ms=500).values():
            for r in records:
                print(format_decision(orjson.loads(r.value)), flush=True)
                n += 1
                idle_since = time.monotonic()
    c.close()
    print(f"decisions: {n} shown")
    return 0
