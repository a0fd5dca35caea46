"""Restart time with N tracked accounts, per table store: SIGKILL to recovery and to first decision.

For each size, the account table's changelog is filled with N checkpoints in the worker's own
format (the key as Faust's JSON key serializer writes it, the value as ``AccountState.to_state``
JSON, on the partition of the account's events): exactly what a restarted worker replays. Then,
for each store on the same topics: a worker starts (with the memory store it replays the
changelog; with RocksDB it replays it into its empty local files), decides on one harvesting
account, and is SIGKILLed; a new worker starts at once on the same data folder, a new harvesting
account's requests are produced right away, and the bench records, from the kill: partitions
assigned, recovery complete (``/readyz``), and that account's first decision on the topic.

    .venv/bin/python -m bench.restart --accounts 100000,1000000 --stores memory,rocksdb

Needs the local broker (``make kafka-up``); prints a table and writes ``out/bench/restart.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.partitioner.default import murmur2
from kafka.structs import OffsetAndMetadata

from bench import kafka_bench as kb
from distillguard.models.account_features import AccountState, Baseline
from distillguard.models.event import parse_event
from distillguard.models.policy import SubjectPolicy
from distillguard.streams.settings import STORES, Settings
from distillguard.streams.worker.admin import changelog_topic, ensure_topics
from tests.factories import event, firehose

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".state" / "bench"
PORT = 6197
TEMPLATES = 1024
STALL_S = 60.0
"""Longest wait for the harvesting account's decision once the worker reports itself ready."""


def log(msg: str) -> None:
    print(f"bench-restart: {msg}", flush=True)


def checkpoints(k: int, now: float, seed: int = 1) -> list[bytes]:
    """``k`` distinct account checkpoints, each from 8 requests through the real ``AccountState``
    (varied prompt hashes, policy and baseline set), last seen a few minutes before ``now``."""
    rng = random.Random(seed)
    e = parse_event(event())
    out = []
    for i in range(k):
        st = AccountState(now - 600)
        for j in range(8):
            e.ts = now - 600 + 30 * j
            e.simhash = rng.getrandbits(64)
            e.cluster = f"98.{i % 256}.{j % 256}.0/24"
            st.update(e)
        st.policy = SubjectPolicy()
        st.baseline = Baseline(0.1, 0.01, 5.0, 1.0)
        out.append(orjson.dumps(st.to_state()))
    return out


def bench_settings(app: str, events: str) -> Settings:
    """The settings :class:`bench.kafka_bench.BenchWorker` gives a worker of app ``app``."""
    return Settings(
        broker=kb.BROKER,
        app_id=app,
        topic_events=events,
        topic_decisions=f"{app}-decisions",
        topic_dlq=f"{app}-dlq",
    )


def fill(s: Settings, n: int) -> dict[str, Any]:
    """Create the worker's topics (its own admin code) and write ``n`` account checkpoints to the
    account table's changelog, each on the partition of the account's events.

    The group's offsets on the events topic are committed (at 0), as a running deployment's are:
    a worker killed before its first commit would leave its successor none to seek back to.
    """
    ensure_topics(s)
    admin = KafkaAdminClient(bootstrap_servers=kb.BROKER)
    start_at = OffsetAndMetadata(0, "", -1)
    admin.alter_group_offsets(s.app_id, {TopicPartition(s.topic_events, q): start_at for q in range(s.partitions)})
    admin.close()
    values = checkpoints(TEMPLATES, time.time())
    start = time.perf_counter()
    asyncio.run(_send_checkpoints(changelog_topic(s, "account-state"), s.partitions, n, values))
    size = sum(len(values[i % TEMPLATES]) for i in range(min(n, TEMPLATES)))
    return {"fill_s": round(time.perf_counter() - start, 1), "checkpoint_bytes": round(size / min(n, TEMPLATES))}


async def _send_checkpoints(topic: str, partitions: int, n: int, values: list[bytes]) -> None:
    """Accounts ``acct-0000000`` ... in record batches per partition (aiokafka's batch API: a
    per-record ``send`` is ten times slower here)."""
    p = AIOKafkaProducer(bootstrap_servers=kb.BROKER, acks=1, max_batch_size=1 << 20, max_request_size=1 << 22)
    await p.start()
    try:
        batches = {q: p.create_batch() for q in range(partitions)}
        sent = []
        for i in range(n):
            account = f"acct-{i:07d}"
            q = (murmur2(account.encode()) & 0x7FFFFFFF) % partitions
            key, value = orjson.dumps(account), values[i % len(values)]
            if batches[q].append(key=key, value=value, timestamp=None) is None:  # full
                batches[q].close()
                sent.append(await p.send_batch(batches[q], topic, partition=q))
                batches[q] = p.create_batch()
                batches[q].append(key=key, value=value, timestamp=None)
        for q, batch in batches.items():
            batch.close()
            sent.append(await p.send_batch(batch, topic, partition=q))
        await asyncio.gather(*sent)
    finally:
        await p.stop()


def produce_harvester(topic: str, account: str) -> None:
    """A harvesting script's 40 requests, timestamped from now (throttled at its 20th)."""
    p = KafkaProducer(bootstrap_servers=kb.BROKER, linger_ms=5, acks=1)
    for ev in firehose(account, 40, t0=time.time(), rpm=600):
        p.send(topic, key=account.encode(), value=orjson.dumps(ev))
    p.flush()
    p.close()


class DecisionWatch:
    """Reads the decisions topic from its end in a thread; when each subject was first seen."""

    def __init__(self, topic: str) -> None:
        self.first: dict[str, float] = {}
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(topic, bootstrap_servers=kb.BROKER, auto_offset_reset="latest")
        while not self._consumer.assignment():  # positioned at the end before anything is awaited
            self._consumer.poll(timeout_ms=200)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=100).values():
                now = time.monotonic()
                for r in records:
                    self.first.setdefault(orjson.loads(r.value)["subject"], now)
        self._consumer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


def readiness(port: int) -> dict[str, Any] | None:
    """The worker's ``/readyz`` body (200 or 503), or ``None`` while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
            return orjson.loads(r.read())
    except urllib.error.HTTPError as err:
        return orjson.loads(err.read())
    except (OSError, ValueError):
        return None


def wait_for(done: Callable[[], bool], timeout: float, what: str, worker: kb.BenchWorker) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if worker.proc.poll() is not None:
            raise RuntimeError(f"the worker exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} within {timeout:.0f} s")
        time.sleep(0.1)


def timeline(w: kb.BenchWorker, t0: float, watch: DecisionWatch, subject: str, timeout: float) -> dict[str, float]:
    """Seconds from ``t0`` until the worker's partitions are assigned, its recovery is complete,
    and ``subject``'s first decision is on the topic."""
    marks: dict[str, float] = {}

    def step() -> bool:
        body = readiness(PORT) or {}
        now = time.monotonic() - t0
        if body.get("checks", {}).get("partitions_assigned"):
            marks.setdefault("assigned_s", now)
        if body.get("ready"):
            marks.setdefault("ready_s", now)
        if subject in watch.first:
            marks.setdefault("first_decision_s", watch.first[subject] - t0)
        if "first_decision_s" not in marks and now - marks.get("ready_s", now) > STALL_S:
            raise RuntimeError(f"recovered, but no decision for {subject} {STALL_S:.0f} s later (see {w.log_path})")
        return {"ready_s", "first_decision_s"} <= marks.keys()

    wait_for(step, timeout, f"recovery and a decision for {subject}", w)
    return {k: round(v, 2) for k, v in sorted(marks.items(), key=lambda kv: kv[1])}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as fh:
        return round(int(fh.read().split()[1]) * 4096 / 1e6, 1)


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def run_store(s: Settings, store: str, n: int, timeout: float) -> dict[str, Any]:
    """Start, SIGKILL, restart at once: the restart's timeline for one store.

    A RocksDB worker is killed once it has recovered (filling its local files) and decided on a
    harvesting account. A memory-store worker is killed as soon as it holds the partitions: its
    successor replays the whole changelog whenever it was killed, so its first replay would only
    lengthen the bench (the RocksDB worker's first start is that replay, into empty files).
    """
    data = WORK / f"{s.app_id}-{store}"
    env = {"DISTILLGUARD_STORE": store, "DISTILLGUARD_DATA_DIR": str(data), "DISTILLGUARD_LOG_LEVEL": "info"}
    out = WORK / f"restart-{s.app_id}-{store}.log"
    watch = DecisionWatch(s.topic_decisions)
    w = kb.BenchWorker(s.app_id, s.topic_events, PORT, out, env)
    row: dict[str, Any] = {"store": store, "accounts": n}
    try:
        t0 = time.monotonic()
        if store == "memory":
            wait_for(lambda: bool((readiness(PORT) or {}).get("partitions")), timeout, "partitions", w)
        else:
            row["first_start"] = timeline(w, t0, watch, _harvest(s, f"warm-{store}"), timeout)
            time.sleep(s.checkpoint_interval_s + 0.5)  # its checkpoints written
        w.proc.send_signal(signal.SIGKILL)
        w.proc.wait()
        killed = time.monotonic()
        w = kb.BenchWorker(s.app_id, s.topic_events, PORT, out, env)
        row |= timeline(w, killed, watch, _harvest(s, f"after-kill-{store}"), timeout)
        row["rss_mb"] = rss_mb(w.proc.pid)
    finally:
        w.stop()
        watch.close()
    if store == "rocksdb":
        row["data_dir_mb"] = dir_mb(data)
    shutil.rmtree(data, ignore_errors=True)
    return row


def _harvest(s: Settings, account: str) -> str:
    produce_harvester(s.topic_events, account)
    return account


def measure(n: int, stores: list[str], timeout: float = 900.0) -> list[dict[str, Any]]:
    """One changelog of ``n`` accounts; each store's restart over it, in turn."""
    app = f"bench-restart-{uuid.uuid4().hex[:6]}"
    s = bench_settings(app, kb.new_topic(f"{app}-req"))
    log(f"{n:,} accounts: filling {changelog_topic(s, 'account-state')}")
    filled = fill(s, n)
    log(f"  {filled}")
    rows = []
    try:
        for store in stores:
            log(f"{n:,} accounts, {store} store: start, decide, SIGKILL, restart")
            row = run_store(s, store, n, timeout) | filled
            log(f"  {row}")
            rows.append(row)
    finally:
        drop_topics(app)
    return rows


def drop_topics(app: str) -> None:
    """Delete the topics of ``app`` (a million checkpoints are ~0.9 GB of the broker's disk)."""
    admin = KafkaAdminClient(bootstrap_servers=kb.BROKER)
    try:
        admin.delete_topics([t for t in admin.list_topics() if t.startswith(f"{app}-")])
    finally:
        admin.close()


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (seconds from the SIGKILL)."""
    lines = [
        "| accounts | store | kill → partitions assigned | kill → recovered | kill → first decision | RSS after | first start (empty local store) → recovered |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        first = r.get("first_start", {}).get("ready_s")
        lines.append(
            f"| {r['accounts']:,} | {r['store']} | {r.get('assigned_s', '-')} s | {r['ready_s']} s "
            f"| {r['first_decision_s']} s | {r['rss_mb']:,} MB | {f'{first} s' if first else '-'} |"
        )
    return "\n".join(lines)


def run(sizes: list[int], stores: list[str]) -> dict[str, Any]:
    """Every size with every store; the results with the machine and the date."""
    WORK.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    rows = [row for n in sizes for row in measure(n, stores)]
    return {
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "bench_s": round(time.monotonic() - start),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", default="100000,1000000", help="comma-separated sizes")
    p.add_argument("--stores", default=",".join(STORES), help=f"comma-separated, of {', '.join(STORES)}")
    p.add_argument("--out", type=Path, default=ROOT / "out" / "bench", help="folder for restart.json")
    args = p.parse_args()
    sizes = [int(x.replace("_", "")) for x in args.accounts.split(",") if x]
    stores = [x for x in args.stores.split(",") if x]
    if bad := set(stores) - set(STORES):
        p.error(f"unknown store {sorted(bad)}")
    report(run(sizes, stores), args.out)
    return 0


def report(res: dict[str, Any], out: Path = ROOT / "out" / "bench") -> None:
    """Print the table; write ``restart.json`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "restart.json").write_bytes(orjson.dumps(res, option=orjson.OPT_INDENT_2))
    print(table(res["rows"]))
    log(f"took {res['bench_s']} s; wrote {out / 'restart.json'}")


if __name__ == "__main__":
    raise SystemExit(main())
