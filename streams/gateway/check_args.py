"""The options of ``distillguard enforcer serve``, apart from the service: building the CLI's
parser (for every command, ``replay`` too) must not import aiohttp, Kafka and Prometheus."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``distillguard enforcer serve``."""
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8181)
    p.add_argument(
        "--deny-status",
        type=int,
        choices=[429, 403],
        default=429,
        help="status of a refusal: 429, or 403 for NGINX auth_request (which maps it back to 429)",
    )
    p.add_argument("--fail-closed", action="store_true", help="refuse every request while decisions are stale")
    p.add_argument(
        "--stale-after", type=float, default=60.0, help="seconds without the broker before decisions count as stale"
    )
