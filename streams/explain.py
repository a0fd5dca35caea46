"""``distillguard explain ACCOUNT --events F``: features, baselines and scores over time."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from distillguard.models.detector import REASON_FEATURES, Detector
from distillguard.models.event import InvalidEvent, decode_for
from distillguard.streams.settings import Settings

SHOWN = ("score", "core", "automation", "population", "drift", *REASON_FEATURES[:-1], "rpm", "output_input_ratio")
"""The evaluation's scores, then the features the reasons rank (volume aside), then raw values."""


def run(args: argparse.Namespace) -> int:
    """Replay the file, trace every evaluation of one account and print them as a table."""
    rows: list[tuple[float, dict[str, Any]]] = []

    def trace(acct: str, ts: float, values: dict[str, Any]) -> None:
        if acct == args.account:
            rows.append((ts, values))

    cfg = Settings.from_env().detector
    det = Detector(cfg, trace)
    decisions = []
    with args.events.open("rb") as fh:
        for line in fh:
            try:
                for d in det.observe(decode_for(cfg, line)):
                    if d.subject == args.account:
                        decisions.append(d)
            except InvalidEvent:
                continue
    if not rows:
        print(
            f"explain: no evaluation of {args.account!r} (unknown, or fewer than min_events requests)", file=sys.stderr
        )
        return 1
    table = Table(title=f"{args.account}: every {args.every} evaluation(s); features in [0, 1], high = suspicious")
    table.add_column("time (UTC)")
    for k in SHOWN:
        table.add_column(k, justify="right")
    for ts, v in rows[:: args.every]:
        stamp = datetime.fromtimestamp(ts, UTC).strftime("%m-%d %H:%M:%S")
        table.add_row(stamp, *(f"{v[k]:.2f}" for k in SHOWN))
    console = Console(width=240)
    console.print(table)
    for d in decisions:
        console.print(
            f"[bold]{d.action}[/] at {datetime.fromtimestamp(d.ts, UTC):%H:%M:%S} "
            f"score={d.score:.2f} limit_rpm={d.limit_rpm} reasons: {'; '.join(d.reasons)}"
        )
    return 0
