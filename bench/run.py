"""``make bench``: throughput, latency, memory, restart time; writes bench/results.json and
bench/summary.md (and the restart bench's out/bench/restart.json).

Never part of the test suite. Needs the local broker (``make kafka-up``).
"""

from __future__ import annotations

import argparse
import io
import platform
import time
import uuid
from pathlib import Path

import orjson

from bench import check_bench, restart
from bench import kafka_bench as kb
from bench.memory import measure
from distillguard.lab.replay import run_replay
from distillguard.streams.settings import STORES

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench"


def log(msg: str) -> None:
    print(f"bench: {msg}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hours", type=float, default=3.0, help="simulated hours of the standard set")
    p.add_argument("--latency-s", type=float, default=30.0)
    p.add_argument("--live-s", type=float, default=60.0, help="seconds each live-rate probe runs")
    p.add_argument(
        "--no-million", action="store_true", help="skip the memory and restart measures at 1,000,000 accounts"
    )
    p.add_argument("--only-check", action="store_true", help="only the check service's latency and checks/s")
    args = p.parse_args()
    if args.only_check:
        log("check service: verdicts in memory and GET /v1/check over HTTP")
        print(orjson.dumps(check_bench.run(), option=orjson.OPT_INDENT_2).decode())
        return 0
    work = ROOT / ".state" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    sim = work / f"sim-{args.hours:g}h"
    if not (sim / "events.jsonl").exists():
        import subprocess
        import sys

        subprocess.run(
            [
                sys.executable,
                "-m",
                "distillguard.streams.cli",
                "simulate",
                "--out",
                str(sim),
                "--seed",
                "1",
                "--hours",
                str(args.hours),
                "--quiet",
            ],
            check=True,
            cwd=ROOT,
        )
    lines = (sim / "events.jsonl").read_bytes().splitlines()
    n = len(lines)
    res: dict[str, object] = {
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "events": n,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }

    log(f"replay over {n:,} events")
    stats = run_replay(sim / "events.jsonl", io.BytesIO())
    res["replay_events_per_s"] = round(stats.events_per_s)

    log("producing the backlog")
    topic = kb.new_topic("bench-req")
    res["produce_s"] = round(kb.produce_lines(topic, lines, rebase=True), 1)
    log("bare consumer")
    res["bare_consumer_events_per_s"] = round(kb.bare_consumer(topic, n))

    log("one worker draining the backlog")
    app1 = f"bench-one-{uuid.uuid4().hex[:6]}"
    w = kb.BenchWorker(app1, topic, 6191, work / "worker-one.log")
    try:
        kb._wait_up(w, settle_s=0.0)
        d1 = kb.drain([w], n)
        res["drain_events_per_s"] = d1["events_per_s"]
        res["live_drain"] = d1
    finally:
        w.stop()
    one = kb.read_decisions(f"{app1}-decisions")
    res["drain_vs_bare_ratio"] = round(d1["events_per_s"] / res["bare_consumer_events_per_s"], 3)  # type: ignore[operator]
    log("two workers in one group")
    app2 = f"bench-two-{uuid.uuid4().hex[:6]}"
    ws = [kb.BenchWorker(app2, topic, port, work / f"worker-two-{port}.log") for port in (6192, 6193)]
    try:
        kb._wait_up(*ws, settle_s=0.0)
        d2 = kb.drain(ws, n)
        res["scaleout_events_per_s"] = d2["events_per_s"]
        res["scaleout_drain"] = d2
    finally:
        for x in ws:
            x.stop()
    two = kb.read_decisions(f"{app2}-decisions")
    a = {(d["subject"], d["action"]) for d in one}
    b = {(d["subject"], d["action"]) for d in two}
    res["scaleout_same_decisions"] = {
        "one_worker": len(a),
        "two_workers": len(b),
        "common": len(a & b),
        "subjects_one": len({s for s, _ in a}),
        "subjects_two": len({s for s, _ in b}),
    }

    log("live: the highest produced rate one worker keeps up with for a minute")
    ladder = []
    for frac in (1.0, 0.85, 0.7, 0.55, 0.4):
        probe = kb.sustained(d1["events_per_s"] * frac, args.live_s, lines, work / "worker-live.log")
        ladder.append(probe)
        log(f"  {probe}")
        if probe["kept_up"]:
            break
    res["live_ladder"] = ladder
    res["live_max_events_per_s"] = max((p["rate"] for p in ladder if p["kept_up"]), default=0)
    res["worker_vs_bare_ratio"] = round(res["live_max_events_per_s"] / res["bare_consumer_events_per_s"], 3)  # type: ignore[operator]

    rate = max(100.0, res["live_max_events_per_s"] / 2)  # type: ignore[operator]
    log(f"latency at {rate:.0f} events/s for {args.latency_s:.0f} s")
    res["latency_rate_events_per_s"] = round(rate)
    res["latency_ms"] = kb.latency(rate, args.latency_s, lines[:20000], work / "worker-latency.log")

    log("memory at 100,000 accounts")
    mem = {"100k": measure(100_000)}
    if not args.no_million:
        log("memory at 1,000,000 accounts")
        mem["1m"] = measure(1_000_000)
    res["memory"] = mem
    res["state_bytes_per_account"] = mem["100k"]["bytes_per_account"]

    log("restart time per table store: SIGKILL to recovery and to the first decision")
    restarts = restart.run([100_000] if args.no_million else [100_000, 1_000_000], list(STORES))
    restart.report(restarts)
    res["restart"] = restarts

    log("check service: verdicts in memory and GET /v1/check over HTTP")
    res["check"] = check_bench.run()

    (OUT / "results.json").write_bytes(orjson.dumps(res, option=orjson.OPT_INDENT_2))
    md = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in res.items()]
    (OUT / "summary.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
