"""Run one of the project's aiohttp services in the foreground (check service, console, demo
gateway): quiet start-up, the service's own structured logs instead of aiohttp's."""

from __future__ import annotations

import asyncio

from aiohttp import web


def serve(app: web.Application, host: str, port: int, *, access_log: bool = False) -> None:
    """Serve ``app`` on ``host:port`` until interrupted, on a fresh event loop."""
    web.run_app(
        app,
        host=host,
        port=port,
        print=None,
        access_log=web.access_logger if access_log else None,
        loop=asyncio.new_event_loop(),
    )
