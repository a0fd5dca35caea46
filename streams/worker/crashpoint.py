"""A crash point for tests only: the worker SIGKILLs itself at an exact place in its cycle.

``DG_TEST_SIGKILL_AFTER=commit:N`` kills the worker right after its ``N``-th offset commit that
committed something; ``checkpoint:N`` right after the ``N``-th checkpoint tick that wrote
state (the changelog records queued, not necessarily delivered). The kill tests
(``tests/integration/test_kill_window.py``) use it to crash inside the window between an
offset commit and the next checkpoint, which a kill from outside hits only by chance.

It is deliberately not a ``DISTILLGUARD_*`` setting: it is no part of the worker's
configuration, and nothing but a test should ever set it.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping

ENV = "DG_TEST_SIGKILL_AFTER"
PLACES = ("commit", "checkpoint")


class CrashPoint:
    """Counts the places reached; SIGKILLs the process at the chosen one."""

    def __init__(self, place: str, n: int) -> None:
        if place not in PLACES or n < 1:
            raise ValueError(f"{ENV}={place}:{n}: expected commit:N or checkpoint:N with N >= 1")
        self.place, self.n, self.seen = place, n, 0

    def reached(self, place: str) -> None:
        """Called at each commit and checkpoint; kills the process at the chosen one."""
        if place != self.place:
            return
        self.seen += 1
        if self.seen >= self.n:
            sys.stdout.write(f'{{"event": "test crash point: SIGKILL after {place} {self.seen}"}}\n')
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)


def from_env(environ: Mapping[str, str] | None = None) -> CrashPoint | None:
    """The crash point ``DG_TEST_SIGKILL_AFTER`` asks for, or ``None``."""
    spec = (os.environ if environ is None else environ).get(ENV, "")
    if not spec:
        return None
    place, _, n = spec.partition(":")
    try:
        return CrashPoint(place, int(n))
    except ValueError as err:
        raise ValueError(f"{ENV}={spec!r}: expected commit:N or checkpoint:N with N >= 1") from err
