"""Simulated clients over real HTTP: the simulator's accounts drive the demo gateway.

Event time is mapped to the wall clock with a speed-up (``--speed``), so a day of traffic plays
in minutes; each simulated request becomes a ``POST /v1/messages`` with the prompt's text, the
account's key, address (``X-Forwarded-For``), user agent and TLS fingerprint. Counters of
requests served and refused, split by label, are written to ``--stats`` every second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson

MAX_IN_FLIGHT = 256


def request_of(ev: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """Headers and body of the HTTP request for one simulated event."""
    n = int(ev["n_messages"])
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": "earlier turn"} for i in range(n - 1)]
    messages.append({"role": "user", "content": ev["_text"]})
    body: dict[str, Any] = {
        "model": ev["model"],
        "max_tokens": ev["max_tokens"],
        "messages": messages,
        "temperature": ev.get("temperature"),
        "stream": False,
        "metadata": {"simulated_output_tokens": ev["output_tokens"], "simulated_input_tokens": ev["input_tokens"]},
    }
    if ev.get("has_system_prompt"):
        body["system"] = "You are a helpful assistant."
    headers = {
        "x-api-key": f"{ev['account_id']}:{ev['api_key_id']}",
        "X-Forwarded-For": ev["ip"],
        "User-Agent": ev.get("user_agent") or "unknown",
        "content-type": "application/json",
    }
    if ev.get("tls_fingerprint"):
        headers["X-TLS-Fingerprint"] = ev["tls_fingerprint"]
    return headers, orjson.dumps(body)


class Counters:
    """Served and refused requests by label, and a per-second timeline for plots."""

    def __init__(self) -> None:
        self.c = {"attack": {"served": 0, "refused": 0, "error": 0}, "benign": {"served": 0, "refused": 0, "error": 0}}
        self.timeline: list[dict[str, Any]] = []
        self.sim_ts = 0.0

    def snapshot(self, elapsed: float) -> dict[str, Any]:
        """A JSON-able copy, appended to the timeline."""
        snap = {"t": round(elapsed, 1), "sim_ts": self.sim_ts, **{k: dict(v) for k, v in self.c.items()}}
        self.timeline.append(snap)
        return {**snap, "timeline": self.timeline}


async def drive(
    events: Iterator[dict[str, Any]],
    labels: dict[str, dict[str, str]],
    target: str,
    speed: float,
    duration: float,
    stats: Path | None,
) -> Counters:
    """Send every event as an HTTP request at its (sped-up) time; stop after ``duration`` s."""
    counters = Counters()
    sem = asyncio.Semaphore(MAX_IN_FLIGHT)
    url = target.rstrip("/") + "/v1/messages"
    start = time.monotonic()
    t0: float | None = None
    tasks: set[asyncio.Task[None]] = set()

    async def one(session: aiohttp.ClientSession, ev: dict[str, Any], label: str) -> None:
        headers, body = request_of(ev)
        try:
            async with session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                key = "served" if resp.status == 200 else "refused" if resp.status == 429 else "error"
        except (TimeoutError, aiohttp.ClientError):
            key = "error"
        counters.c[label][key] += 1
        sem.release()

    async def report() -> None:
        while True:
            await asyncio.sleep(1.0)
            if stats is not None:
                stats.write_bytes(orjson.dumps(counters.snapshot(time.monotonic() - start)))

    reporter = asyncio.create_task(report())
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)) as session:
        for ev in events:
            if t0 is None:
                t0 = ev["ts"]
            due = start + (ev["ts"] - t0) / speed
            now = time.monotonic()
            if duration and now - start >= duration:
                break
            if due > now + 0.002:
                await asyncio.sleep(due - now)
            counters.sim_ts = ev["ts"]
            await sem.acquire()
            label = labels.get(ev["account_id"], {}).get("label", "benign")
            task = asyncio.create_task(one(session, ev, label))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=30)
    reporter.cancel()
    if stats is not None:
        stats.write_bytes(orjson.dumps(counters.snapshot(time.monotonic() - start)))
    return counters
