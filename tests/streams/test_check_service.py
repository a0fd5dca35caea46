"""The check service over HTTP, without Kafka: verdicts, headers, 403 mode, shadow mode,
fail-open and fail-closed, readiness, metrics, and one throttle shared by concurrent callers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from distillguard.models.decision import Decision
from distillguard.streams.gateway.check_service import make_app
from distillguard.streams.gateway.enforcer import EnforcementClient
from distillguard.streams.settings import Settings

Http = TestClient[Any, Any]


def decision(subject: str, action: str, limit: int | None = None, ttl: int = 600, **kw: Any) -> dict[str, Any]:
    reasons = kw.pop(
        "reasons", ("harvest_signature 0.91 (answer shape x novel sweep x shallow turns)", "template_share 0.8")
    )
    return Decision(
        time.time(), kw.pop("subject_type", "account"), subject, action, ttl, 0.9, reasons, "e1", 0.0, limit, **kw
    ).to_dict()


def fresh_client(*decisions: dict[str, Any], fail_open: bool = True) -> EnforcementClient:
    """A client whose state is in memory (no reader thread) and was just heard from."""
    c = EnforcementClient(Settings(), fail_open=fail_open, stale_after_s=60)
    for d in decisions:
        c.apply(d)
    c.last_contact = time.time() + 3600  # fresh for the whole test
    c.ready.set()
    return c


def serve(client: EnforcementClient, fn: Callable[[Http], Awaitable[None]], deny_status: int = 429) -> None:
    async def main() -> None:
        async with TestClient(TestServer(make_app(client, deny_status))) as http:
            await fn(http)

    asyncio.run(main())


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in /metrics")


def test_a_blocked_account_is_refused_with_the_decision_and_others_admitted() -> None:
    """429 with Retry-After, the decision as headers and as JSON; an honest account gets 200."""
    d = decision("a1", "block")

    async def go(http: Http) -> None:
        r = await http.get("/v1/check", params={"account": "a1", "ip": "198.51.100.7"})
        assert r.status == 429
        assert 590 <= int(r.headers["Retry-After"]) <= 600
        assert r.headers["X-Distillguard-Action"] == "block"
        assert r.headers["X-Distillguard-Decision-Id"] == d["decision_id"]
        assert r.headers["X-Distillguard-Reason"] == "harvest_signature,template_sweep"
        assert abs(int(r.headers["X-Distillguard-Expires"]) - d["expires_at"]) <= 1
        body = await r.json()
        assert body["action"] == "block"
        assert body["reason_codes"] == ["harvest_signature", "template_sweep"]
        assert body["reason"].startswith("block a1: harvest_signature 0.91")
        assert body["decision_id"] == d["decision_id"]
        assert body["expires_at"] == pytest.approx(d["expires_at"])
        ok = await http.get("/v1/check", params={"account": "honest", "ip": "198.51.100.8"})
        assert ok.status == 200
        assert "X-Distillguard-Action" not in ok.headers
        m = await (await http.get("/metrics")).text()
        assert metric(m, 'distillguard_checks_total{verdict="refused"}') == 1
        assert metric(m, 'distillguard_checks_total{verdict="admitted"}') == 1
        assert metric(m, 'distillguard_check_refusals_total{action="block"}') == 1
        assert metric(m, "distillguard_rules_in_force") == 1

    serve(fresh_client(d), go)


def test_deny_status_403_for_nginx_auth_request() -> None:
    """With --deny-status 403 a refusal is 403 and still carries Retry-After and the headers."""

    async def go(http: Http) -> None:
        r = await http.get("/v1/check", params={"account": "a1", "ip": "198.51.100.7"})
        assert r.status == 403
        assert r.headers["X-Distillguard-Action"] == "block"
        assert int(r.headers["Retry-After"]) >= 1
        assert (await http.get("/v1/check", params={"account": "b", "ip": "198.51.100.7"})).status == 200

    serve(fresh_client(decision("a1", "block")), go, deny_status=403)


def test_parameters_may_come_as_headers_and_under_any_path() -> None:
    """X-Distillguard-Account works like ?account=, and /v1/check/<original path> too (Envoy),
    where the client's own query string cannot name another account and X-Forwarded-For gives the IP."""

    async def go(http: Http) -> None:
        assert (await http.get("/v1/check", headers={"X-Distillguard-Account": "a1"})).status == 429
        r = await http.get("/v1/check/v1/messages", headers={"X-Distillguard-Account": "a1"})
        assert r.status == 429
        spoof = await http.get("/v1/check/v1/messages?account=honest", headers={"X-Distillguard-Account": "a1"})
        assert spoof.status == 429
        xff = await http.get("/v1/check/v1/messages", headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
        assert xff.status == 429
        assert (await http.get("/v1/check")).status == 400

    serve(fresh_client(decision("a1", "block"), decision("203.0.113.0/24", "block", subject_type="ip_cluster")), go)


def test_api_key_org_and_cluster_decisions_apply_and_campaigns_only_when_named() -> None:
    """A key, an org and a /24 are enforced from the check's parameters; a campaign decision
    applies only to a check that names the campaign."""
    ds = [
        decision("k9", "block", subject_type="api_key"),
        decision("org-7", "block", subject_type="org"),
        decision("203.0.113.0/24", "block", subject_type="ip_cluster"),
        decision("c-1f3a09e2", "block", subject_type="campaign"),
    ]

    async def go(http: Http) -> None:
        async def status(**q: str) -> int:
            return (await http.get("/v1/check", params={"account": "x", "ip": "198.51.100.1", **q})).status

        assert await status() == 200
        assert await status(api_key="k9") == 429
        assert await status(org="org-7") == 429
        assert await status(ip="203.0.113.50") == 429
        assert await status(campaign="c-1f3a09e2") == 429
        assert await status(api_key="k1", org="org-1") == 200

    serve(fresh_client(*ds), go)


def test_a_scoped_decision_applies_only_to_its_model_family() -> None:
    """scope=opus refuses opus and opus-4 requests, not sonnet ones nor checks without a model."""

    async def go(http: Http) -> None:
        async def status(model: str) -> int:
            return (await http.get("/v1/check", params={"account": "a1", "model": model})).status

        assert [await status(m) for m in ("opus", "opus-4", "sonnet-4", "")] == [429, 429, 200, 200]

    serve(fresh_client(decision("a1", "block", scope="opus")), go)


def test_shadow_decisions_admit_and_count_what_they_would_have_refused() -> None:
    """enforce=false: every request is served; the would-be refusals carry X-Distillguard-Shadow
    and are counted, and a shadow throttle counts only what exceeds its limit."""
    ds = [decision("blk", "block", enforce=False), decision("thr", "throttle", limit=3, enforce=False)]

    async def go(http: Http) -> None:
        statuses, shadows = [], []
        for account in ["blk"] * 4 + ["thr"] * 5:
            r = await http.get("/v1/check", params={"account": account})
            statuses.append(r.status)
            shadows.append(r.headers.get("X-Distillguard-Shadow"))
        assert set(statuses) == {200}
        assert shadows == ["block"] * 4 + [None] * 3 + ["throttle"] * 2
        m = await (await http.get("/metrics")).text()
        assert metric(m, 'distillguard_check_shadow_refusals_total{action="block"}') == 4
        assert metric(m, 'distillguard_check_shadow_refusals_total{action="throttle"}') == 2
        assert metric(m, 'distillguard_checks_total{verdict="admitted"}') == 9

    serve(fresh_client(*ds), go)


@pytest.mark.parametrize("fail_open", [True, False])
def test_stale_decisions_fail_open_or_closed_as_set_and_say_so(fail_open: bool) -> None:
    """No broker contact for longer than stale_after_s: admit everyone (fail-open) or refuse
    everyone with action fail_closed; either way counted and exported."""
    c = fresh_client(decision("a1", "block"), fail_open=fail_open)
    c.last_contact = time.time() - 120

    async def go(http: Http) -> None:
        honest = await http.get("/v1/check", params={"account": "honest", "ip": "198.51.100.8"})
        blocked = await http.get("/v1/check", params={"account": "a1"})
        m = await (await http.get("/metrics")).text()
        assert metric(m, "distillguard_check_state_stale") == 1
        assert metric(m, "distillguard_check_fail_open") == (1 if fail_open else 0)
        policy = "fail_open" if fail_open else "fail_closed"
        assert metric(m, f'distillguard_check_stale_total{{policy="{policy}"}}') == 2
        if fail_open:
            assert (honest.status, blocked.status) == (200, 200)
        else:
            assert (honest.status, blocked.status) == (429, 429)
            assert honest.headers["X-Distillguard-Action"] == "fail_closed"
            assert (await honest.json())["reason_codes"] == ["stale"]

    serve(c, go)


def test_readyz_waits_for_the_topic_to_be_read_to_its_end() -> None:
    """/livez always answers; /readyz is 503 until the reader has caught up, then 200."""
    c = fresh_client()
    c.ready.clear()

    async def go(http: Http) -> None:
        assert (await http.get("/livez")).status == 200
        r = await http.get("/readyz")
        assert r.status == 503
        assert (await r.json())["ready"] is False
        c.ready.set()
        assert (await http.get("/readyz")).status == 200
        assert metric(await (await http.get("/metrics")).text(), "distillguard_check_ready") == 1

    serve(c, go)


def test_a_throttle_is_counted_once_across_concurrent_callers() -> None:
    """limit_rpm=30 and two gateway replicas hammering for 2 s: together they get the burst of
    30 plus one token per 2 s, not 30 each."""
    c = fresh_client(decision("a1", "throttle", limit=30))

    async def go(http: Http) -> None:
        stop = time.monotonic() + 2.0

        async def replica() -> tuple[int, int]:
            ok = refused = 0
            while time.monotonic() < stop:
                r = await http.get("/v1/check", params={"account": "a1", "ip": "198.51.100.7"})
                ok += r.status == 200
                refused += r.status == 429
            return ok, refused

        (ok1, no1), (ok2, no2) = await asyncio.gather(replica(), replica())
        assert 30 <= ok1 + ok2 <= 32
        assert no1 > 0
        assert no2 > 0

    serve(c, go)
