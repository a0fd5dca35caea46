"""The options of ``distillguard console``, apart from the console: building the CLI's parser
(for every command, ``replay`` too) must not import aiohttp and the enforcement client."""

from __future__ import annotations

import argparse

from distillguard.streams.tools.console_auth import ROLES


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``distillguard console`` and its ``hash-password`` subcommand."""
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090)
    p.add_argument(
        "--secure-cookie", action="store_true", help="mark the session cookie Secure (served over TLS through a proxy)"
    )
    sub = p.add_subparsers(dest="console_command")
    h = sub.add_parser("hash-password", help="print a users-file line (the password is read from the terminal)")
    h.add_argument("--name", required=True)
    h.add_argument("--role", choices=ROLES, default="analyst")
