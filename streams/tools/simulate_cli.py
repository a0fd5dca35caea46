"""``distillguard simulate``: labelled traffic to files, or live to Kafka."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

from distillguard.lab.traffic.simulate import DEFAULT_START, HELDOUT, Params, build, merged

VARIANTS = ["standard", "heldout", "random", "independent", "outsider"]
VARIANT_HELP = (
    "'heldout' draws other parameters for a set kept aside; 'random' draws a whole world "
    "(populations, sizes, rates, templates, infrastructure) from --seed; 'independent' runs the "
    "generator written apart from the detector (distillguard.lab.independent; files only), "
    "'outsider' a third written apart from both (distillguard.lab.outsider; files only)"
)


BLIND = ("independent", "outsider")
"""Variants made by generators written apart from the detector: files only, sizes and start their own."""


def _blind(args: argparse.Namespace) -> int:
    """Run ``lab/independent`` or ``lab/outsider`` into ``--out``."""
    v = args.variant
    if args.kafka or args.target or args.out is None:
        print(f"simulate: --variant {v} writes files only: give --out DIR", file=sys.stderr)
        return 2
    if args.scale != 1.0 or args.start is not None:
        print(f"simulate: --variant {v} draws its own sizes and start: no --scale or --start", file=sys.stderr)
        return 2
    argv = ["--seed", str(args.seed), "--hours", f"{args.hours:g}", "--out", str(args.out)]
    argv += ["--quiet"] if args.quiet else []
    if v == "independent":
        from distillguard.lab.independent.gen import main as independent

        independent(argv)
    else:
        from distillguard.lab.outsider.__main__ import main as outsider

        outsider(argv)
    return 0


def run(args: argparse.Namespace) -> int:
    """Write ``DIR/events.jsonl`` and ``DIR/labels.json``, or produce live with ``--kafka``.

    ``--variant random`` draws a whole world from the seed (see
    :mod:`distillguard.lab.traffic.randomized`) and also writes ``DIR/world.json``, the
    parameters it drew.
    """
    world = None
    if args.variant in BLIND:
        return _blind(args)
    if args.variant == "random":
        from distillguard.lab.traffic.randomized import build_random, random_start

        start = args.start if args.start is not None else (time.time() if args.kafka else random_start(args.seed))
        gens, labels, world = build_random(args.seed, args.hours, args.scale, start=start)
    else:
        params = HELDOUT if args.variant == "heldout" else Params()
        start = args.start if args.start is not None else (time.time() if args.kafka else DEFAULT_START)
        gens, labels = build(args.seed, args.hours, args.scale, params, start=start)
    if args.kafka:
        from distillguard.streams.tools.produce import produce_live

        return produce_live(merged(gens), speed=args.speed, limit=args.limit, quiet=args.quiet, duration=args.duration)
    if args.target:
        import asyncio

        from distillguard.streams.tools.http_clients import drive

        c = asyncio.run(drive(merged(gens), labels, args.target, args.speed, args.duration, args.stats))
        print(f"simulate: attack={c.c['attack']} benign={c.c['benign']}")
        return 0
    if args.out is None:
        print("simulate: give --out DIR or --kafka", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "labels.json").write_bytes(orjson.dumps({"accounts": labels}, option=orjson.OPT_INDENT_2))
    if world is not None:
        (args.out / "world.json").write_bytes(orjson.dumps(world, option=orjson.OPT_INDENT_2))
    # Imported here, not at the top: every command (replay too) builds this module's arguments.
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

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


def add_arguments(s: argparse.ArgumentParser) -> None:
    """The ``simulate`` options (shared by ``distillguard simulate`` and this module's own CLI)."""
    s.add_argument("--out", type=Path, help="write DIR/events.jsonl and DIR/labels.json")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--hours", type=float, default=8.0)
    s.add_argument("--scale", type=float, default=1.0, help="multiplies every population")
    s.add_argument("--variant", choices=VARIANTS, default="standard", help=VARIANT_HELP)
    s.add_argument("--start", type=float, default=None, help="first event time (epoch s)")
    s.add_argument("--kafka", action="store_true", help="produce live to the events topic")
    s.add_argument("--speed", type=float, default=60.0, help="with --kafka: event-time speed-up")
    s.add_argument("--limit", type=int, default=0, help="with --kafka: stop after N events")
    s.add_argument("--target", help="drive the gateway at this URL over HTTP instead")
    s.add_argument("--duration", type=float, default=0.0, help="with --target/--kafka: stop after S seconds")
    s.add_argument("--stats", type=Path, help="with --target: write live counters (JSON) here")
    s.add_argument("--quiet", action="store_true")


def parser() -> argparse.ArgumentParser:
    """The ``simulate`` options on their own (``python -m distillguard.streams.tools.simulate_cli``)."""
    s = argparse.ArgumentParser(prog="distillguard-simulate", description="generate labelled traffic")
    add_arguments(s)
    return s


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m distillguard.streams.tools.simulate_cli --variant random --seed N --out DIR``."""
    return run(parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
