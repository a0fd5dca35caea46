"""Soak: a steady rate for a long time with one worker SIGKILL and restart in the middle.

Reports the worker's lag and resident memory over time, and compares the decisions on the topic
with an offline replay of exactly the events produced: decisions missing from the topic (lost)
and decision ids seen more than once (duplicates, expected after the restart and harmless).

    .venv/bin/python -m bench.soak --minutes 30 --rate 5000
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from bench import kafka_bench as kb
from bench.rate_producer import produce_at_rate
from bench.soak_plot import plot
from distillguard.lab.replay import run_replay

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 1e6


def _line(fh: BinaryIO) -> Callable[[bytes], object]:
    """Append each value as one JSONL line."""
    return lambda raw: fh.write(raw + b"\n")


def compare(got: list[dict[str, Any]], replayed: list[dict[str, Any]]) -> dict[str, int]:
    """Decisions on the topic against an offline replay of the same events.

    By ``decision_id`` (subject, action and triggering event: strict, since the live worker's
    shared models see the partitions interleaved differently from the file's order) and by
    ``(subject, action)``: a pair the replay produced and the topic lacks is a lost decision.
    """
    ids = Counter(d["decision_id"] for d in got)
    expected = {d["decision_id"] for d in replayed}
    pairs_got = {(d["subject"], d["action"]) for d in got}
    pairs_exp = {(d["subject"], d["action"]) for d in replayed}
    return {
        "decisions_on_topic": len(got),
        "distinct_decision_ids": len(ids),
        "duplicated_ids": sum(1 for c in ids.values() if c > 1),
        "replay_decisions": len(expected),
        "ids_in_replay_not_on_topic": len(expected - set(ids)),
        "ids_on_topic_not_in_replay": len(set(ids) - expected),
        "pairs_in_replay": len(pairs_exp),
        "pairs_in_replay_not_on_topic": len(pairs_exp - pairs_got),
        "pairs_on_topic_not_in_replay": len(pairs_got - pairs_exp),
    }


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
    events = work / f"{app}.jsonl"
    produced = events.open("wb")  # streamed to disk: a 30-minute soak is millions of events
    samples: list[dict[str, object]] = []
    duration = args.minutes * 60
    state = {"worker": w, "restarted": False, "next_sample": 0.0}

    def on_tick(sent: int, elapsed: float) -> None:
        wk = state["worker"]
        if not state["restarted"] and elapsed > duration / 2:
            wk.proc.send_signal(signal.SIGKILL)
            wk.proc.wait()
            wk = state["worker"] = kb.BenchWorker(app, topic, 6196, work / "soak-worker.log")
            state["restarted"] = True
            samples.append({"t": round(elapsed), "event": "worker killed and restarted"})
        if elapsed >= state["next_sample"]:
            st = wk.stats() or {}
            samples.append(
                {
                    "t": round(elapsed),
                    "produced": sent,
                    "worker_events": st.get("events"),
                    "lag_s": st.get("lag_s"),
                    "rss_mb": round(rss_mb(wk.proc.pid), 1),
                }
            )
            print(f"soak: {samples[-1]}", flush=True)
            state["next_sample"] = elapsed + 10

    try:
        n = asyncio.run(
            produce_at_rate(
                kb.BROKER, topic, kb.cycled(src), args.rate, duration, on_tick=on_tick, record=_line(produced)
            )
        )
        time.sleep(20)
    finally:
        state["worker"].stop()
        produced.close()
    got = kb.read_decisions(f"{app}-decisions")
    decisions_file = work / f"{app}-replay.jsonl"
    with decisions_file.open("wb") as out:
        run_replay(events, out)
    replayed = [orjson.loads(x) for x in decisions_file.read_bytes().splitlines()]
    report = {
        "minutes": args.minutes,
        "rate": args.rate,
        "produced": n,
        **compare(got, replayed),
        "max_lag_s": max((s.get("lag_s") or 0) for s in samples),
        "rss_mb_first_last": [samples[0].get("rss_mb"), samples[-1].get("rss_mb")],
        "samples": samples,
    }
    (ROOT / "bench" / "soak.json").write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    plot(report, ROOT / "docs" / "soak.png")
    print(orjson.dumps({k: v for k, v in report.items() if k != "samples"}).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
