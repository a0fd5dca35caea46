"""Clients: each account is a generator of request events in timestamp order.

Honest: chat users, enterprise batch jobs, evaluation harnesses, coding agents, a campus NAT.
Campaigns: firehose, hydra, slow-and-low, residential-proxy rotation, mimicry. A launch surge
multiplies every honest rate inside one window. Parameters come from :class:`Params`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from distillguard.lab.traffic.text import Prompt, PromptPool, TemplateSweep

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    "Mozilla/5.0 (Macintosh) Safari/605.1",
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    "Mozilla/5.0 (iPhone) Mobile/15E148",
]
BROWSER_TLS = ["t13d1516h2_8daaf6152771", "t13d1715h2_5b57614c22b0", "t13d1517h2_8daaf6152771"]
SDKS = ["anthropic-python/0.40.0", "openai-python/1.55.0", "python-httpx/0.27.2", "node-fetch/3.3"]
SDK_TLS = ["t13d1812h1_85036bcba153", "t13d1911h1_e8f1e7e78f70"]
Event = dict[str, Any]


@dataclass
class Ctx:
    """Shared generators and the time frame of one simulation."""

    rng: random.Random
    t0: float
    t1: float
    chat: PromptPool
    docs: PromptPool
    code: PromptPool
    surge: tuple[float, float]
    surge_factor: float


def residential_ip(rng: random.Random) -> str:
    """A home or mobile address (one /24 per draw, in practice)."""
    return f"{rng.choice((24, 47, 68, 73, 98, 108, 174, 187, 189, 201))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def cloud_block(rng: random.Random, first: int = 34) -> str:
    """A cloud provider /24 prefix such as ``34.91.17``."""
    return f"{first}.{rng.randrange(64, 128)}.{rng.randrange(256)}"


def daily(t: float, tz_h: float) -> float:
    """Human activity by local hour: low at night, peak in the evening (0.05 .. 1)."""
    h = ((t / 3600.0) + tz_h) % 24.0
    return 0.05 + 0.95 * max(0.0, math.sin(math.pi * (h - 7.0) / 16.0)) if 7.0 <= h <= 23.0 else 0.05


def _event(
    acct: str,
    n: int,
    t: float,
    ip: str,
    key: str,
    simhash: Prompt,
    *,
    model: str = "claude-sonnet",
    inp: int,
    out: int,
    max_tokens: int,
    n_messages: int = 1,
    ua: str | None = None,
    tls: str | None = None,
    asn: int | None = None,
    temperature: float | None = 1.0,
    system: bool = False,
    stream: bool = False,
    status: int = 200,
) -> Event:
    return {
        "event_id": f"{acct}-{n}",
        "ts": round(t, 3),
        "account_id": acct,
        "api_key_id": key,
        "org_id": None,
        "ip": ip,
        "asn": asn,
        "user_agent": ua,
        "tls_fingerprint": tls,
        "endpoint": "/v1/messages",
        "model": model,
        "input_tokens": max(1, inp),
        "output_tokens": max(1, min(out, max_tokens)),
        "max_tokens": max_tokens,
        "temperature": temperature,
        "stream": stream,
        "n_messages": n_messages,
        "has_system_prompt": system,
        "prompt_simhash": simhash[0],
        "_text": simhash[1],
        "status": status,
        "latency_ms": round(50 + out * 12.0, 1),
    }


def _surge(ctx: Ctx, t: float) -> float:
    return ctx.surge_factor if ctx.surge[0] <= t < ctx.surge[1] else 1.0


def human(
    ctx: Ctx,
    acct: str,
    rng: random.Random,
    *,
    sessions_per_h: float,
    ips: list[str],
    mean_turns: float = 4.0,
    think_s: float = 40.0,
    harvest: TemplateSweep | None = None,
    harvest_share: float = 0.0,
    long_answers: bool = False,
    max_turns: int = 30,
) -> Iterator[Event]:
    """Session-based human traffic (chat users, NAT users, and mimicry campaigns)."""
    tz = rng.uniform(-6, 2)
    ua, tls, key = rng.choice(BROWSERS), rng.choice(BROWSER_TLS), f"{acct}-k1"
    peak = sessions_per_h / 3600.0 * ctx.surge_factor
    t, n = ctx.t0, 0
    while True:
        t += rng.expovariate(peak)
        if t >= ctx.t1:
            return
        if rng.random() > daily(t, tz) * _surge(ctx, t) / ctx.surge_factor:
            continue
        ip = rng.choice(ips)
        turns = min(max_turns, 1 + int(rng.expovariate(1.0 / max(mean_turns - 1, 0.1))))
        if harvest is not None:
            turns = min(turns, 2)  # mimicry: a second turn to look human, never deeper
        history = 0
        for turn in range(turns):
            harvesting = harvest is not None and rng.random() < harvest_share
            sh = harvest.next() if harvest is not None and harvesting else ctx.chat.draw(rng)
            inp = rng.randint(8, 60) + history
            out = int(rng.lognormvariate(math.log(1300 if harvesting or long_answers else 250), 0.4))
            n += 1
            yield _event(
                acct,
                n,
                t,
                ip,
                key,
                sh,
                inp=inp,
                out=out,
                max_tokens=4096 if harvesting else 2048,
                n_messages=2 * turn + 1,
                ua=ua,
                tls=tls,
                stream=True,
            )
            history = inp + out
            t += rng.lognormvariate(math.log(think_s), 0.7) + out / 60.0
            if t >= ctx.t1:
                return


def batch_job(ctx: Ctx, acct: str, rng: random.Random, *, rpm: float, jobs: int) -> Iterator[Event]:
    """Enterprise batch: one template over different long documents, short answers, steady rate."""
    block = cloud_block(rng, 52)
    ips = [f"{block}.{rng.randrange(1, 255)}" for _ in range(3)]
    span = ctx.t1 - ctx.t0
    starts = sorted(ctx.t0 + rng.uniform(0, span * 0.8) for _ in range(jobs))
    t_prev, n = ctx.t0, 0
    for start in starts:
        t = max(start, t_prev)
        size = int(rng.uniform(0.3, 1.0) * rpm * 90)
        for _ in range(size):
            t += rng.expovariate(rpm * _surge(ctx, t) / 60.0)
            if t >= ctx.t1:
                return
            n += 1
            yield _event(
                acct,
                n,
                t,
                rng.choice(ips),
                f"{acct}-batch",
                ctx.docs.draw(rng),
                inp=rng.randint(600, 3000),
                out=rng.randint(20, 160),
                max_tokens=256,
                ua=SDKS[0],
                tls=SDK_TLS[0],
                asn=16509,
                temperature=0.0,
                system=True,
            )
        t_prev = t


def eval_harness(ctx: Ctx, acct: str, rng: random.Random, *, n_prompts: int, every_h: float) -> Iterator[Event]:
    """An evaluation harness: a fixed prompt set re-run in bursts at temperature 0."""
    prompts = [ctx.chat.draw(rng) for _ in range(n_prompts)]
    cot = rng.random() < 0.5
    ip = f"{cloud_block(rng, 35)}.{rng.randrange(1, 255)}"
    t, n = ctx.t0 + rng.uniform(0, every_h * 3600), 0
    while t < ctx.t1:
        for sh in prompts:
            t += rng.expovariate(40 / 60.0)
            if t >= ctx.t1:
                return
            n += 1
            out = rng.randint(200, 900) if cot else rng.randint(1, 40)
            yield _event(
                acct,
                n,
                t,
                ip,
                f"{acct}-eval",
                sh,
                inp=rng.randint(60, 400),
                out=out,
                max_tokens=1024,
                ua=SDKS[1],
                tls=SDK_TLS[1],
                temperature=0.0,
            )
        t += every_h * 3600 * rng.uniform(0.7, 1.3)


def coding_agent(ctx: Ctx, acct: str, rng: random.Random, *, sessions_per_h: float) -> Iterator[Event]:
    """A coding agent: bursty multi-turn sessions with huge, growing inputs."""
    ip = residential_ip(rng)
    t, n = ctx.t0, 0
    while True:
        t += rng.expovariate(sessions_per_h * _surge(ctx, t) / 3600.0)
        if t >= ctx.t1:
            return
        context = rng.randint(3000, 12000)
        for step in range(rng.randint(10, 80)):
            n += 1
            out = rng.randint(80, 1500)
            yield _event(
                acct,
                n,
                t,
                ip,
                f"{acct}-cli",
                ctx.code.draw(rng),
                inp=context,
                out=out,
                max_tokens=8192,
                n_messages=1 + 2 * step,
                ua="claude-code/2.1",
                tls=SDK_TLS[0],
                system=True,
                stream=True,
            )
            context += out + rng.randint(200, 4000)
            t += rng.uniform(2, 15) + out / 80.0
            if t >= ctx.t1:
                return


def scripted(
    ctx: Ctx,
    acct: str,
    rng: random.Random,
    sweep: TemplateSweep,
    *,
    rpm: float,
    ips: list[str],
    jitter: float = 0.1,
    start: float | None = None,
    ua: str = "python-requests/2.32",
    tls: str = SDK_TLS[1],
    ordinary_share: float = 0.0,
    rotate: bool = False,
    asn: int | None = None,
) -> Iterator[Event]:
    """A harvesting script: templated single-turn prompts, long answers, machine timing."""
    t = start if start is not None else ctx.t0 + rng.uniform(0, 600)
    gap = 60.0 / rpm
    n = 0
    while True:
        t += gap * max(0.05, rng.gauss(1.0, jitter))
        if t >= ctx.t1:
            return
        n += 1
        ordinary = rng.random() < ordinary_share
        sh = ctx.chat.draw(rng) if ordinary else sweep.next()
        ip = residential_ip(rng) if rotate else rng.choice(ips)
        out = int(rng.lognormvariate(math.log(300 if ordinary else 1500), 0.35))
        yield _event(
            acct,
            n,
            t,
            ip,
            f"{acct}-k",
            sh,
            inp=rng.randint(25, 70),
            out=out,
            max_tokens=4096,
            ua=rng.choice(BROWSERS) if rotate else ua,
            tls=tls,
            asn=asn,
        )
