"""Factories for test data: valid events and scripted traffic."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from distillguard.models.config import DetectorConfig
from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from distillguard.models.simhash import prompt_simhash

T0 = 1772409600.0


def event(**over: Any) -> dict[str, Any]:
    """A valid API request event; keyword arguments override fields."""
    e: dict[str, Any] = {
        "event_id": "e-1",
        "ts": T0,
        "account_id": "acct-1",
        "api_key_id": "key-1",
        "org_id": None,
        "ip": "203.0.113.7",
        "asn": 64500,
        "user_agent": "ua",
        "tls_fingerprint": "t13d",
        "endpoint": "/v1/messages",
        "model": "m",
        "input_tokens": 40,
        "output_tokens": 300,
        "max_tokens": 1024,
        "temperature": 1.0,
        "stream": False,
        "n_messages": 1,
        "has_system_prompt": False,
        "prompt_simhash": "0123456789abcdef",
        "status": 200,
        "latency_ms": 10.0,
    }
    e.update(over)
    return e


TEMPLATE = "Explain step by step how {} works in {}. Show your reasoning in detail and give a long answer."


def firehose(account: str, n: int, t0: float = T0, rpm: float = 60.0, ip: str = "34.90.1.5") -> list[dict[str, Any]]:
    """A harvesting script: templated prompts, long answers, machine-regular timing."""
    rng = random.Random(account)
    out = []
    for i in range(n):
        text = TEMPLATE.format(f"concept{i % 37} item{i // 37}", f"field{i % 11}")
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=t0 + i * 60.0 / rpm * rng.uniform(0.95, 1.05),
                ip=ip,
                input_tokens=40,
                output_tokens=rng.randint(1200, 2000),
                max_tokens=4096,
                prompt_simhash=prompt_simhash(text),
            )
        )
    return out


def chat_user(account: str, n: int, t0: float = T0, ip: str = "98.10.20.30") -> list[dict[str, Any]]:
    """An honest chat user: diverse prompts, multi-turn, human think times, moderate answers."""
    rng = random.Random(account)
    words = [f"w{i}" for i in range(3000)]
    t = t0
    out = []
    for i in range(n):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(6, 25)))
        t += rng.lognormvariate(3.5, 0.9)
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=t,
                ip=ip,
                input_tokens=60 + 50 * (i % 6),
                output_tokens=rng.randint(100, 500),
                n_messages=1 + 2 * (i % 6),
                prompt_simhash=prompt_simhash(text),
            )
        )
    return out


def hydra(prefix: str, accounts: int, per_account: int, t0: float = T0, gap_s: float = 20.0) -> list[dict[str, Any]]:
    """A campaign behind many accounts, each under any per-account minimum: one client, one
    cloud network, one template swept across accounts, staggered starts."""
    rng = random.Random(prefix)
    out = []
    k = 0
    for a in range(accounts):
        start = t0 + a * gap_s * 2
        for i in range(per_account):
            k += 1
            text = TEMPLATE.format(f"concept{k % 53} item{k // 53}", f"field{k % 13}")
            out.append(
                event(
                    event_id=f"{prefix}-{a:03d}-{i}",
                    account_id=f"{prefix}-{a:03d}",
                    api_key_id=f"key-{prefix}-{a}",
                    ts=start + i * gap_s * rng.uniform(0.8, 1.2),
                    ip=f"34.91.{a % 3}.{rng.randrange(1, 255)}",
                    asn=396982,
                    user_agent="python-httpx/0.27.2",
                    tls_fingerprint="t13d1812h1_85036bcba153",
                    input_tokens=rng.randint(30, 50),
                    output_tokens=rng.randint(1200, 2000),
                    max_tokens=4096,
                    prompt_simhash=prompt_simhash(text),
                )
            )
    return sorted(out, key=lambda r: r["ts"])


def developer_bursts(
    prefix: str,
    n: int,
    ua: str,
    tls: str,
    *,
    start: Callable[[random.Random, int], float],
    ip: Callable[[int, int], str],
    sizes: tuple[int, int] = (2, 5),
    words: tuple[int, int] = (10, 40),
    answer: tuple[int, int] = (700, 900),
    seed: object = 3,
    asn: Callable[[int], int] = lambda a: 7922 + a,
) -> list[dict[str, Any]]:
    """People trying the API on one SDK: account ``a`` sends a burst of ``sizes`` terse prompts
    (``words`` tokens) of its own, seconds apart, from ``start(rng, a)``, for answers of ``answer``
    tokens (code and its explanation); ``ip(a, i)``: the address of its ``i``-th request, in
    network ``asn(a)`` (by default each at home with an ISP of its own)."""
    rng = random.Random(seed)
    out = []
    for a in range(n):
        t = start(rng, a)
        for i in range(rng.randint(*sizes)):
            t += rng.uniform(3.0, 12.0)
            out.append(
                event(
                    event_id=f"{prefix}-{a}-{i}",
                    account_id=f"{prefix}-{a:03d}",
                    ts=t,
                    ip=ip(a, i),
                    asn=asn(a),
                    user_agent=ua,
                    tls_fingerprint=tls,
                    input_tokens=rng.randint(*words),
                    output_tokens=rng.randint(*answer),
                    max_tokens=4096,
                    prompt_simhash=f"{rng.getrandbits(64):016x}",
                )
            )
    return out


def resampler(account: str, temperature: float | None) -> list[dict[str, Any]]:
    """Thirty benchmark questions, each sent six or seven times in a row for a long reasoning
    answer: 200 requests at 20 a minute, from one cloud address (``temperature`` None: none set)."""
    out = []
    for i in range(200):
        text = f"Question {i // 7}: a train leaves the station at {i // 7} o'clock; when does it arrive? Think step by step."
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=T0 + i * 3.0,
                ip="34.90.1.9",
                input_tokens=45,
                output_tokens=1800 + (i * 37) % 300,
                max_tokens=8192,
                temperature=temperature,
                prompt_simhash=prompt_simhash(text),
            )
        )
    return out


def replay(records: list[dict[str, Any]], cfg: DetectorConfig | None = None) -> list[dict[str, Any]]:
    """The decisions (as dicts) a fresh :class:`Detector` makes over ``records`` in time order."""
    det = Detector(cfg)
    out: list[dict[str, Any]] = []
    for r in sorted(records, key=lambda r: float(r["ts"])):
        out.extend(d.to_dict() for d in det.observe(parse_event(r)))
    return out
