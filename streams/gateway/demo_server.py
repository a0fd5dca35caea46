"""``distillguard gateway``: a small LLM-shaped HTTP API in front of a fake model.

``POST /v1/messages`` with ``x-api-key: ACCOUNT:KEY`` and an Anthropic-style body. The gateway
computes ``prompt_simhash`` of the last user turn (the text itself never leaves it), asks for a
verdict (the embedded :class:`~distillguard.streams.gateway.enforcer.EnforcementClient`, or with
``--check-url`` the check service over HTTP, ``GET /v1/check``), answers 429 with
``Retry-After`` when refused, and otherwise returns fake text of the length the model
"chose". Every request, served or refused, is produced to ``api-requests`` as an event.

Demo conveniences, documented as such: the client address is taken from ``X-Forwarded-For``
(as behind a load balancer), the TLS fingerprint from ``X-TLS-Fingerprint``, and
``metadata.simulated_output_tokens`` tells the fake model how long to answer.
"""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any

import aiohttp
import orjson
import structlog
from aiohttp import web
from aiokafka import AIOKafkaProducer

from distillguard.models.simhash import prompt_simhash
from distillguard.streams.gateway.enforcer import EnforcementClient
from distillguard.streams.settings import Settings
from distillguard.streams.web_serve import serve

log = structlog.get_logger("distillguard.gateway")
WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""


def build_event(
    body: dict[str, Any],
    account: str,
    key_id: str,
    ip: str,
    headers: Any,
    status: int,
    output_tokens: int,
    latency_ms: float,
) -> dict[str, Any]:
    """The ``api-requests`` event for one HTTP request (prompt text reduced to its SimHash)."""
    messages = body.get("messages") or []
    last_user = next((m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), {})
    prompt = _text_of(last_user.get("content"))
    input_tokens = sum(len(_text_of(m.get("content")).split()) for m in messages if isinstance(m, dict))
    return {
        "event_id": uuid.uuid4().hex,
        "ts": time.time(),
        "account_id": account,
        "api_key_id": key_id,
        "org_id": None,
        "ip": ip,
        "asn": None,
        "user_agent": headers.get("User-Agent"),
        "tls_fingerprint": headers.get("X-TLS-Fingerprint"),
        "endpoint": "/v1/messages",
        "model": str(body.get("model") or "unknown")[:128],
        "input_tokens": int((body.get("metadata") or {}).get("simulated_input_tokens") or max(1, input_tokens)),
        "output_tokens": output_tokens,
        "max_tokens": int(body.get("max_tokens") or 1024),
        "temperature": body.get("temperature"),
        "stream": bool(body.get("stream", False)),
        "n_messages": max(1, len(messages)),
        "has_system_prompt": bool(body.get("system")),
        "prompt_simhash": prompt_simhash(prompt),
        "status": status,
        "latency_ms": latency_ms,
    }


class Gateway:
    """The HTTP handlers, the verdicts (embedded client or check service) and the event producer."""

    def __init__(self, settings: Settings, client: EnforcementClient | None, check_url: str = "") -> None:
        self.settings = settings
        self.client = client
        self.check_url = check_url.rstrip("/")
        self.http: aiohttp.ClientSession | None = None
        self.producer: AIOKafkaProducer | None = None
        self.counts = {"served": 0, "refused": 0, "bad": 0, "check_errors": 0}

    async def start(self, app: web.Application) -> None:
        self.producer = AIOKafkaProducer(**self.settings.aiokafka_config(), linger_ms=5)
        await self.producer.start()
        if self.check_url:
            self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0))

    async def stop(self, app: web.Application) -> None:
        if self.producer is not None:
            await self.producer.stop()
        if self.http is not None:
            await self.http.close()

    async def verdict(self, account: str, key_id: str, ip: str, model: str) -> tuple[bool, float, str]:
        """``(allowed, retry_after_s, message)`` from the embedded client or the check service.

        The check service unreachable: the request is served (the gateway fails open) and counted.
        """
        if self.http is None:
            assert self.client is not None
            v = self.client.check(account, ip, api_key=key_id, model=model)
            return v.allowed, v.retry_after_s, v.reason
        q = {"account": account, "ip": ip, "api_key": key_id, "model": model}
        try:
            async with self.http.get(f"{self.check_url}/v1/check", params=q) as r:
                if r.status == 200:
                    await r.read()
                    return True, 0.0, ""
                body = orjson.loads(await r.read()) if r.content_type == "application/json" else {}
                return False, float(r.headers.get("Retry-After", "1")), str(body.get("reason", ""))
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            self.counts["check_errors"] += 1
            if self.counts["check_errors"] % 1000 == 1:
                log.error("check service unreachable: serving (fail open)", url=self.check_url, error=repr(err))
            return True, 0.0, ""

    async def messages(self, request: web.Request) -> web.Response:
        """``POST /v1/messages``."""
        started = time.perf_counter()
        api_key = request.headers.get("x-api-key", "")
        account, _, key_id = api_key.partition(":")
        if not account:
            self.counts["bad"] += 1
            return web.json_response({"type": "error", "error": {"type": "authentication_error"}}, status=401)
        try:
            body = orjson.loads(await request.read())
            if not isinstance(body, dict):
                raise ValueError("body must be an object")
        except ValueError:
            self.counts["bad"] += 1
            return web.json_response({"type": "error", "error": {"type": "invalid_request_error"}}, status=400)
        ip = request.headers.get("X-Forwarded-For", request.remote or "127.0.0.1").split(",")[0].strip()
        allowed, retry_after_s, reason = await self.verdict(account, key_id, ip, str(body.get("model") or ""))
        if not allowed:
            self.counts["refused"] += 1
            await self._produce(body, account, key_id or account, ip, request, 429, 0, started)
            return web.json_response(
                {"type": "error", "error": {"type": "rate_limit_error", "message": reason}},
                status=429,
                headers={"Retry-After": str(int(retry_after_s + 0.999))},
            )
        want = int((body.get("metadata") or {}).get("simulated_output_tokens") or 200)
        out = max(1, min(want, int(body.get("max_tokens") or 1024)))
        self.counts["served"] += 1
        await self._produce(body, account, key_id or account, ip, request, 200, out, started)
        text = " ".join(WORDS[i % len(WORDS)] for i in range(min(out, 2000)))
        return web.json_response(
            {
                "id": f"msg_{uuid.uuid4().hex[:16]}",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": text}],
                "usage": {"input_tokens": 0, "output_tokens": out},
            }
        )

    async def _produce(
        self,
        body: dict[str, Any],
        account: str,
        key_id: str,
        ip: str,
        request: web.Request,
        status: int,
        out: int,
        started: float,
    ) -> None:
        try:
            ev = build_event(
                body,
                account[:128],
                key_id[:128],
                ip,
                request.headers,
                status,
                out,
                round((time.perf_counter() - started) * 1000, 2),
            )
            assert self.producer is not None
            await self.producer.send(self.settings.topic_events, orjson.dumps(ev), key=account.encode())
        except Exception:
            log.exception("could not produce the event", account=account)

    async def stats(self, request: web.Request) -> web.Response:
        """``GET /stats``: requests served and refused, and the enforcement state size."""
        if self.client is None:
            return web.json_response({**self.counts, "check_url": self.check_url})
        return web.json_response(
            {**self.counts, "decisions_applied": self.client.applied, "subjects": len(self.client.enforcer.rules)}
        )

    async def healthz(self, request: web.Request) -> web.Response:
        """``GET /healthz``."""
        ready = self.client.ready.is_set() if self.client is not None else None
        return web.json_response({"ok": True, "enforcement_ready": ready, "check_url": self.check_url or None})


def make_app(settings: Settings, client: EnforcementClient | None, check_url: str = "") -> web.Application:
    """The aiohttp application: verdicts from ``client``, or from the check service at ``check_url``."""
    gw = Gateway(settings, client, check_url)
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/v1/messages", gw.messages)
    app.router.add_get("/stats", gw.stats)
    app.router.add_get("/healthz", gw.healthz)
    app.on_startup.append(gw.start)
    app.on_cleanup.append(gw.stop)
    return app


def run(args: argparse.Namespace) -> int:
    """Start the enforcement client, then serve HTTP until interrupted."""
    from distillguard.streams.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    check_url = getattr(args, "check_url", "") or ""
    client = None if check_url else EnforcementClient(settings, fail_open=not args.fail_closed).start()
    log.info(
        "gateway listening",
        host=args.host,
        port=args.port,
        check_url=check_url or None,
        enforcement_ready=client.ready.is_set() if client is not None else None,
    )
    try:
        serve(make_app(settings, client, check_url), args.host, args.port, access_log=True)
    finally:
        if client is not None:
            client.stop()
    return 0
