"""``/livez`` and ``/readyz`` over HTTP through Faust's web server, before the worker runs and in
each state that makes the worker not ready. (The running worker: tests/integration/test_health_kafka.py.)"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from faust.types import TP

from distillguard.streams.settings import Settings
from distillguard.streams.worker.app import faust_app
from distillguard.streams.worker.health import add_health, liveness, readiness


def _get(app: Any, *paths: str) -> dict[str, tuple[int, Any]]:
    async def fetch() -> dict[str, tuple[int, Any]]:
        out = {}
        async with TestClient(TestServer(app.web.web_app)) as client:
            for path in paths:
                r = await client.get(path)
                assert r.headers["Content-Type"].startswith("application/json")
                out[path] = (r.status, orjson.loads(await r.read()))
        return out

    return asyncio.run(fetch())


def test_an_app_not_started_is_live_but_not_ready() -> None:
    app = faust_app(Settings())
    add_health(app, "api-requests")
    got = _get(app, "/livez", "/readyz")
    assert got["/livez"] == (200, {"live": True})
    status, body = got["/readyz"]
    assert status == 503
    assert body["ready"] is False
    assert body["checks"]["app_running"] is False
    assert body["partitions"] == []


def test_the_web_server_binds_to_the_configured_host() -> None:
    assert faust_app(Settings()).conf.web_bind == "127.0.0.1"
    assert faust_app(Settings(web_host="0.0.0.0")).conf.web_bind == "0.0.0.0"


class _Event:
    def __init__(self, done: bool) -> None:
        self.done = done

    def is_set(self) -> bool:
        return self.done


def _fake_app(**over: Any) -> Any:
    """The public attributes :func:`readiness` reads, of a worker that is ready unless overridden."""
    assignment = over.pop("assignment", [TP("api-requests", 1), TP("x", 0)])
    consumer = SimpleNamespace(state=over.pop("consumer_state", "running"), assignment=lambda: assignment)
    recovery = SimpleNamespace(completed=_Event(over.pop("recovered", True)))
    attrs: dict[str, Any] = {
        "started": True,
        "should_stop": False,
        "crashed": False,
        "rebalancing": False,
        "in_recovery": False,
        "consumer": consumer,
        "tables": SimpleNamespace(recovery=recovery),
    }
    return SimpleNamespace(**(attrs | over))


def test_a_running_worker_with_partitions_is_ready() -> None:
    status, body = readiness(_fake_app(), "api-requests")
    assert status == 200
    assert body == {"ready": True, "checks": dict.fromkeys(body["checks"], True), "partitions": [1]}
    assert set(body["checks"]) == {
        "app_running",
        "consumer_running",
        "not_rebalancing",
        "recovery_done",
        "partitions_assigned",
    }


@pytest.mark.parametrize(
    ("over", "failed"),
    [
        ({"should_stop": True}, "app_running"),
        ({"consumer_state": "init"}, "consumer_running"),
        ({"rebalancing": True}, "not_rebalancing"),
        ({"in_recovery": True}, "recovery_done"),
        ({"recovered": False}, "recovery_done"),
        ({"assignment": [TP("other-topic", 1)]}, "partitions_assigned"),
    ],
)
def test_each_unmet_condition_makes_the_worker_not_ready(over: dict[str, Any], failed: str) -> None:
    status, body = readiness(_fake_app(**over), "api-requests")
    assert status == 503
    assert body["ready"] is False
    assert body["checks"][failed] is False


def test_a_crashed_app_is_not_live() -> None:
    assert liveness(_fake_app(crashed=True)) == (503, {"live": False, "reason": "the worker crashed"})
    assert liveness(_fake_app()) == (200, {"live": True})
