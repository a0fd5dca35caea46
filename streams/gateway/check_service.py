"""``distillguard enforcer serve``: the enforcement state behind one HTTP call, for any gateway.

``GET /v1/check?account=A&ip=I[&api_key=K][&org=O][&model=M]`` answers

* ``200`` to admit (no body to speak of), with ``X-Distillguard-Shadow: <action>`` and the
  decision's headers when a shadow decision would have refused;
* ``429`` (or ``403`` with ``--deny-status 403``, for NGINX ``auth_request``) to refuse, with
  ``Retry-After``, the decision as headers (``X-Distillguard-Action``,
  ``X-Distillguard-Decision-Id``, ``X-Distillguard-Reason``: reason codes, comma-separated,
  ``X-Distillguard-Expires``) and as a JSON body (action, reason codes, reason text, decision id,
  expires_at, retry_after_s).

Each parameter may come as a request header instead (``X-Distillguard-Account``,
``X-Distillguard-Ip``, ``X-Distillguard-Api-Key``, ``X-Distillguard-Org``,
``X-Distillguard-Campaign``, ``X-Distillguard-Model``): a proxy sets headers without having to
URL-encode anything. ``/v1/check/<original path>`` is the check Envoy ``ext_authz`` calls (it
appends the client's path, and query, to ``path_prefix``): there the parameters are read from
the headers only, never from the client's query string, and the IP falls back to the first
``X-Forwarded-For`` address.

The state is an :class:`~distillguard.streams.gateway.enforcer.EnforcementClient`: a thread
rebuilds it from the compacted decisions topic and follows it; a check reads memory only. The
service's token buckets are the one place a throttle is counted, so ``limit_rpm`` holds however
many gateway replicas call it. ``/livez``, ``/readyz`` (503 until the topic has been read to its
end) and ``/metrics`` (Prometheus) complete it.
"""

from __future__ import annotations

import argparse
import time

import orjson
import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from distillguard.streams.gateway.enforcement import Verdict
from distillguard.streams.gateway.enforcer import EnforcementClient
from distillguard.streams.settings import Settings
from distillguard.streams.web_serve import serve

log = structlog.get_logger("distillguard.check")

PARAMS = ("account", "ip", "api_key", "org", "campaign", "model")
"""Query parameters of a check; each may also be sent as ``X-Distillguard-<Name>``."""
HEADERS = {p: "X-Distillguard-" + p.replace("_", "-").title() for p in PARAMS}


class Metrics:
    """The service's Prometheus metrics, in a registry of its own."""

    def __init__(self, client: EnforcementClient) -> None:
        self.registry = r = CollectorRegistry(auto_describe=True)
        self.checks = Counter(
            "distillguard_checks", "Checks answered, by verdict (admitted, refused).", ["verdict"], registry=r
        )
        self.refusals = Counter(
            "distillguard_check_refusals",
            "Refusals by the action in force (block, throttle, fail_closed).",
            ["action"],
            registry=r,
        )
        self.shadow = Counter(
            "distillguard_check_shadow_refusals",
            "Requests admitted that a shadow decision would have refused, by its action.",
            ["action"],
            registry=r,
        )
        self.stale = Counter(
            "distillguard_check_stale",
            "Checks answered while the decisions were stale (broker unreachable), by the policy applied.",
            ["policy"],
            registry=r,
        )
        self.latency = Histogram(
            "distillguard_check_seconds",
            "Time to compute a verdict (in the service, without HTTP).",
            buckets=(1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3),
            registry=r,
        )
        Gauge("distillguard_check_fail_open", "1 if the service admits while stale, 0 if it refuses.", registry=r).set(
            1 if client.fail_open else 0
        )
        Gauge(
            "distillguard_check_ready", "1 once the decisions topic has been read to its end.", registry=r
        ).set_function(lambda: 1.0 if client.ready.is_set() else 0.0)
        Gauge("distillguard_check_state_stale", "1 while the decisions are stale.", registry=r).set_function(
            lambda: 1.0 if client.is_stale() else 0.0
        )
        Gauge(
            "distillguard_check_seconds_since_contact", "Seconds since the broker was last heard from.", registry=r
        ).set_function(lambda: time.time() - client.last_contact if client.last_contact else float("inf"))
        Gauge("distillguard_decisions_applied", "Decisions applied since start.", registry=r).set_function(
            lambda: float(client.applied)
        )
        Gauge("distillguard_rules_in_force", "Subjects with a decision in force.", registry=r).set_function(
            lambda: float(len(client.enforcer.rules))
        )


def decision_headers(v: Verdict) -> dict[str, str]:
    """The decision behind a verdict, as response headers a proxy can forward."""
    h = {
        "X-Distillguard-Action": v.action,
        "X-Distillguard-Reason": ",".join(v.reason_codes),
    }
    if v.decision_id:
        h["X-Distillguard-Decision-Id"] = v.decision_id
    if v.expires_at:
        h["X-Distillguard-Expires"] = f"{v.expires_at:.0f}"
    return h


class CheckService:
    """The HTTP handlers over one :class:`EnforcementClient`."""

    def __init__(self, client: EnforcementClient, deny_status: int = 429) -> None:
        self.client = client
        self.deny_status = deny_status
        self.metrics = Metrics(client)
        self._stale_logged = 0.0

    @staticmethod
    def params(request: web.Request) -> dict[str, str]:
        """The check's parameters: query, then headers; headers only under ``/v1/check/<path>``."""
        proxied = request.path != "/v1/check"
        p = {n: ("" if proxied else request.query.get(n, "")) or request.headers.get(HEADERS[n], "") for n in PARAMS}
        if proxied and not p["ip"]:
            p["ip"] = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        return p

    async def check(self, request: web.Request) -> web.Response:
        """``GET /v1/check``: 200 admits, 429 (or 403) refuses."""
        p = self.params(request)
        if not (p["account"] or p["api_key"] or p["ip"]):
            return web.json_response({"error": "give at least one of account, api_key, ip"}, status=400)
        started = time.perf_counter()
        now = time.time()
        stale = self.client.is_stale(now)
        v = self.client.check(
            p["account"], p["ip"], now, api_key=p["api_key"], org=p["org"], campaign=p["campaign"], model=p["model"]
        )
        m = self.metrics
        m.latency.observe(time.perf_counter() - started)
        if stale:
            m.stale.labels("fail_open" if self.client.fail_open else "fail_closed").inc()
        if v.allowed:
            m.checks.labels("admitted").inc()
            if not v.shadow:
                return web.Response(status=200, text="ok\n")
            m.shadow.labels(v.shadow).inc()
            return web.Response(
                status=200, text="ok\n", headers={"X-Distillguard-Shadow": v.shadow, **decision_headers(v)}
            )
        m.checks.labels("refused").inc()
        m.refusals.labels(v.action).inc()
        retry = str(int(v.retry_after_s + 0.999))
        body = {
            "allowed": False,
            "action": v.action,
            "reason_codes": list(v.reason_codes),
            "reason": v.reason,
            "decision_id": v.decision_id or None,
            "expires_at": v.expires_at or None,
            "retry_after_s": v.retry_after_s,
        }
        return web.Response(
            status=self.deny_status,
            body=orjson.dumps(body),
            content_type="application/json",
            headers={"Retry-After": retry, **decision_headers(v)},
        )

    async def livez(self, request: web.Request) -> web.Response:
        """``GET /livez``: the process answers."""
        return web.json_response({"ok": True})

    async def readyz(self, request: web.Request) -> web.Response:
        """``GET /readyz``: 200 once the decisions topic has been read to its end, else 503."""
        ready = self.client.ready.is_set()
        body = {
            "ready": ready,
            "stale": self.client.is_stale(),
            "fail_open": self.client.fail_open,
            "decisions_applied": self.client.applied,
            "rules_in_force": len(self.client.enforcer.rules),
        }
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_view(self, request: web.Request) -> web.Response:
        """``GET /metrics``: Prometheus text format."""
        resp = web.Response(body=generate_latest(self.metrics.registry))
        resp.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return resp


def make_app(client: EnforcementClient, deny_status: int = 429) -> web.Application:
    """The aiohttp application (the client is started and stopped by the caller)."""
    svc = CheckService(client, deny_status)
    app = web.Application()
    app.router.add_get("/v1/check", svc.check)
    app.router.add_get("/v1/check/{tail:.*}", svc.check)
    app.router.add_get("/livez", svc.livez)
    app.router.add_get("/readyz", svc.readyz)
    app.router.add_get("/metrics", svc.metrics_view)
    return app


def run(args: argparse.Namespace) -> int:
    """Start the decisions reader, then serve HTTP until interrupted."""
    from distillguard.streams.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    client = EnforcementClient(settings, fail_open=not args.fail_closed, stale_after_s=args.stale_after).start(wait_s=0)
    policy = "fail-closed: every request is refused" if args.fail_closed else "fail-open: every request is admitted"
    log.warning(
        f"check service: while decisions are stale ({args.stale_after:g} s without the broker) it is {policy}",
        fail_open=not args.fail_closed,
    )
    log.info(
        "check service listening",
        host=args.host,
        port=args.port,
        deny_status=args.deny_status,
        topic=settings.topic_decisions,
    )
    try:
        serve(make_app(client, args.deny_status), args.host, args.port)
    finally:
        client.stop()
    return 0
