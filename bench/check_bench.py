"""The check service's cost: a verdict in memory, and ``GET /v1/check`` over HTTP.

``python -m bench.check_bench`` prints both; ``make bench`` includes them (``check`` in
bench/results.json). The service holds ``RULES`` decisions (a third blocks, the rest throttles),
as after a busy week, and is asked about accounts drawn at random, a tenth of them under a
decision. The HTTP figures come from a separate server process (the same app as
``distillguard enforcer serve``, its state loaded in memory, no broker) and one, then
``CONCURRENCY``, keep-alive connections from this one; on a shared 2-core machine they are a floor, not a ceiling.
"""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
import sys
import time
from typing import Any

RULES = 100_000
CONCURRENCY = 16


def loaded_client(rules: int = RULES) -> Any:
    """An :class:`EnforcementClient` holding ``rules`` decisions, fresh, with no reader thread."""
    from distillguard.models.decision import Decision
    from distillguard.streams.gateway.enforcer import EnforcementClient
    from distillguard.streams.settings import Settings

    c = EnforcementClient(Settings(), stale_after_s=1e9)
    now = time.time()
    for i in range(rules):
        action = "block" if i % 3 == 0 else "throttle"
        d = Decision(now, "account", f"a{i}", action, 3600, 0.9, ("template_share 0.8",), f"e{i}", now, 30)
        c.apply(d.to_dict())
    c.last_contact = now + 1e9
    c.ready.set()
    return c


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def in_memory(n: int = 200_000) -> dict[str, float]:
    """``EnforcementClient.check`` per call: p50, p99 (µs) and calls/s on one core."""
    c = loaded_client()
    rng = random.Random(1)
    accounts = [f"a{rng.randrange(RULES * 10)}" for _ in range(n)]
    ips = [f"198.51.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(n)]
    lat = []
    t0 = time.perf_counter()
    for a, ip in zip(accounts, ips, strict=True):
        s = time.perf_counter_ns()
        c.check(a, ip)
        lat.append((time.perf_counter_ns() - s) / 1000)
    wall = time.perf_counter() - t0
    return {"p50_us": round(_pct(lat, 0.5), 1), "p99_us": round(_pct(lat, 0.99), 1), "checks_per_s": round(n / wall)}


def serve(port: int) -> None:
    """The HTTP server process: the service's app over a loaded client."""
    from aiohttp import web

    from distillguard.streams.gateway.check_service import make_app

    web.run_app(make_app(loaded_client()), host="127.0.0.1", port=port, print=None, access_log=None)


def over_http(seconds: float = 10.0, concurrency: int = CONCURRENCY) -> dict[str, float]:
    """``GET /v1/check`` from ``concurrency`` keep-alive connections: p50, p99 (ms), checks/s."""
    import aiohttp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([sys.executable, "-m", "bench.check_bench", "--serve", str(port)])
    url = f"http://127.0.0.1:{port}/v1/check"

    async def main() -> tuple[list[float], int, float]:
        lat: list[float] = []
        statuses = 0
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    async with http.get(url.replace("/v1/check", "/readyz")) as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("check service did not start")
                await asyncio.sleep(0.2)
            rng = random.Random(2)
            stop = time.monotonic() + seconds

            async def worker() -> None:
                nonlocal statuses
                while time.monotonic() < stop:
                    q = {"account": f"a{rng.randrange(RULES * 10)}", "ip": f"198.51.100.{rng.randrange(256)}"}
                    s = time.perf_counter()
                    async with http.get(url, params=q) as r:
                        await r.read()
                        statuses += r.status in (200, 429)
                    lat.append((time.perf_counter() - s) * 1000)

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return lat, statuses, time.perf_counter() - t0

    try:
        lat, ok, wall = asyncio.run(main())
    finally:
        proc.terminate()
        proc.wait(10)
    assert ok == len(lat)
    return {
        "p50_ms": round(_pct(lat, 0.5), 2),
        "p99_ms": round(_pct(lat, 0.99), 2),
        "checks_per_s": round(len(lat) / wall),
        "concurrency": concurrency,
    }


def run(seconds: float = 10.0) -> dict[str, Any]:
    """Both measures, for bench/results.json."""
    return {
        "rules": RULES,
        "in_memory": in_memory(),
        "http_1_connection": over_http(seconds, 1),
        f"http_{CONCURRENCY}_connections": over_http(seconds),
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        print(run())
