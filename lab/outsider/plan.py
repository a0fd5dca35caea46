"""Draw one world per seed: which populations exist, how big they are, then generate and write it."""

from __future__ import annotations

import random
import time
from pathlib import Path

from .attack import ATTACKS
from .core import World
from .honest import HONEST

Y2026 = 1767225600.0  # 2026-01-01T00:00:00Z
Y2027 = 1798761600.0


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def plan(seed: int, hours: float) -> dict:
    rng = random.Random(f"outsider:{seed}:plan")
    f = hours / 6.0
    acc_scale = f**0.5
    start = round(rng.uniform(Y2026, Y2027 - hours * 3600.0), 3)
    n_total = rng.randint(1500, 2500)
    atk_acc_share = rng.uniform(0.10, 0.35)
    e_total = rng.randint(150_000, 400_000)
    atk_ev_share = rng.uniform(0.05, 0.40)
    n_atk = n_total * atk_acc_share * acc_scale
    n_ben = n_total * acc_scale - n_atk
    e_atk = e_total * atk_ev_share * f
    e_ben = e_total * f - e_atk

    # ---- honest
    honest: dict[str, dict] = {}
    for name, (_fn, kind, _acc_range, _per, presence, weight) in HONEST.items():
        if name in ("chat_individuals", "org_dev_team") or rng.random() < presence:
            honest[name] = {"kind": kind, "weight": weight * rng.uniform(0.4, 1.6)}
    fixed_acc = 0
    for name, d in honest.items():
        acc_range = HONEST[name][2]
        if acc_range:
            d["accounts"] = max(1, round(rng.randint(*acc_range) * acc_scale))
            fixed_acc += d["accounts"]
    light = [n for n, d in honest.items() if d["kind"] == "light"]
    lw = sum(honest[n]["weight"] for n in light)
    light_events = 0
    for n in light:
        d = honest[n]
        d["accounts"] = max(1, round((n_ben - fixed_acc) * d["weight"] / lw))
        span = HONEST[n][3]
        assert span is not None  # a light population draws its accounts' event counts
        lo, hi = span
        d["budget"] = round(d["accounts"] * rng.uniform(lo, hi) * f / acc_scale)
        light_events += d["budget"]
    volume = [n for n, d in honest.items() if d["kind"] == "volume"]
    vw = sum(honest[n]["weight"] for n in volume) or 1.0
    vol_total = max(0.15 * e_ben, e_ben - light_events)
    for n in volume:
        d = honest[n]
        d["budget"] = max(d["accounts"] * 20, round(vol_total * d["weight"] / vw))
    if "uptime_monitor" in honest:
        honest["uptime_monitor"]["budget"] = 0

    # ---- attacks
    k = int(_clamp(round(e_total * atk_ev_share / rng.uniform(7000, 16000)), 2, 7))
    names = rng.sample(sorted(ATTACKS), k)
    attacks: dict[str, dict] = {}
    raw_acc = {n: rng.randint(*ATTACKS[n][1]) for n in names}
    fac = n_atk / max(1, sum(raw_acc.values()))
    weights = {n: ATTACKS[n][2] * rng.uniform(0.4, 1.6) for n in names}
    ws = sum(weights.values())
    for n in names:
        lo, hi = ATTACKS[n][1]
        acc = round(_clamp(raw_acc[n] * fac, lo * 0.5 * acc_scale, hi * 1.5 * acc_scale))
        acc = max(1, acc)
        attacks[n] = {"accounts": acc, "budget": max(acc * 5, round(e_atk * weights[n] / ws)), "tell": ATTACKS[n][3]}
    return {
        "start": start,
        "targets": {
            "accounts": round(n_total * acc_scale),
            "events": round(e_total * f),
            "attack_share_accounts": round(atk_acc_share, 3),
            "attack_share_events": round(atk_ev_share, 3),
        },
        "honest": {n: {"accounts": d["accounts"], "budget": d["budget"]} for n, d in honest.items()},
        "attacks": attacks,
    }


def generate(seed: int, hours: float, out: Path) -> dict:
    t_start = time.perf_counter()
    p = plan(seed, hours)
    world = World(seed, hours, p["start"])
    for name, d in p["honest"].items():
        HONEST[name][0](world, random.Random(f"outsider:{seed}:pop:{name}"), d["accounts"], d["budget"])
    campaigns = {}
    for name, d in p["attacks"].items():
        prng = random.Random(f"outsider:{seed}:pop:{name}")
        camp = world.new_id("cmp", prng, 4)
        campaigns[camp] = name
        ATTACKS[name][0](world, prng, d["accounts"], d["budget"], camp)
    meta = world.write(out, {"plan": p, "campaigns": campaigns})
    meta["_elapsed_s"] = round(time.perf_counter() - t_start, 1)
    return meta
