"""python -m distillguard.lab.outsider --seed N --hours H --out DIR"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .plan import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="outsider", description="Generate a labelled LLM-API traffic world.")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.hours <= 0:
        ap.error("--hours must be positive")
    meta = generate(args.seed, args.hours, args.out)
    if not args.quiet:
        summary = {
            k: meta[k] for k in ("seed", "hours", "accounts", "events", "attack_share_accounts", "attack_share_events")
        }
        summary["elapsed_s"] = meta["_elapsed_s"]
        print(json.dumps(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
