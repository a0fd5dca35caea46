"""Soak: a steady rate for a long time with one worker SIGKILL and restart in the middle.

Reports the worker's lag and resident memory over time, and compares the decisions on the topic
with an offline replay of exactly the events produced: decisions missing from the topic (lost)
and decision ids seen more than once (duplicates, expected after the restart and harmless).

    .venv/bin/python -m bench.soak --minutes 30 --rate 750
"""

from __future__ import annotations

import argparse
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import orjson
from kafka import KafkaProducer

from bench import kafka_bench as kb
from models.replay import run_replay

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 1e6


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--rate", type=float, default=750.0, help="events/s (half the measured maximum)")
    args = p.parse_args()
    work = ROOT / ".state" / "bench"
    src = (work / "sim-3h" / "events.jsonl").read_bytes().splitlines()
    app = f"soak-{uuid.uuid4().hex[:6]}"
    topic = kb.new_topic(f"{app}-req")
    w = kb.BenchWorker(app, topic, 6196, work / "soak-worker.log")
    kb._wait_up(w)
    producer = KafkaProducer(bootstrap_servers=kb.BROKER, linger_ms=5, acks=1)
    events = work / f"{app}.jsonl"
    produced = events.open("wb")  # streamed to disk: a 30-minute soak is millions of events
    samples = []
    duration = args.minutes * 60
    start = time.time()
    i = 0
    restarted = False
    next_sample = start
    try:
        while time.time() - start < duration:
            ev = orjson.loads(src[i % len(src)])
            ev["event_id"] = f"{ev['event_id']}-{i // len(src)}"
            wait = start + i / args.rate - time.time()
            if wait > 0:
                time.sleep(wait)
            ev["ts"] = time.time()  # the simulated traffic's order and mix, at the soak's rate
            raw = orjson.dumps(ev)
            producer.send(topic, key=ev["account_id"].encode(), value=raw)
            produced.write(raw + b"\n")
            i += 1
            now = time.time()
            if not restarted and now - start > duration / 2:
                w.proc.send_signal(signal.SIGKILL)
                w.proc.wait()
                w = kb.BenchWorker(app, topic, 6196, work / "soak-worker.log")
                restarted = True
                samples.append({"t": round(now - start), "event": "worker killed and restarted"})
            if now >= next_sample:
                st = w.stats()
                samples.append(
                    {
                        "t": round(now - start),
                        "produced": i,
                        "worker_events": (st or {}).get("events"),
                        "lag_s": (st or {}).get("lag_s"),
                        "rss_mb": round(rss_mb(w.proc.pid), 1),
                    }
                )
                next_sample = now + 10
        producer.flush()
        time.sleep(20)
    finally:
        w.stop()
        produced.close()
    got = kb.read_decisions(f"{app}-decisions")
    decisions_file = work / f"{app}-replay.jsonl"
    with decisions_file.open("wb") as out:
        run_replay(events, out)
    expected = {orjson.loads(x)["decision_id"] for x in decisions_file.read_bytes().splitlines()}
    ids = Counter(d["decision_id"] for d in got)
    report = {
        "minutes": args.minutes,
        "rate": args.rate,
        "produced": i,
        "decisions_on_topic": len(got),
        "distinct_decision_ids": len(ids),
        "duplicated_ids": sum(1 for c in ids.values() if c > 1),
        "replay_decisions": len(expected),
        "in_replay_not_on_topic": len(expected - set(ids)),
        "on_topic_not_in_replay": len(set(ids) - expected),
        "max_lag_s": max((s.get("lag_s") or 0) for s in samples),
        "rss_mb_first_last": [samples[0].get("rss_mb"), samples[-1].get("rss_mb")],
        "samples": samples,
    }
    (ROOT / "bench" / "soak.json").write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(orjson.dumps({k: v for k, v in report.items() if k != "samples"}).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
