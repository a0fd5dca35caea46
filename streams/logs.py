"""structlog, configured once: JSON lines off a terminal (or when asked), readable on one."""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import Any

import structlog


def configure_logging(fmt: str = "auto", level: str = "info") -> None:
    """Configure structlog and the standard library's root logger.

    ``fmt`` is ``json``, ``console`` or ``auto`` (console on a terminal, JSON elsewhere).
    """
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        # Plain tracebacks: a rich one prints every frame's local variables (a raw batch of
        # records, credentials) into the log.
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


class SampledLog:
    """At most ``per_window`` lines per ``window_s`` seconds for one kind of event; the lines
    held back are counted and reported in the next line that gets through.

    A flood of bad records (a broken producer sends thousands a second) must not turn the log
    into the bottleneck, and every record is still counted (and dead-lettered) elsewhere.
    """

    def __init__(self, logger: Any, per_window: int = 20, window_s: float = 10.0, clock: Any = None) -> None:
        self.logger = logger
        self.per_window = per_window
        self.window_s = window_s
        self.clock = clock or time.monotonic
        self.window_start = -math.inf
        self.in_window = 0
        self.suppressed = 0

    def warning(self, event: str, **kw: Any) -> None:
        """Log ``event`` unless this window's share is spent."""
        now = self.clock()
        if now - self.window_start >= self.window_s:
            self.window_start, self.in_window = now, 0
        if self.in_window >= self.per_window:
            self.suppressed += 1
            return
        self.in_window += 1
        if self.suppressed:
            kw["suppressed_before"] = self.suppressed
            self.suppressed = 0
        self.logger.warning(event, **kw)
