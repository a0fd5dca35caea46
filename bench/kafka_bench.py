"""Benchmarks against the local broker: the bare-consumer floor, worker throughput, latency,
scale-out. Each run uses its own topics and app id."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from bench.rate_producer import produce_at_rate
from tests.factories import firehose

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("DISTILLGUARD_BROKER", "127.0.0.1:9092")
PARTITIONS = 4


def new_topic(prefix: str) -> str:
    """A fresh topic with four partitions."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=BROKER)
    admin.create_topics([NewTopic(name, PARTITIONS, 1)])
    admin.close()
    return name


def produce_lines(topic: str, lines: list[bytes], rebase: bool = False) -> float:
    """Produce JSONL lines keyed by account as fast as the producer goes; returns seconds."""
    p = KafkaProducer(bootstrap_servers=BROKER, linger_ms=20, batch_size=256 * 1024, acks=1)
    start = time.perf_counter()
    shift = time.time() - orjson.loads(lines[-1])["ts"] if rebase else 0.0
    for line in lines:
        ev = orjson.loads(line)
        if rebase:
            ev["ts"] += shift
        p.send(topic, key=ev["account_id"].encode(), value=orjson.dumps(ev))
    p.flush()
    p.close()
    return time.perf_counter() - start


def bare_consumer(topic: str, n: int) -> float:
    """Events/s of a plain aiokafka consumer that decodes each value with orjson."""

    async def run() -> float:
        c = AIOKafkaConsumer(
            topic,
            bootstrap_servers=BROKER,
            group_id=f"bare-{uuid.uuid4().hex[:6]}",
            auto_offset_reset="earliest",
            max_poll_records=5000,
        )
        await c.start()
        got, start = 0, None
        try:
            while got < n:
                batch = await c.getmany(timeout_ms=1000, max_records=5000)
                for records in batch.values():
                    if start is None:
                        start = time.perf_counter()
                    for r in records:
                        orjson.loads(r.value)
                    got += len(records)
        finally:
            await c.stop()
        return got / (time.perf_counter() - (start or time.perf_counter()))

    return asyncio.run(run())


class BenchWorker:
    """A worker subprocess with its web view on its own port."""

    def __init__(self, app_id: str, events: str, port: int, log: Path, extra: dict[str, str] | None = None) -> None:
        self.port = port
        self.log_path = log
        env = {
            **os.environ,
            "DISTILLGUARD_BROKER": BROKER,
            "DISTILLGUARD_APP_ID": app_id,
            "DISTILLGUARD_TOPIC_EVENTS": events,
            "DISTILLGUARD_TOPIC_DECISIONS": f"{app_id}-decisions",
            "DISTILLGUARD_TOPIC_DLQ": f"{app_id}-dlq",
            "DISTILLGUARD_WEB_PORT": str(port),
            "DISTILLGUARD_LOG_FORMAT": "json",
            "DISTILLGUARD_LOG_LEVEL": "warning",
            "DISTILLGUARD_DATA_DIR": str(ROOT / ".state" / "bench" / f"{app_id}-{port}"),
            **(extra or {}),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "distillguard.streams.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def stats(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/dg/stats/", timeout=2) as r:
                return orjson.loads(r.read())
        except Exception:
            return None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def drain(workers: list[BenchWorker], n: int, timeout: float = 600, stall_s: float = 30.0) -> dict[str, Any]:
    """Events/s while the workers drain a backlog of ``n`` events.

    The rate comes from the workers' own counters, sampled every 0.25 s from their first
    processed event to the last. Stops early when the count has not moved for ``stall_s``
    seconds and says so (``complete: false``), so a stuck consumer shows in the results.
    """
    first: tuple[float, int] | None = None
    last: tuple[float, int] = (time.monotonic(), 0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total = sum((w.stats() or {}).get("events", 0) for w in workers)
        now = time.monotonic()
        if total > 0 and first is None:
            first = (now, total)
        if total != last[1]:
            last = (now, total)
        if total >= n or (first is not None and now - last[0] > stall_s):
            break
        time.sleep(0.25)
    if first is None:
        raise RuntimeError(f"workers did not start draining {n} events in {timeout} s")
    rate = (last[1] - first[1]) / max(last[0] - first[0], 1e-6)
    return {"events_per_s": round(rate), "processed": last[1], "complete": last[1] >= n}


def cycled(lines: list[bytes]) -> Iterator[dict[str, Any]]:
    """The simulated events over and over, each pass with fresh event ids."""
    for i in itertools.count():
        ev = orjson.loads(lines[i % len(lines)])
        ev["event_id"] = f"{ev['event_id']}-{i // len(lines)}"
        yield ev


def sustained(rate: float, seconds: float, lines: list[bytes], log: Path, bound_s: float = 5.0) -> dict[str, Any]:
    """Does one worker keep up with ``rate`` events/s produced live for ``seconds``?

    The worker's lag (wall clock minus the event time of the last event it processed) is
    sampled every 5 s; it keeps up when the lag never exceeds ``bound_s`` in the last half of
    the run and the worker has processed all but ``bound_s`` seconds' worth at the end.
    """
    app = f"bench-live-{uuid.uuid4().hex[:6]}"
    topic = new_topic(f"{app}-req")
    w = BenchWorker(app, topic, 6194, log)
    lags: list[tuple[float, float]] = []
    last = {"t": 0.0}

    def sample(sent: int, elapsed: float) -> None:
        if elapsed - last["t"] >= 5.0:
            last["t"] = elapsed
            st = w.stats() or {}
            lags.append((elapsed, float(st.get("lag_s") or 0.0)))

    try:
        _wait_up(w)
        sent = asyncio.run(produce_at_rate(BROKER, topic, cycled(lines), rate, seconds, on_tick=sample))
        done = (w.stats() or {}).get("events", 0)
    finally:
        w.stop()
    tail = [lag for t, lag in lags if t >= seconds / 2]
    kept_up = bool(tail) and max(tail) <= bound_s and sent - done <= rate * bound_s
    return {
        "rate": round(rate),
        "kept_up": kept_up,
        "max_lag_s": round(max(tail, default=-1.0), 2),
        "behind": sent - done,
    }


def read_decisions(topic: str, idle_s: float = 5.0) -> list[dict[str, Any]]:
    """Every decision on ``topic`` (until ``idle_s`` with nothing new)."""
    c = KafkaConsumer(topic, bootstrap_servers=BROKER, auto_offset_reset="earliest", group_id=None)
    out: list[dict[str, Any]] = []
    last = time.monotonic()
    while time.monotonic() - last < idle_s:
        for records in c.poll(timeout_ms=500).values():
            out += [orjson.loads(r.value) for r in records]
            last = time.monotonic()
    c.close()
    return out


def latency(rate: float, seconds: float, background: list[bytes], log: Path) -> dict[str, float]:
    """p50/p95/p99 ms from producing a triggering event to its decision reaching a consumer.

    Honest background traffic from the simulated set plus, every second, a new scripted account
    whose requests trigger a throttle, all produced in real time at ``rate`` events/s.
    """
    app = f"bench-lat-{uuid.uuid4().hex[:6]}"
    topic = new_topic(f"{app}-req")
    w = BenchWorker(app, topic, 6190, log)
    sent: dict[str, float] = {}
    lat: list[float] = []
    stop = threading.Event()

    def consume() -> None:
        c = KafkaConsumer(f"{app}-decisions", bootstrap_servers=BROKER, auto_offset_reset="earliest", group_id=None)
        while not stop.is_set():
            for records in c.poll(timeout_ms=100).values():
                now = time.time()
                for r in records:
                    d = orjson.loads(r.value)
                    t = sent.get(d["trigger_event_id"])
                    if t is not None and d["action"] == "throttle":
                        lat.append((now - t) * 1000)
        c.close()

    try:
        _wait_up(w)
        reader = threading.Thread(target=consume, daemon=True)
        reader.start()
        time.sleep(3.0)
        scripts: list[list[dict[str, Any]]] = []
        t0 = time.time()

        def source() -> Iterator[dict[str, Any]]:
            k = 0
            while True:
                now = time.time()
                if now - t0 > len(scripts):  # a new campaign account every second
                    scripts.append(firehose(f"lat-{len(scripts)}", 40, t0=now, rpm=600))
                due = next((s for s in scripts if s and s[0]["ts"] <= now), None)
                if due is not None:
                    ev = due.pop(0)
                    sent[ev["event_id"]] = now
                else:
                    ev = orjson.loads(background[k % len(background)])
                    ev["event_id"] = f"bg-{k}"
                    k += 1
                yield ev

        n = asyncio.run(produce_at_rate(BROKER, topic, source(), rate, seconds))
        achieved = n / (time.time() - t0)
        time.sleep(5.0)
    finally:
        stop.set()
        w.stop()
    lat.sort()
    if not lat:
        return {"p50": -1.0, "p95": -1.0, "p99": -1.0, "n": 0, "achieved_events_per_s": round(achieved)}
    q: Callable[[float], float] = lambda x: round(lat[min(len(lat) - 1, int(x * len(lat)))], 1)  # noqa: E731
    return {"p50": q(0.5), "p95": q(0.95), "p99": q(0.99), "n": len(lat), "achieved_events_per_s": round(achieved)}


def _wait_up(*workers: BenchWorker, timeout: float = 90, settle_s: float = 4.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(w.stats() is not None for w in workers):
            time.sleep(settle_s)  # group join and assignment
            return
        time.sleep(0.5)
    raise RuntimeError("bench worker did not start")
