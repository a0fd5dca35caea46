"""Liveness and readiness of the worker, for an orchestrator's probes.

* ``GET /livez``: 200 while the process is up and its event loop answers (the web server runs on
  the worker's loop, so a blocked loop times the probe out); 503 once the app has crashed.
* ``GET /readyz``: 200 once the worker processes its input: the app and its consumer are
  running, no rebalance or table recovery is in progress, and partitions of the events topic
  are assigned to it; else 503 with the checks that failed.

Both bodies are JSON. Only public attributes of Faust's app are read.
"""

from __future__ import annotations

from typing import Any

import faust


def liveness(app: Any) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` of ``/livez``."""
    if app.crashed:
        return 503, {"live": False, "reason": "the worker crashed"}
    return 200, {"live": True}


def readiness(app: Any, events_topic: str) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` of ``/readyz``: each check by name, and whether all passed."""
    running = bool(app.started and not app.should_stop)
    consumer = app.consumer if running else None  # not built before the worker starts it
    assigned = sorted(tp.partition for tp in consumer.assignment() if tp.topic == events_topic) if consumer else []
    checks = {
        "app_running": running,
        "consumer_running": consumer is not None and consumer.state == "running",
        "not_rebalancing": running and not app.rebalancing,
        "recovery_done": running and not app.in_recovery and app.tables.recovery.completed.is_set(),
        "partitions_assigned": bool(assigned),
    }
    ready = all(checks.values())
    return (200 if ready else 503), {"ready": ready, "checks": checks, "partitions": assigned}


def add_health(app: faust.App, events_topic: str) -> None:
    """Serve ``/livez`` and ``/readyz`` on ``app``'s web server."""

    @app.page("/livez")
    async def livez(self: Any, request: Any) -> Any:
        """Up, and the event loop answers."""
        status, body = liveness(app)
        return self.json(body, status=status)

    @app.page("/readyz")
    async def readyz(self: Any, request: Any) -> Any:
        """Partitions assigned, consumer running, recovery done."""
        status, body = readiness(app, events_topic)
        return self.json(body, status=status)
