"""``distillguard explain SUBJECT --events F``: an account's or a campaign's evidence over time.

An account shows its features, baselines and scores at each evaluation, and its decisions. A
campaign (``c-xxxxxx``, as named in decision reasons) shows its members, ties and evidence at
each evaluation, and the decisions its members received because of it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from distillguard.models.detector import CAMPAIGN_FEATURES, REASON_FEATURES, Detector
from distillguard.models.event import InvalidEvent, decode_for
from distillguard.streams.settings import Settings

SHOWN = ("score", "core", "automation", "population", "drift", *REASON_FEATURES, "rpm", "output_input_ratio")
"""The evaluation's scores, then the features the reasons rank, then raw values."""
CAMPAIGN_SHOWN = CAMPAIGN_FEATURES


def run(args: argparse.Namespace) -> int:
    """Replay the file, trace every evaluation of one subject and print them as a table."""
    rows: list[tuple[float, dict[str, Any]]] = []
    campaign = args.account.startswith("c-")

    def trace(subject: str, ts: float, values: dict[str, Any]) -> None:
        if subject == args.account:
            rows.append((ts, values))

    cfg = Settings.from_env().detector
    det = Detector(cfg, None if campaign else trace, trace if campaign else None)
    decisions = []
    with args.events.open("rb") as fh:
        for line in fh:
            try:
                for d in det.observe(decode_for(cfg, line)):
                    if d.subject == args.account or (campaign and f"campaign {args.account}:" in d.reasons[0]):
                        decisions.append(d)
            except InvalidEvent:
                continue
    if not rows:
        print(
            f"explain: no evaluation of {args.account!r} (unknown, fewer than min_events requests, "
            "or a campaign with fewer than three active accounts)",
            file=sys.stderr,
        )
        return 1
    shown = CAMPAIGN_SHOWN if campaign else SHOWN
    kind = "campaign" if campaign else "account"
    table = Table(title=f"{kind} {args.account}: every {args.every} evaluation(s); high = suspicious")
    table.add_column("time (UTC)")
    for k in shown:
        table.add_column(k, justify="right")
    for ts, v in rows[:: args.every]:
        stamp = datetime.fromtimestamp(ts, UTC).strftime("%m-%d %H:%M:%S")
        table.add_row(stamp, *(_cell(v[k]) for k in shown))
    console = Console(width=240)
    console.print(table)
    if campaign:
        last = rows[-1][1]
        console.print(f"[bold]linkage key[/] {last['key']}")
        console.print(
            f"[bold]members active at the last evaluation[/] ({len(last['members'])}): {', '.join(last['members'])}"
        )
    for d in decisions:
        console.print(
            f"[bold]{d.action}[/] {d.subject} at {datetime.fromtimestamp(d.ts, UTC):%H:%M:%S} "
            f"score={d.score:.2f} limit_rpm={d.limit_rpm} reasons: {'; '.join(d.reasons)}"
        )
    return 0


def _cell(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)
