"""structlog, configured once: JSON lines off a terminal (or when asked), readable on one."""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import Any

import structlog


def configure_logging(fmt: str = "auto", level: str = "info", stdlib_level: str = "warning") -> logging.Handler:
    """Configure structlog, and the standard library's root logger to render through it.

    ``fmt`` is ``json``, ``console`` or ``auto`` (console on a terminal, JSON elsewhere).
    ``level`` filters distillguard's own lines; ``stdlib_level`` those of the libraries that log
    through :mod:`logging` (Faust, mode, aiokafka, kafka-python, aiohttp), which come out in the
    same format: in JSON mode every line on stderr is one JSON object. Returns the root handler
    (the worker hands it to Faust, which sets up logging again when it starts).
    """
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _renderer(use_json),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = stdlib_handler(use_json)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(stdlib_level_number(stdlib_level))
    return handler


def _renderer(use_json: bool) -> structlog.typing.Processor:
    if use_json:
        return structlog.processors.JSONRenderer()
    # Plain tracebacks: a rich one prints every frame's local variables (a raw batch of
    # records, credentials) into the log.
    return structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)


def stdlib_handler(use_json: bool) -> logging.Handler:
    """A stderr handler that renders standard-library records as structlog renders its own:
    the same keys (``event``, ``level``, ``timestamp``) plus ``logger``, the library's logger name."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.stdlib.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _renderer(use_json),
            ],
        )
    )
    return handler


def stdlib_level_number(level: str) -> int:
    """A level name as :mod:`logging` numbers it (``warn`` and ``crit`` as Faust's CLI spells them).

    >>> stdlib_level_number("warn"), stdlib_level_number("crit"), stdlib_level_number("debug")
    (30, 50, 10)
    """
    name = {"warn": "WARNING", "crit": "CRITICAL"}.get(level.lower(), level.upper())
    number = logging.getLevelName(name)
    if not isinstance(number, int):
        raise ValueError(f"unknown log level {level!r}")
    return number


def faust_logging_config(level: str) -> dict[str, Any]:
    """Faust's ``logging_config``: the root logger at ``level`` and no handlers of Faust's own
    (the worker passes the handler of :func:`configure_logging` as ``loghandlers``)."""
    return {"version": 1, "disable_existing_loggers": False, "root": {"level": stdlib_level_number(level)}}


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
