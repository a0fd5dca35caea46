"""Helpers shared by the honest and the attack populations."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping

from . import net
from . import prompts as pr
from .core import LAUNCH_MODEL, STANDARD_MODELS, Account, World
from .timing import Bins

HUMAN_STACKS = {
    "electron": 20,
    "chrome": 14,
    "firefox": 5,
    "safari": 5,
    "mobile-ios": 8,
    "mobile-android": 7,
    "anthropic-python": 15,
    "openai-python": 10,
    "curl": 4,
    "anthropic-node": 6,
    "openai-node": 6,
}
SERVER_STACKS = {
    "anthropic-python": 30,
    "openai-python": 22,
    "anthropic-node": 10,
    "openai-node": 9,
    "go": 6,
    "go-sdk": 4,
    "java-httpclient": 5,
    "okhttp": 3,
    "dotnet": 4,
    "rust-reqwest": 2,
    "langchain": 5,
    "python-requests": 4,
    "aiohttp": 3,
}


def wchoice(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def split(rng: random.Random, total: int, n: int, sigma: float, lo: int = 1) -> list[int]:
    """Split ``total`` events over ``n`` accounts with lognormal weights."""
    if n <= 0:
        return []
    w = [math.exp(rng.gauss(0, sigma)) for _ in range(n)]
    s = sum(w)
    return [max(lo, round(total * x / s)) for x in w]


def model_for(
    world: World, rng: random.Random, ts: float, pref: list[str] | None = None, launch_p: float = 0.08
) -> str:
    if ts >= world.launch_ts and rng.random() < launch_p:
        return LAUNCH_MODEL
    return rng.choice(pref or STANDARD_MODELS)


def home_egress(world: World, rng: random.Random, hot_p: float = 0.45, mobile_p: float = 0.2) -> net.Egress:
    x = rng.random()
    if x < mobile_p:
        return net.mobile_egress(rng, rng.choice(net.MOBILE))
    prov = rng.choice(net.RESIDENTIAL)
    if x < mobile_p + hot_p:
        return net.household_egress(rng, prov, block=rng.choice(world.hot_blocks[prov]))
    return net.household_egress(rng, prov)


def cloud_egress(rng: random.Random, n_addr: int = 1, providers: list[str] | None = None) -> net.Egress:
    return net.static_egress(rng, rng.choice(providers or net.BIG_CLOUDS), n_addr)


def conversation_sessions(
    world: World,
    acct: Account,
    sessions: list[list[float]],
    first: Callable,
    *,
    followup_p: float,
    models: list[str] | None,
    max_tokens: list[int],
    system_tokens: int = 0,
    launch_p: float = 0.08,
    followup: Callable = pr.followup,
) -> int:
    """Multi-turn human conversations: each session is one or more conversations."""
    rng = acct.rng
    n = 0
    for times in sessions:
        hist = 0
        msgs = 1
        model = model_for(world, rng, times[0], models, launch_p)
        mt = rng.choice(max_tokens)
        for i, ts in enumerate(times):
            if i == 0 or rng.random() > followup_p:
                hist, msgs = 0, 1
                text, kind = first(rng)
            else:
                text, kind = followup(rng)
            world.emit(
                acct,
                ts,
                text,
                kind,
                model=model,
                max_tokens=mt,
                n_messages=msgs,
                history_tokens=hist,
                system_tokens=system_tokens,
            )
            hist += int(len(text) / 3.9) + 260
            msgs += 2
            n += 1
    return n


def human_bins(
    world: World, rng: random.Random, curve: str = "human", tz: float | None = None, weekend: float = 0.85
) -> Bins:
    tz = rng.choice(world_tzs()) if tz is None else tz
    return Bins(world.t0, world.t1, [tz], curve, weekend)


def world_tzs() -> list[float]:
    from .timing import TZ_MIX

    return TZ_MIX


def sweep_topics(rng: random.Random, shuffle: bool = True) -> list[tuple[str, str]]:
    topics = list(pr.ALL_TOPICS)
    if shuffle:
        rng.shuffle(topics)
    return topics
