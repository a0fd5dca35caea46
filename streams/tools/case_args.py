"""The options of ``distillguard case``, apart from the case file: building the CLI's parser
(for every command, ``replay`` too) must not import the case file's dependencies."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``case`` subcommand's arguments."""
    p.add_argument("subject", help="an account id, an IP cluster (203.0.113.0/24) or a campaign id (c-xxxxxx)")
    p.add_argument("--events", type=Path, required=True, help="the events (JSONL) to replay")
    p.add_argument("--out", type=Path, required=True, help="folder for case.json and case.html")
    p.add_argument("--labels", type=Path, help="a simulator's labels.json: each account's label and scenario")
    p.add_argument("--verdicts", type=Path, help="analysts' verdicts (JSONL, analyst_verdict.schema.json)")
    p.add_argument("--delay", type=float, default=1.0, help="seconds from a decision to the gateway enforcing it")
