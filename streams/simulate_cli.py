"""``distillguard simulate``: labelled traffic to files, or live to Kafka."""

from __future__ import annotations

import argparse
import sys
import time

import orjson
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from distillguard.models.traffic.simulate import DEFAULT_START, HELDOUT, Params, build, merged


def run(args: argparse.Namespace) -> int:
    """Write ``DIR/events.jsonl`` and ``DIR/labels.json``, or produce live with ``--kafka``."""
    params = HELDOUT if args.variant == "heldout" else Params()
    start = args.start if args.start is not None else (time.time() if args.kafka else DEFAULT_START)
    gens, labels = build(args.seed, args.hours, args.scale, params, start=start)
    if args.kafka:
        from distillguard.streams.produce import produce_live

        return produce_live(merged(gens), speed=args.speed, limit=args.limit, quiet=args.quiet, duration=args.duration)
    if args.target:
        import asyncio

        from distillguard.streams.http_clients import drive

        c = asyncio.run(drive(merged(gens), labels, args.target, args.speed, args.duration, args.stats))
        print(f"simulate: attack={c.c['attack']} benign={c.c['benign']}")
        return 0
    if args.out is None:
        print("simulate: give --out DIR or --kafka", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "labels.json").write_bytes(orjson.dumps({"accounts": labels}, option=orjson.OPT_INDENT_2))
    span = args.hours * 3600.0
    n = 0
    with (
        (args.out / "events.jsonl").open("wb") as fh,
        Progress(
            TextColumn("simulate"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}% {task.fields[n]:,} events"),
            TimeElapsedColumn(),
            disable=args.quiet,
            transient=False,
            console=None,
        ) as bar,
    ):
        task = bar.add_task("sim", total=span, n=0)
        for ev in merged(gens):
            del ev["_text"]  # prompt text never leaves the gateway: only its SimHash
            fh.write(orjson.dumps(ev) + b"\n")
            n += 1
            if n % 20_000 == 0:
                bar.update(task, completed=ev["ts"] - start, n=n)
        bar.update(task, completed=span, n=n)
    attack = sum(1 for v in labels.values() if v["label"] == "attack")
    print(f"simulate: events={n} accounts={len(labels)} attack_accounts={attack} out={args.out}")
    return 0
