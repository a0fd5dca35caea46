"""``--variant random``: a whole world drawn from the seed, built to make the detector fail.

Every population's presence, size, rates, templates, answer lengths, caps, address pools,
client fingerprints and timing style come from wide ranges drawn with the seed, so seeds 1-10
and 1001-1010 are genuinely different worlds. Honest populations include many look-alikes of
harvesting (each shares some trait with it); campaigns include adaptive ones that hide a trait.

:func:`plan` draws the parameters (JSON-able, per scenario); :func:`build_random` turns them into
client generators and labels. Account ids are opaque (nothing in them names the scenario).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from distillguard.lab.traffic import templates as T  # noqa: N812
from distillguard.lab.traffic.populations import Req, Style, harvest_req, requests, sessions
from distillguard.lab.traffic.templates import Sweep, Wrapped
from distillguard.lab.traffic.text import Prompt, PromptPool, fast_simhash, make_vocab, sentence
from distillguard.lab.traffic.world import MODELS, Acct, Addr, Clients, Event, Pools, arrivals, daily, lognorm

DEFAULT_START = 1772445600.0  # as simulate.DEFAULT_START: 2026-03-02T10:00:00Z

HONEST = [
    "chat",
    "heavy_chat",
    "campus_nat",
    "home_neighbours",
    "low_volume_writer",
    "batch",
    "eval_harness",
    "eval_harness_cot",
    "coding_agent",
    "saas_backend",
    "product_descriptions",
    "synthetic_data",
    "translation",
    "company_org",
    "classroom",
    "launch_wave",
    "support_bot",
    "ci_review_bot",
    "longctx_research",
    "autonomous_agent",
    "retry_storm",
    "tutoring_app",
]
LATER_HONEST = [
    "byok_app",
    "tenant_pool",
    "content_agency",
    "benchmark_harness",
    "proxied_office",
    "prompt_tinkerer",
    "model_comparison",
    "egress_pool",
]
"""Honest populations added after the seeds above were in use: planned from a random stream of
their own, after the others, so that every earlier population of a seed stays as it was."""
LATER_ATTACK = ["costumed_mimic", "pooled_agent", "padded_hydra", "shell_orgs"]
"""Campaigns added after the seeds above were in use, planned from a random stream of their own
after the later honest populations (present in a seed with the same chance as any campaign)."""
LATEST_HONEST = ["client_trial", "sharded_product"]
"""Honest populations added after the later campaigns: planned from a stream of their own and
built last, so that every population above stays as it was."""
ATTACK = [
    "firehose",
    "hydra",
    "slow_and_low",
    "residential_proxy",
    "mimicry",
    "swarm",
    "paraphrase_sweep",
    "diluted_harvest",
    "multiturn_harvest",
    "human_timing_harvest",
    "saas_disguise",
    "browser_spoof_wave",
    "slow_low_spread",
]
# Populations whose volume is set by a rate (scaled together to keep the world's size moderate).
BULK = {"batch", "saas_backend", "product_descriptions", "synthetic_data", "translation", "support_bot",
        "tutoring_app"}  # fmt: skip
RATE_ATTACKS = {"hydra", "slow_and_low", "residential_proxy", "paraphrase_sweep", "diluted_harvest",
                "multiturn_harvest", "human_timing_harvest", "saas_disguise", "slow_low_spread"}  # fmt: skip
RPM_RANGE = {"saas_backend": (20.0, 120.0), "product_descriptions": (4.0, 20.0)}  # stay in the brief's ranges
DIURNAL_MEAN = 0.55
CLOUD_PROVIDERS = ("aws", "gcp", "azure", "digitalocean", "hetzner", "ovh", "linode")
"""The clouds a campaign rents its blocks from (``world.CLOUDS``), in the order plans draw them."""


def random_start(seed: int) -> float:
    """The world's first event time: any hour of the week after :data:`DEFAULT_START`."""
    return DEFAULT_START + random.Random(f"start-{seed}").randrange(0, 7 * 24) * 3600.0


# --- planning --------------------------------------------------------------------------------


def _u(r: random.Random, lo: float, hi: float, nd: int = 3) -> float:
    return round(r.uniform(lo, hi), nd)


def _plan_one(name: str, r: random.Random, hours: float, dm: float) -> dict[str, Any]:
    """Parameters of one population at scale 1, with ``n`` (instances) and ``est`` (events)."""
    h = hours
    if name == "chat":
        n, s = r.randint(250, 800), _u(r, 0.25, 0.8)
        return {"n": n, "sessions_per_h": s, "mean_turns": _u(r, 2.0, 5.0), "est": n * s * h * dm * 3.5}
    if name == "heavy_chat":
        n, s = r.randint(15, 80), _u(r, 1.0, 4.0)
        return {"n": n, "sessions_per_h": s, "long_share": _u(r, 0.2, 0.8), "est": n * s * h * dm * 5}
    if name == "campus_nat":
        n, s = r.randint(60, 300), _u(r, 0.4, 1.5)
        return {"n": n, "sessions_per_h": s, "nat_ips": r.randint(1, 8), "est": n * s * h * dm * 3}
    if name == "home_neighbours":
        n, s = r.randint(30, 200), _u(r, 0.3, 1.2)
        return {"n": n, "sessions_per_h": s, "est": n * s * h * dm * 3}
    if name == "low_volume_writer":
        n, lo = r.randint(40, 250), r.randint(5, 15)
        hi = r.randint(max(lo + 5, 20), 60)
        return {"n": n, "req_per_6h": [lo, hi], "out_mean": r.randint(900, 2500), "mobile_share": _u(r, 0.2, 0.7),
                "max_tokens": r.choice([4096, 8192, 16000]), "est": n * (lo + hi) / 2 * h / 6}  # fmt: skip
    if name == "batch":
        n, rpm, jobs = r.randint(1, 8), _u(r, 40, 220), r.randint(1, 4)
        return {"n": n, "rpm": rpm, "jobs": [1, jobs], "est": n * rpm * 90 * 0.65 * (1 + jobs) / 2 * min(1, h / 6)}
    if name == "eval_harness":
        n = r.randint(2, 8)
        return {"n": n, "prompts": [100, r.randint(150, 500)], "every_h": _u(r, 0.8, 3.0), "est": n * 250 * h / 1.8}
    if name == "eval_harness_cot":
        n, b = r.randint(3, 20), r.randint(1, 4)
        sizes = [r.randint(80, 600) for _ in range(b)]
        runs = r.randint(1, 4)
        est = n * sum(sizes) / b * runs * min(1.0, h / 6)
        return {"n": n, "benchmarks": sizes, "runs": runs, "rpm": [20, r.randint(40, 150)], "est": est}
    if name == "coding_agent":
        n, s = r.randint(10, 60), _u(r, 0.2, 1.2)
        return {"n": n, "sessions_per_h": s, "est": n * s * h * 40}
    if name == "saas_backend":
        n, rpm = r.randint(1, 5), _u(r, 20, 120)
        return {"n": n, "rpm": rpm, "out_mean": r.randint(150, 600), "multiturn_share": _u(r, 0.0, 0.5),
                "est": n * rpm * 60 * h * dm}  # fmt: skip
    if name == "product_descriptions":
        n, rpm = r.randint(1, 6), _u(r, 4, 20)
        return {"n": n, "rpm": rpm, "out_mean": r.randint(250, 600), "est": n * rpm * 60 * h}
    if name == "synthetic_data":
        n, rpm = r.randint(1, 3), _u(r, 8, 80)
        return {"n": n, "rpm": rpm, "out_mean": r.randint(800, 2500), "timing": r.choice(["regular", "poisson"]),
                "est": n * rpm * 60 * h * 0.8}  # fmt: skip
    if name == "translation":
        n, rpm = r.randint(1, 4), _u(r, 5, 50)
        return {"n": n, "rpm": rpm, "ratio": [0.9, _u(r, 1.0, 1.6)], "est": n * rpm * 60 * h * 0.8}
    if name == "company_org":
        k = r.randint(1, 3)
        sizes = [r.randint(15, 120) for _ in range(k)]
        s = _u(r, 0.5, 2.0)
        return {"n": k, "employees": sizes, "sessions_per_h": s, "est": sum(sizes) * s * h * 0.4 * 3}
    if name == "classroom":
        k = r.randint(1, 3)
        sizes = [r.randint(15, 80) for _ in range(k)]
        return {"n": k, "students": sizes, "exact_share": _u(r, 0.2, 0.9), "est": sum(sizes) * 4}
    if name == "launch_wave":
        n = r.randint(60, 300)
        return {"n": n, "window_h": _u(r, 0.5, 2.0), "requests": [1, r.randint(4, 14)], "est": n * 5}
    if name == "support_bot":
        n, rpm = r.randint(1, 6), _u(r, 5, 40)
        return {"n": n, "rpm": rpm, "out_mean": r.randint(80, 450), "est": n * rpm * 60 * h * dm}
    if name == "ci_review_bot":
        n = r.randint(2, 15)
        return {"n": n, "per_h": [2, r.randint(4, 20)], "out_mean": r.randint(300, 1200), "est": n * 7 * h}
    if name == "longctx_research":
        n = r.randint(5, 40)
        return {"n": n, "sessions_per_h": _u(r, 0.5, 2.0), "inp": [20_000, r.randint(40_000, 180_000)],
                "est": n * 1.2 * h * dm * 2}  # fmt: skip
    if name == "autonomous_agent":
        n, s = r.randint(3, 20), _u(r, 0.5, 3.0)
        return {"n": n, "runs_per_h": s, "steps": [5, r.randint(20, 80)], "est": n * s * h * 25}
    if name == "retry_storm":
        n, rpm = r.randint(2, 10), _u(r, 0.5, 6)
        return {"n": n, "rpm": rpm, "errors": _u(r, 0.1, 0.45), "est": n * rpm * 60 * h * 1.4}
    if name == "tutoring_app":
        n, rpm = r.randint(1, 3), _u(r, 3, 25)
        return {"n": n, "rpm": rpm, "out_mean": r.randint(600, 1800), "est": n * rpm * 60 * h * dm}
    if name == "byok_app":
        n, s = r.randint(15, 120), _u(r, 0.8, 3.0)
        return {"n": n, "sessions_per_h": s, "long_share": _u(r, 0.5, 1.0), "system": _u(r, 0.6, 1.0),
                "mobile_share": _u(r, 0.0, 0.3), "est": n * s * h * dm * 1.5}  # fmt: skip
    if name == "tenant_pool":
        n, rpm = r.randint(5, 12), _u(r, 1.0, 6.0)
        return {"n": n, "rpm": rpm, "out_mean": r.randint(900, 1800), "multiturn_share": _u(r, 0.0, 0.25),
                "est": n * rpm * 60 * h * dm}  # fmt: skip
    if name == "content_agency":
        sizes = [r.randint(5, 20) for _ in range(r.randint(1, 3))]
        return {"employees": sizes, "sessions_per_h": _u(r, 0.3, 1.5), "brief_share": _u(r, 0.3, 1.0),
                "est": sum(sizes) * 1.0 * h * 1.5}  # fmt: skip
    if name == "benchmark_harness":
        n, runs = r.randint(2, 8), r.randint(1, 3)
        sizes = [r.randint(150, 800) for _ in range(r.randint(1, 3))]
        return {"n": n, "benchmarks": sizes, "runs": runs, "rpm": [5, r.randint(20, 90)],
                "est": n * sum(sizes) / len(sizes) * (runs + 1) / 2 * min(1.0, h / 6)}  # fmt: skip
    if name == "prompt_tinkerer":
        n = r.randint(10, 60)
        return {"n": n, "runs": [1, r.randint(1, 3)], "run_len": [15, r.randint(40, 150)],
                "recipe_share": _u(r, 0.05, 0.2), "out_mean": [200, r.randint(400, 900)],
                "est": n * 2 * 60 * min(1.0, h / 6)}  # fmt: skip
    if name == "model_comparison":
        n, size, runs = r.randint(1, 4), r.randint(100, 400), r.randint(2, 5)
        return {"n": n, "questions": [60, size], "runs": [2, runs], "rpm": [10, r.randint(20, 90)],
                "est": n * size * (runs + 2) / 2 * min(1.0, h / 6)}  # fmt: skip
    if name == "egress_pool":
        n, rpm = r.randint(1, 4), r.randint(10, 150)
        return {"n": n, "rpm": [5, rpm], "ips": [4, r.randint(8, 64)], "out_mean": [500, r.randint(700, 1500)],
                "est": n * (5 + rpm) / 2 * 60 * h * dm}  # fmt: skip
    if name == "proxied_office":
        sizes = [r.randint(30, 100) for _ in range(r.randint(1, 2))]
        return {"employees": sizes, "writer_share": [_u(r, 0.05, 0.8) for _ in sizes],
                "chromium_share": [_u(r, 0.45, 0.9) for _ in sizes], "sessions_per_h": _u(r, 0.3, 1.5),
                "est": sum(sizes) * 1.0 * h * 1.5}  # fmt: skip
    if name == "client_trial":
        n, acc, q, gap = r.randint(1, 2), r.randint(30, 120), r.randint(5, 12), r.randint(300, 900)
        return {"n": n, "accounts": [20, acc], "questions": [2, q], "gap_s": [60, gap],
                "out_mean": [300, r.randint(600, 1500)], "launch_h": _u(r, 1.0, 5.0),
                "est": n * (20 + acc) / 2 * (2 + q) / 2}  # fmt: skip
    if name == "sharded_product":
        n, acc, rpm = r.randint(1, 2), r.randint(6, 20), _u(r, 0.5, 4.0)
        shortest = _u(r, 0.5, 1.0)
        return {"n": n, "accounts": acc, "rpm": rpm, "inp": [r.randint(150, 400), r.randint(600, 1200)],
                "out_ratio": [shortest, round(shortest + r.uniform(0.3, 1.0), 3)], "multiturn_share": _u(r, 0.0, 0.3),
                "ips": r.randint(1, 4), "template_words": r.randint(0, 80), "est": n * acc * rpm * 60 * h * dm}  # fmt: skip
    # --- campaigns (n = campaigns; accounts per campaign where it matters) ---------------------
    if name == "firehose":
        n, rpm = r.randint(1, 3), _u(r, 20, 120)
        return {"n": n, "rpm": rpm, "jitter": _u(r, 0.03, 0.4), "est": n * rpm * 60 * h * 0.95}
    if name == "hydra":
        n, acc, rpm = r.randint(1, 4), r.randint(10, 50), _u(r, 0.3, 2.0)
        return {
            "n": n,
            "accounts": acc,
            "rpm": rpm,
            "ordinary_share": _u(r, 0.0, 0.4),
            "est": n * acc * rpm * 60 * h * 0.6,
        }
    if name == "slow_and_low":
        n, rph = r.randint(5, 30), _u(r, 4, 30)
        return {"n": n, "rph": rph, "est": n * rph * h}
    if name == "residential_proxy":
        n, acc, rpm = r.randint(1, 2), r.randint(3, 15), _u(r, 1, 10)
        return {"n": n, "accounts": acc, "rpm": rpm, "exit_blocks": r.randint(20, 200), "est": n * acc * rpm * 60 * h}
    if name == "mimicry":
        n, s = r.randint(4, 20), _u(r, 1.5, 6)
        return {"n": n, "sessions_per_h": s, "harvest_share": _u(r, 0.4, 0.85), "est": n * s * h * dm * 2}
    if name == "costumed_mimic":
        n, s = r.randint(20, 120), _u(r, 0.5, 2.5)
        return {"n": n, "sessions_per_h": s, "harvest_share": _u(r, 0.5, 0.9), "est": n * s * h * dm * 3}
    if name == "pooled_agent":
        n, per_h, steps = r.randint(2, 12), _u(r, 3, 15), r.randint(8, 30)
        return {"n": n, "runs_per_h": per_h, "steps": [3, steps], "out": [r.randint(100, 400), r.randint(1200, 3000)],
                "blocks": r.randint(1, 3), "est": n * per_h * h * (3 + steps) / 2}  # fmt: skip
    if name == "padded_hydra":
        n, acc, rpm = r.randint(1, 2), r.randint(10, 60), _u(r, 0.05, 0.5)
        return {"n": n, "accounts": acc, "rpm": rpm, "multiturn_share": _u(r, 0.7, 1.0), "max_turns": r.randint(4, 9),
                "est": n * acc * rpm * 60 * h * 0.6}  # fmt: skip
    if name == "shell_orgs":
        n, acc, rpm, cap = r.randint(2, 8), r.randint(3, 20), _u(r, 0.03, 0.3), [r.randint(5, 15), r.randint(20, 60)]
        return {"n": n, "accounts": acc, "rpm": rpm, "requests": cap, "system_share": _u(r, 0.0, 1.0),
                "est": n * acc * min(rpm * 60 * h * 0.5, sum(cap) / 2)}  # fmt: skip
    if name == "swarm":
        n, acc = r.randint(1, 2), r.randint(100, 500)
        return {"n": n, "accounts": acc, "requests": [3, r.randint(5, 11)], "clients": r.randint(1, 3),
                "infra": r.choice(["cloud", "proxy"]), "est": n * acc * 6}  # fmt: skip
    if name == "paraphrase_sweep":
        n, acc, rpm = r.randint(1, 2), r.randint(2, 20), _u(r, 0.5, 6)
        return {"n": n, "accounts": acc, "rpm": rpm, "pad": r.randint(4, 15), "paraphrase": _u(r, 0.1, 0.35),
                "est": n * acc * rpm * 60 * h * 0.9}  # fmt: skip
    if name == "diluted_harvest":
        n, acc, rpm = r.randint(1, 2), r.randint(2, 15), _u(r, 1, 8)
        return {"n": n, "accounts": acc, "rpm": rpm, "short_share": _u(r, 0.2, 0.55),
                "ordinary_share": _u(r, 0.0, 0.2), "est": n * acc * rpm * 60 * h * 0.9}  # fmt: skip
    if name == "multiturn_harvest":
        n, acc, rpm = r.randint(1, 2), r.randint(2, 15), _u(r, 1, 8)
        return {"n": n, "accounts": acc, "rpm": rpm, "multiturn_share": _u(r, 0.4, 0.95), "max_turns": r.randint(3, 7),
                "est": n * acc * rpm * 60 * h * 0.9}  # fmt: skip
    if name == "human_timing_harvest":
        n, acc, rpm = r.randint(1, 2), r.randint(3, 25), _u(r, 0.5, 4)
        return {"n": n, "accounts": acc, "rpm": rpm, "timing": r.choice(["human", "bursty", "diurnal", "work"]),
                "est": n * acc * rpm * 60 * h * 0.5}  # fmt: skip
    if name == "saas_disguise":
        n, acc, rpm = r.randint(1, 2), r.randint(1, 3), _u(r, 10, 60)
        return {"n": n, "accounts": acc, "rpm": rpm, "est": n * acc * rpm * 60 * h * dm}
    if name == "browser_spoof_wave":
        n, acc, rpm = 1, r.randint(30, 150), _u(r, 1, 6)
        return {"n": n, "accounts": acc, "rpm": rpm, "life_min": [20, r.randint(40, 120)], "est": acc * rpm * 50}
    if name == "slow_low_spread":
        n, acc, rph = 1, r.randint(30, 200), _u(r, 3, 20)
        return {"n": n, "accounts": acc, "rph": rph, "est": acc * rph * h}
    raise ValueError(name)


# synthetic_data is off: one account sweeping a topic list for long answers, from the cloud, round
# the clock, is a harvest by every trait an event carries. Telling an honest one apart takes what
# the events do not have (a contract, a known customer): the allowlist's job, not detection's.
PRESENCE = {"campus_nat": 0.75, "batch": 0.8, "synthetic_data": 0.0, "translation": 0.6, "company_org": 0.7,
            "classroom": 0.6, "launch_wave": 0.6, "tutoring_app": 0.6, "retry_storm": 0.7, "longctx_research": 0.8,
            "autonomous_agent": 0.8, "product_descriptions": 0.8, "saas_backend": 0.9, "eval_harness_cot": 0.9,
            "home_neighbours": 0.85, "ci_review_bot": 0.85}  # fmt: skip
ALWAYS = {"chat", "heavy_chat", "low_volume_writer", "coding_agent", "eval_harness", "support_bot"}
ACCOUNTS_PER = {"hydra": "accounts", "residential_proxy": "accounts", "swarm": "accounts",
                "paraphrase_sweep": "accounts", "diluted_harvest": "accounts", "multiturn_harvest": "accounts",
                "human_timing_harvest": "accounts", "saas_disguise": "accounts", "browser_spoof_wave": "accounts",
                "slow_low_spread": "accounts", "padded_hydra": "accounts", "shell_orgs": "accounts",
                "sharded_product": "accounts"}  # fmt: skip


def _accounts(name: str, p: dict[str, Any]) -> int:
    if name in ("company_org", "content_agency", "proxied_office"):
        return sum(p["employees"])
    if name == "classroom":
        return sum(p["students"])
    if name == "client_trial":
        return p["n"] * sum(p["accounts"]) // 2
    return p["n"] * (p[ACCOUNTS_PER[name]] if name in ACCOUNTS_PER else 1)


def _diurnal_mean(t0: float, hours: float) -> float:
    """Mean human activity over the window (time zones -8..+3), for volume estimates."""
    grid = [t0 + hours * 3600.0 * (i + 0.5) / 24 for i in range(24)]
    return sum(daily(t, tz) for t in grid for tz in range(-8, 4)) / (24 * 12)


def plan(seed: int, hours: float = 6.0, scale: float = 1.0, start: float | None = None) -> dict[str, Any]:
    """Which populations exist and their parameters (all at ``scale``), drawn from ``seed``."""
    r = random.Random(f"plan-{seed}")
    dm = _diurnal_mean(random_start(seed) if start is None else start, hours)
    pops: dict[str, dict[str, Any]] = {}
    for name in HONEST:
        if name in ALWAYS or r.random() < PRESENCE.get(name, 0.8):
            pops[name] = _plan_one(name, r, hours, dm)
    attacks = [a for a in ATTACK if r.random() < 0.6]
    while len(attacks) < 4:
        extra = r.choice([a for a in ATTACK if a not in attacks])
        attacks.append(extra)
    for name in sorted(attacks, key=ATTACK.index):
        pops[name] = _plan_one(name, r, hours, dm)
    # Size: bring the accounts into 1,000-2,500 and the events near a drawn target (at scale 1).
    target_acc = r.uniform(1100, 2300)
    acc = sum(_accounts(k, v) for k, v in pops.items())
    f_acc = target_acc / acc
    for k in ("chat", "home_neighbours", "low_volume_writer", "campus_nat", "swarm", "launch_wave"):
        if k in pops:
            _resize(k, pops[k], f_acc)
    # Honest events: the bulk programs fill what the people leave of a drawn target.
    target_ev = r.uniform(150_000, 260_000) * hours / 6.0
    bulk = sum(v["est"] for k, v in pops.items() if k in BULK)
    rest = sum(v["est"] for k, v in pops.items() if k in HONEST and k not in BULK)
    f_ev = min(3.0, max(0.1, (target_ev - rest) / max(bulk, 1.0)))
    for k, v in pops.items():
        if k in BULK:
            lo, hi = RPM_RANGE.get(k, (0.0, 1e9))
            rpm = min(hi, max(lo, v["rpm"] * f_ev))
            v["est"] *= rpm / v["rpm"]
            v["rpm"] = round(rpm, 3)
    # Attack events: a drawn share of the honest volume (rate-driven campaigns scaled together).
    attack_ev = r.uniform(0.1, 0.4) * target_ev
    fixed = sum(v["est"] for k, v in pops.items() if k in ATTACK and k not in RATE_ATTACKS)
    scaled = sum(v["est"] for k, v in pops.items() if k in RATE_ATTACKS)
    f_at = min(2.0, max(0.15, (attack_ev - fixed) / max(scaled, 1.0)))
    for k, v in pops.items():
        if k in RATE_ATTACKS:
            key = "rph" if "rph" in v else "rpm"
            v[key] = round(v[key] * f_at, 4)
            v["est"] *= f_at
    later = random.Random(f"plan-later-{seed}")
    for name in LATER_HONEST:
        if later.random() < PRESENCE.get(name, 0.8):
            pops[name] = _plan_one(name, later, hours, dm)
    later_attack = random.Random(f"plan-later-attack-{seed}")
    for name in LATER_ATTACK:
        if later_attack.random() < 0.6:
            pops[name] = _plan_one(name, later_attack, hours, dm)
    latest = random.Random(f"plan-latest-{seed}")
    for name in LATEST_HONEST:
        if latest.random() < PRESENCE.get(name, 0.8):
            pops[name] = _plan_one(name, latest, hours, dm)
    for k, v in pops.items():
        _scale(k, v, scale)
    return {
        "seed": seed,
        "hours": hours,
        "start": random_start(seed) if start is None else start,
        "scale": scale,
        "home_blocks": r.randint(300, 2500),
        "v6_share": _u(r, 0.0, 0.3),
        "crowding": _u(r, 0.8, 2.5),
        "org_share": _u(r, 0.0, 0.6),
        "populations": pops,
    }


def _scale(name: str, p: dict[str, Any], scale: float) -> None:
    p["est"] = round(p["est"] * scale)
    if scale == 1.0:
        return
    if name in ACCOUNTS_PER:
        p[ACCOUNTS_PER[name]] = max(1, round(p[ACCOUNTS_PER[name]] * scale))
    elif name in ("company_org", "classroom"):
        key = "employees" if name == "company_org" else "students"
        p[key] = [max(1, round(x * scale)) for x in p[key]]
    elif name == "content_agency":  # an agency is five writers or more at any scale
        p["employees"] = [max(5, round(x * scale)) for x in p["employees"]]
    elif name == "proxied_office":  # twenty people or more: a stack is judged from twenty accounts on
        p["employees"] = [max(20, round(x * scale)) for x in p["employees"]]
    else:
        p["n"] = max(1, round(p["n"] * scale))


def _resize(name: str, p: dict[str, Any], f: float) -> None:
    key = ACCOUNTS_PER.get(name, "n")
    old = p[key]
    p[key] = max(10, round(old * f))
    p["est"] *= p[key] / old


# --- building --------------------------------------------------------------------------------


@dataclass
class World:
    """Everything the builders share."""

    seed: int
    t0: float
    t1: float
    pools: Pools
    clients: Clients
    vocab: list[str]
    chat: PromptPool
    docs: PromptPool
    code: PromptPool
    org_share: float
    proxy_blocks: list[int] = field(default_factory=list)
    gens: list[Iterator[Event]] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: random.Random = field(default_factory=random.Random)
    recipes: list[str] = field(default_factory=list)
    """Prompt recipes going round: the campaigns' templates so far (a campaign copies its
    wording from the same tutorials and forums as anyone; people reuse it too)."""

    def acct_id(self) -> str:
        """A fresh opaque account id."""
        while True:
            a = f"acct-{self.ids.getrandbits(40):010x}"
            if a not in self.labels:
                return a

    def add(self, acct: str, label: str, scenario: str, gen: Iterator[Event], campaign: str | None = None) -> None:
        """Register one account's generator and label."""
        self.labels[acct] = {"label": label, "scenario": scenario}
        if campaign is not None:
            self.labels[acct]["campaign"] = campaign
        self.gens.append(gen)

    def org(self, r: random.Random) -> str | None:
        """An individual's own org, or none."""
        return f"org-{r.getrandbits(36):09x}" if r.random() < self.org_share else None

    def proxy_exit(self, r: random.Random) -> Addr:
        """An exit of the rotating-proxy pool: a host in a home /24 where honest users live too."""
        return self.pools.host(r, r.choice(self.proxy_blocks))

    def sweep(
        self,
        r: random.Random,
        *,
        pad: int = 0,
        paraphrase: float = 0.0,
        short: bool = False,
        taxonomy: tuple[Any, Any] | None = None,
    ) -> Sweep:
        """A campaign's own template family and taxonomy (its templates join :attr:`recipes`);
        ``taxonomy``: the topics of a sweep it shares with other accounts, in its own wording."""
        concepts, fields = taxonomy or T.taxonomy(r, r.randint(60, 400), r.randint(6, 30))
        temps = T.harvest_templates(r, r.randint(1, 6))
        if r.random() < 0.3:
            temps += T.problem_templates(r, r.randint(1, 3))
        self.recipes.extend(temps)
        return Sweep(
            r,
            temps,
            concepts,
            fields,
            order="sweep" if r.random() < 0.7 else "random",
            pad=pad,
            paraphrase=paraphrase,
            filler=self.vocab[r.randrange(0, 4000) :][:600],
            short=T.short_templates(r, r.randint(1, 4)) if short else None,
        )


def _pool_prompt(pool: PromptPool, out_mean: float) -> Callable[[random.Random, int], tuple[Prompt, float]]:
    return lambda rng, _turn: (pool.draw(rng), out_mean)


def _fixed_addr(a: Addr) -> Callable[[random.Random], Addr]:
    return lambda _r: a


def _office_nat(r: random.Random, k: int | None = None) -> list[Addr]:
    """The NAT addresses of one office /24: ``k`` of them, or one to four."""
    office = Pools.office_block(r)
    n = r.randint(1, 4) if k is None else k
    return [(f"{office[0]}.{x}", office[1]) for x in r.sample(range(2, 250), k=n)]


def _choice_addr(addrs: list[Addr]) -> Callable[[random.Random], Addr]:
    return lambda r: r.choice(addrs)


def _random_knobs(r: random.Random, base: Style) -> Style:
    """Optional adaptive knobs applied to any campaign (some dilution, padding, multi-turn)."""
    if r.random() < 0.3:
        base.short_share = round(r.uniform(0.05, 0.3), 3)
    if r.random() < 0.25:
        base.multiturn_share = round(r.uniform(0.1, 0.6), 3)
    if r.random() < 0.3:
        base.system_share = round(r.uniform(0.3, 1.0), 3)
    base.stream_share = round(r.random() * r.random(), 3)
    return base


def _style(r: random.Random, **over: Any) -> Style:
    s = Style(
        out_mean=r.uniform(900, 2800),
        out_sigma=r.uniform(0.2, 0.5),
        max_tokens=tuple(r.sample([2048, 4096, 8192, 16000], k=r.randint(1, 2))),
        inp=(r.randint(15, 40), r.randint(60, 160)),
        temperature=r.choice([1.0, 0.7, 0.0, None, 0.9]),
    )
    for k, v in over.items():
        setattr(s, k, v)
    return s


def build_random(
    seed: int, hours: float, scale: float, start: float | None = None
) -> tuple[list[Iterator[Event]], dict[str, dict[str, str]], dict[str, Any]]:
    """Client generators, labels and the plan of the random world of ``seed``."""
    t0 = random_start(seed) if start is None else start
    p = plan(seed, hours, scale, t0)
    t1 = t0 + hours * 3600.0
    r = random.Random(f"world-{seed}")
    vocab = make_vocab(r, 8000)
    pools = Pools(r, home_blocks=p["home_blocks"], v6_share=p["v6_share"], crowding=p["crowding"])
    w = World(
        seed,
        t0,
        t1,
        pools,
        Clients(r),
        vocab,
        PromptPool(r, vocab, 5000, 5, r.randint(25, 45)),
        PromptPool(r, vocab, 2000, 120, 250),
        PromptPool(r, vocab, 2000, 20, 80),
        p["org_share"],
        ids=random.Random(f"ids-{seed}"),
    )
    w.proxy_blocks = [pools.home_block(r) for _ in range(r.randint(40, 400))]
    for name, params in p["populations"].items():
        BUILDERS[name](w, random.Random(f"{name}-{seed}"), params)
    return w.gens, w.labels, p


# --- honest builders -------------------------------------------------------------------------


def _home_or_mobile(w: World, r: random.Random, mobile_share: float) -> tuple[Callable[[random.Random], Addr], bool]:
    if r.random() < mobile_share:
        return w.pools.mobile, False  # a new carrier address every session
    home = w.pools.home(r)
    return _fixed_addr(home), True


def _chat_like(w: World, r: random.Random, p: dict[str, Any], scenario: str, **kw: Any) -> None:
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.browser(rr) if rr.random() < 0.8 else rr.choice(w.clients.mobile)
        addr, same = kw.get("addr") or _home_or_mobile(w, rr, 0.25)
        acct = Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(MODELS))
        long_answers = rr.random() < kw.get("long_share", 0.0)
        gen = sessions(
            acct,
            rr,
            t0=w.t0,
            t1=w.t1,
            sessions_per_h=p["sessions_per_h"] * rr.uniform(0.3, 1.7),
            style=kw.get("style", "diurnal"),
            tz=rr.uniform(-8, 3),
            addr=addr,
            same_ip=same,
            prompt=_pool_prompt(w.chat, 1300 if long_answers else rr.uniform(150, 450)),
            mean_turns=p.get("mean_turns", 3.0),
            think_s=rr.uniform(20, 70),
            max_tokens=rr.choice([1024, 2048, 4096, 8192]),
        )
        w.add(a, "benign", scenario, gen)


def b_chat(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Honest chat users at home or on mobile."""
    _chat_like(w, r, p, "chat")


def b_heavy_chat(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Power users: many sessions, half of them ask for long answers."""
    _chat_like(w, r, p, "heavy_chat", long_share=p["long_share"])


def b_campus_nat(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A campus behind a few NAT addresses in one /24."""
    ips = _office_nat(r, p["nat_ips"])
    for _ in range(p["n"]):
        _chat_like(w, r, {**p, "n": 1}, "campus_nat", addr=(_choice_addr(ips), False))


def b_home_neighbours(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Honest home users living in exactly the /24s the rotating-proxy pool exits from."""
    for _ in range(p["n"]):
        home = w.proxy_exit(r)
        _chat_like(w, r, {**p, "n": 1}, "home_neighbours", addr=(_fixed_addr(home), True))


def b_low_volume_writer(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A few words in, a long essay/story/code file out; 5-60 requests in 6 h, home or mobile."""
    lo, hi = p["req_per_6h"]
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        mobile = rr.random() < p["mobile_share"]
        ua, tls = rr.choice(w.clients.mobile) if mobile else w.clients.browser(rr)
        addr, same = (w.pools.mobile, False) if mobile else (_fixed_addr(w.pools.home(rr)), True)
        per_h = rr.uniform(lo, hi) / 6.0
        mean_turns = rr.uniform(1.0, 1.6)
        gen = sessions(
            Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(MODELS)),
            rr,
            t0=w.t0,
            t1=w.t1,
            sessions_per_h=per_h / mean_turns / DIURNAL_MEAN,
            style=rr.choice(["diurnal", "human", "poisson"]),
            tz=rr.uniform(-8, 3),
            addr=addr,
            same_ip=same,
            prompt=lambda g, _t, m=p["out_mean"]: (w.chat.draw(g), m * g.uniform(0.6, 1.4)),
            mean_turns=mean_turns,
            inp=(5, 40),
            max_tokens=p["max_tokens"],
            think_s=rr.uniform(60, 300),
        )
        w.add(a, "benign", "low_volume_writer", gen)


def b_byok_app(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Users of one app that brings their own API key (a writing assistant): one client of the
    app's own, its system prompt (most users keep it on), long pieces asked for in people's own
    words (asked by no one else), a person's sessions and reading pauses, from home or mobile
    networks. Many accounts on one client, each harvest-shaped and steady: the crowd a spread
    campaign looks like."""
    ua = f"{r.choice(['Quill', 'Draftly', 'Penwise', 'Scribo'])}/{r.randint(1, 4)}.{r.randint(0, 9)} Electron/{r.randint(28, 33)}"
    tls = Clients.custom(r)[1]
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        mobile = rr.random() < p["mobile_share"]
        addr, same = (w.pools.mobile, False) if mobile else (_fixed_addr(w.pools.home(rr)), True)
        long_answers = rr.random() < p["long_share"]
        gen = sessions(
            Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(MODELS)),
            rr,
            t0=w.t0,
            t1=w.t1,
            sessions_per_h=p["sessions_per_h"] * rr.uniform(0.3, 1.7),
            style=rr.choice(["diurnal", "human", "work"]),
            tz=rr.uniform(-8, 3),
            addr=addr,
            same_ip=same,
            prompt=_own_words(w, rr.uniform(900, 2200) if long_answers else rr.uniform(200, 500)),
            mean_turns=rr.uniform(1.0, 2.5),
            inp=(10, 80),
            max_tokens=rr.choice([4096, 8192]),
            think_s=rr.uniform(60, 300),
            system=rr.random() < p["system"],
        )
        w.add(a, "benign", "byok_app", gen)


def _own_words(w: World, out_mean: float) -> Callable[[random.Random, int], tuple[Prompt, float]]:
    """A person's own request, asked by no one else (a brief for a piece of writing)."""

    def prompt(g: random.Random, _turn: int) -> tuple[Prompt, float]:
        text = sentence(g, w.vocab, 8, 40)
        return (fast_simhash(text), text), out_mean * g.uniform(0.6, 1.4)

    return prompt


def b_batch(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Enterprise batch: a template over long documents, short answers, jobs at a steady rate."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.sdk(rr)
        ips = w.pools.cloud_ips(rr, rr.randint(1, 2), rr.randint(1, 6))
        rpm = p["rpm"] * rr.uniform(0.5, 1.5)
        cap = rr.choice([128, 256, 512])
        times = _jobs(rr, w.t0, w.t1, rpm, rr.randint(*p["jobs"]))

        def req(g: random.Random, cap: int = cap) -> Req:
            return Req(w.docs.draw(g), g.randint(600, 3000), g.randint(10, cap), cap, 1, True, False, 0.0)

        w.add(a, "benign", "batch", requests(Acct(a, ua=ua, tls=tls, org=w.org(rr)), rr, times, req, _choice_addr(ips)))


def _jobs(r: random.Random, t0: float, t1: float, rpm: float, jobs: int) -> Iterator[float]:
    starts = sorted(t0 + r.uniform(0, (t1 - t0) * 0.8) for _ in range(jobs))
    last = t0
    for s in starts:
        t = max(s, last)
        for _ in range(int(r.uniform(0.3, 1.0) * rpm * 90)):
            t += r.expovariate(rpm / 60.0)
            if t >= t1:
                return
            yield t
        last = t


def b_eval_harness(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Private eval sets re-run in bursts at temperature 0 (short answers or CoT)."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        prompts = [w.chat.draw(rr) for _ in range(rr.randint(*p["prompts"]))]
        _harness(w, rr, prompts, rr.random() < 0.5, p["every_h"], 40.0, "eval_harness")


def _harness(w: World, r: random.Random, prompts: list[Prompt], cot: bool, every_h: float, rpm: float, sc: str) -> None:
    a = w.acct_id()
    ua, tls = w.clients.sdk(r, ("anthropic-python", "openai-python", "httpx", "aiohttp"))
    block = w.pools.cloud_block(r) if r.random() < 0.6 else Pools.office_block(r)
    addr = (f"{block[0]}.{r.randrange(1, 255)}", block[1])
    out_cot = r.randint(250, 1200)
    cap = r.choice([1024, 2048, 4096]) if cot else r.choice([16, 64, 256, 1024])

    def times() -> Iterator[float]:
        t = w.t0 + r.uniform(0, every_h * 3600)
        while t < w.t1:
            for _ in prompts:
                t += r.expovariate(rpm / 60.0)
                yield t
            t += every_h * 3600 * r.uniform(0.7, 1.3)

    it = iter(prompts * 1000)

    def req(g: random.Random) -> Req:
        out = lognorm(g, out_cot, 0.4) if cot else g.randint(1, 30)
        return Req(next(it), g.randint(60, 500), out, cap, 1, g.random() < 0.3, False, 0.0)

    w.add(a, "benign", sc, requests(Acct(a, ua=ua, tls=tls, org=w.org(r)), r, times(), req, _fixed_addr(addr)))


def _eval_team(w: World, r: random.Random) -> tuple[str, str, Addr]:
    """An evaluation team's SDK client and its one address: a cloud host, or an office's."""
    ua, tls = w.clients.sdk(r, ("anthropic-python", "openai-python", "httpx", "aiohttp"))
    block = w.pools.cloud_block(r) if r.random() < 0.6 else Pools.office_block(r)
    return ua, tls, (f"{block[0]}.{r.randrange(1, 255)}", block[1])


def b_benchmark_harness(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Evaluation harnesses on public benchmarks, as teams run them: a benchmark item's short
    question (25-120 tokens) at temperature 0, machine-regular pacing, from the cloud or an
    office on an SDK, one to three runs. A run asks for chain-of-thought (long reasoning,
    600-1,600 tokens) or, on about half of them, for the answer alone (a letter or a number: a
    few tokens under a small cap), in any order. The first team to run a benchmark shares
    nothing with anyone: a reasoned run is long answers to short, novel prompts, single turns,
    no pauses, as a lone harvester's."""
    benches = [T.benchmark(r, w.vocab, n) for n in p["benchmarks"]]
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls, addr = _eval_team(w, rr)
        plain, prompts = rr.choice(benches)
        out_mean, cap = rr.uniform(600, 1600), rr.choice([2048, 4096, 8192])
        gap = 60.0 / rr.uniform(*p["rpm"])
        runs = rr.randint(1, p["runs"])
        every_s = (w.t1 - w.t0) / runs * rr.uniform(0.8, 1.0)

        def times(
            g: random.Random = rr, gap: float = gap, every_s: float = every_s, n: int = len(prompts)
        ) -> Iterator[float]:
            t = w.t0 + g.uniform(0, every_s)
            while t < w.t1:
                for _ in range(n):
                    t += gap * g.uniform(0.85, 1.15)
                    yield t
                t += every_s * g.uniform(0.7, 1.3)

        # Which runs reason, from a stream of the account's own (its other draws are as before:
        # both kinds of request draw alike).
        flip = random.Random(f"{a}:reasoned")
        reasoned = [flip.random() < 0.5 for _ in range(8)]
        asked = itertools.count()

        def req(
            g: random.Random,
            asked: Iterator[int] = asked,
            reasoned: list[bool] = reasoned,
            plain: list[Prompt] = plain,
            chain: list[Prompt] = prompts,
            out_mean: float = out_mean,
            cap: int = cap,
        ) -> Req:
            run, item = divmod(next(asked), len(chain))
            tokens_in = g.randint(25, 120)
            if reasoned[run % len(reasoned)]:  # chain of thought, or the answer alone under a cap of 16
                prompt, out, top = chain[item], lognorm(g, out_mean, 0.4), cap
            else:
                prompt, out, top = plain[item], max(1, lognorm(g, 2.0, 0.6)), 16
            return Req(prompt, tokens_in, out, top, 1, False, False, 0.0)

        acct = Acct(a, ua=ua, tls=tls, org=w.org(rr))
        w.add(a, "benign", "benchmark_harness", requests(acct, rr, times(), req, _fixed_addr(addr)))


def b_prompt_tinkerer(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Developers trying the API from an SDK at home: one to three runs of a script or a burst
    at the console (15-150 requests, seconds apart) of terse prompts asking for code and
    explanations (200-900-token answers, single turns), some of them a prompt recipe going
    round that a campaign's template copies too (the person's own words in its slots: a
    template sibling of the campaign's sweep). Built after the campaigns, whose recipes
    (:attr:`World.recipes`) are known by then."""
    recipes = w.recipes or T.harvest_templates(r, 4)
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.sdk(rr)
        addr = _fixed_addr(w.pools.mobile(rr) if rr.random() < 0.2 else w.pools.home(rr))
        runs = rr.randint(*p["runs"])
        lens = [rr.randint(p["run_len"][0], max(p["run_len"]) + 1) for _ in range(runs)]
        starts = sorted(rr.uniform(w.t0, w.t1 - 600.0) for _ in range(runs))
        plan = tuple(zip(starts, lens, strict=True))
        gap = rr.uniform(2.0, 15.0)

        def times(
            g: random.Random = rr, runs: tuple[tuple[float, int], ...] = plan, gap: float = gap
        ) -> Iterator[float]:
            t = 0.0
            for start, k in runs:
                t = max(t, start)
                for _ in range(k):
                    t += gap * g.uniform(0.3, 2.0)
                    yield t

        mine, words = rr.sample(recipes, k=min(2, len(recipes))), rr.sample(w.vocab, k=30)
        share = p["recipe_share"] * rr.uniform(0.5, 1.5)
        out_mean, cap = rr.uniform(*p["out_mean"]), rr.choice([256, 1024, 4096, 8192])

        def req(g: random.Random, mine: list[str] = mine, words: list[str] = words, share: float = share,
                out_mean: float = out_mean, cap: int = cap) -> Req:  # fmt: skip
            if g.random() < share:
                text = g.choice(mine).format(concept=g.choice(words), field=g.choice(words), a=g.randint(2, 99),
                                             b=g.randint(2, 99), c=g.randint(2, 50), q="What is the total?",
                                             lang=g.choice(("Python", "Go", "TypeScript")))  # fmt: skip
            else:
                text = sentence(g, w.vocab, 5, 25)
            out = min(cap, lognorm(g, out_mean, 0.5))
            return Req((fast_simhash(text), text), g.randint(8, 40), out, cap, temperature=g.choice((None, 0.0, 0.7)))

        acct = Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(MODELS))
        w.add(a, "benign", "prompt_tinkerer", requests(acct, rr, times(), req, addr))


def b_client_trial(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """People trying a new command-line tool or app release (a client no one else uses, under a
    version of its own): 20-120 accounts per client arriving over its first hours, from home or
    a phone, each asking two to twelve questions of its own, a minute to a quarter of an hour
    apart, for answers of a few hundred to a thousand tokens, single turns, no system prompt.
    Every request is harvest-shaped and none is popular; few accounts ask enough, for long
    enough, to be anyone's steady member."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        name = rr.choice(("notes-cli", "termchat", "quill", "askdev", "mdwriter", "jot", "shellmate", "pad-ai"))
        ua = f"{name}/{rr.randint(0, 2)}.{rr.randint(1, 30)}.{rr.randint(0, 9)}"
        tls = w.clients.sdk(rr)[1] if rr.random() < 0.5 else Clients.custom(rr)[1]
        out_mean = rr.uniform(*p["out_mean"])
        for _ in range(rr.randint(*p["accounts"])):
            g = random.Random(rr.getrandbits(64))
            a = w.acct_id()
            addr = _fixed_addr(w.pools.mobile(g) if g.random() < 0.2 else w.pools.home(g))
            start = w.t0 + g.uniform(0.0, p["launch_h"] * 3600.0)
            asks, gap = g.randint(*p["questions"]), g.uniform(*p["gap_s"])

            def times(
                g: random.Random = g, start: float = start, asks: int = asks, gap: float = gap
            ) -> Iterator[float]:
                t = start
                for i in range(asks):
                    if i and g.random() < 0.15:
                        t += g.uniform(1800.0, 4 * 3600.0)  # back later in the day
                    t += gap * g.uniform(0.5, 1.5)
                    yield t

            cap = g.choice((1024, 4096, 8192))

            def req(g: random.Random, cap: int = cap, out_mean: float = out_mean) -> Req:
                text = sentence(g, w.vocab, 6, 25)
                out = min(cap, lognorm(g, out_mean, 0.45))
                return Req(
                    (fast_simhash(text), text), g.randint(12, 60), out, cap, temperature=g.choice((None, 0.7, 1.0))
                )

            acct = Acct(a, ua=ua, tls=tls, model=g.choice(MODELS))
            w.add(a, "benign", "client_trial", requests(acct, g, (t for t in times() if t < w.t1), req, addr))


def b_model_comparison(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Teams comparing models on a question set of their own: the same 60-400 chain-of-thought
    questions run against two to five models back to back (minutes apart), at temperature 0, at
    a machine's pace, from the cloud or an office on an SDK. The first run is a lone
    harvester's shape; every later run asks only what the first asked."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls, addr = _eval_team(w, rr)
        questions = T.benchmark(rr, w.vocab, rr.randint(*p["questions"]))[1]
        out_mean, cap = rr.uniform(600, 1600), rr.choice([2048, 4096, 8192])
        gap = 60.0 / rr.uniform(*p["rpm"])
        runs = rr.randint(*p["runs"])
        start = rr.uniform(w.t0, w.t0 + (w.t1 - w.t0) / 2)

        def times(
            g: random.Random = rr, gap: float = gap, start: float = start, runs: int = runs, n: int = len(questions)
        ) -> Iterator[float]:
            t = start
            for _ in range(runs):
                for _ in range(n):
                    t += gap * g.uniform(0.85, 1.15)
                    yield t
                t += g.uniform(60.0, 900.0)  # the next model's run

        it = itertools.cycle(questions)

        def req(g: random.Random, it: Iterator[Prompt] = it, out_mean: float = out_mean, cap: int = cap) -> Req:
            return Req(next(it), g.randint(25, 120), lognorm(g, out_mean, 0.4), cap, 1, False, False, 0.0)

        acct = Acct(a, ua=ua, tls=tls, org=w.org(rr))
        w.add(a, "benign", "model_comparison", requests(acct, rr, times(), req, _fixed_addr(addr)))


def b_eval_harness_cot(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Several accounts re-running the SAME public benchmarks (same prompts), half with CoT."""
    benches = [T.benchmark(r, w.vocab, n) for n in p["benchmarks"]]
    weights = [1.0 / (i + 1) for i in range(len(benches))]
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        plain, chain = rr.choices(benches, weights=weights)[0]
        cot = rr.random() < 0.5
        every_h = (w.t1 - w.t0) / 3600.0 / max(1, rr.randint(1, p["runs"])) * rr.uniform(0.8, 1.0)
        _harness(w, rr, chain if cot else plain, cot, every_h, rr.uniform(*p["rpm"]), "eval_harness_cot")


def b_coding_agent(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Coding agents: bursty multi-turn sessions with huge, growing inputs."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = (f"claude-code/{rr.randint(1, 2)}.{rr.randint(0, 9)}", w.clients.sdks["anthropic-ts"][1])
        office = Pools.office_block(rr)
        addr = w.pools.home(rr) if rr.random() < 0.7 else (f"{office[0]}.{rr.randrange(1, 255)}", office[1])
        acct = Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(["claude-sonnet", "claude-opus"]))
        w.add(a, "benign", "coding_agent", _agent_runs(w, rr, acct, addr, p["sessions_per_h"] * rr.uniform(0.3, 1.7),
                                                       (10, 80), (80, 1500), "diurnal"))  # fmt: skip


def _agent_runs(
    w: World,
    r: random.Random,
    acct: Acct,
    addr: Addr | Callable[[random.Random], Addr],
    per_h: float,
    steps: tuple[int, int],
    out: tuple[int, int],
    style: str,
    task: Callable[[], Prompt] | None = None,
) -> Iterator[Event]:
    """Agent runs: steps of tool results in a context that grows. ``addr``: one address, or a
    draw per request; ``task``: the prompt that opens each run (else a tool result too)."""
    busy = w.t0
    for t_run in arrivals(r, w.t0, w.t1, per_h / 3600.0, style, tz=r.uniform(-8, 3)):
        if t_run < busy:
            continue
        t = t_run
        context = r.randint(2000, 12000)
        for step in range(r.randint(*steps)):
            o = r.randint(*out)
            where = addr(r) if callable(addr) else addr
            prompt = task() if task is not None and step == 0 else w.code.draw(r)
            yield acct.ev(r, t, where, prompt, inp=context, out=o, max_tokens=8192, n_messages=1 + 2 * step,
                          system=True, stream=True)  # fmt: skip
            context += o + r.randint(200, 4000)
            t += r.uniform(1, 12) + o / 80.0
            if t >= w.t1:
                return
        busy = t


def _service(
    w: World,
    r: random.Random,
    scenario: str,
    rpm: float,
    source: Callable[[], Prompt],
    *,
    style: str,
    inp: tuple[int, int],
    out_mean: float,
    out_sigma: float = 0.45,
    caps: tuple[int, ...] = (1024, 2048, 4096),
    system: float = 1.0,
    turns: float = 0.0,
    sdk: tuple[str, ...] | None = None,
    client: tuple[str, str] | None = None,
    provider: str | None = None,
    ips: int = 3,
    temperature: float | None = None,
    errors: float = 0.0,
    label: str = "benign",
    campaign: str | None = None,
    org: str | None = None,
    out_ratio: tuple[float, float] | None = None,
    addrs: list[Addr] | None = None,
) -> None:
    """A program: one account, a timing style, a prompt source and an answer shape (``client``,
    ``provider`` and ``addrs``: the user agent and TLS stack, the cloud, and the addresses it
    sends from, when they are given)."""
    a = w.acct_id()
    ua, tls = client if client is not None else w.clients.sdk(r, sdk)
    if addrs is None:
        addrs = w.pools.cloud_ips(r, r.randint(1, 2), ips, provider)
    cap = r.choice(caps)
    temp = temperature if temperature is not None else r.choice([0.0, 0.3, 0.7, 1.0])
    tz = r.uniform(-8, 3)
    stream = r.random() < 0.4

    def req(g: random.Random) -> Req:
        i = g.randint(*inp)
        n_msg = 1
        if turns and g.random() < turns:
            n_msg = 2 * g.randint(1, 5) + 1
            i += g.randint(100, 600) * (n_msg // 2)
        o = int(i * g.uniform(*out_ratio)) if out_ratio else lognorm(g, out_mean, out_sigma)
        return Req(source(), i, o, cap, n_msg, g.random() < system, stream, temp)

    times = arrivals(r, w.t0 + r.uniform(0, 300), w.t1, rpm / 60.0, style, tz=tz, jitter=r.uniform(0.02, 0.3))
    acct = Acct(a, ua=ua, tls=tls, org=org or w.org(r), model=r.choice(MODELS))
    w.add(a, label, scenario, requests(acct, r, times, req, _choice_addr(addrs), errors=errors), campaign)


def b_saas_backend(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A product proxying its end users through a template, following their diurnal curve."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = Wrapped(rr, T.saas_wrapper(rr), w.chat)
        _service(w, rr, "saas_backend", p["rpm"] * rr.uniform(0.6, 1.4), src.next, style="diurnal",
                 inp=(300, 2500), out_mean=p["out_mean"], turns=p["multiturn_share"], errors=0.003)  # fmt: skip


def b_tenant_pool(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """One ed-tech product run as several accounts (one per tenant or region) that carry no
    organisation id: one SDK, one cloud, the product's template around its users' questions, a
    system prompt on every request, long step-by-step answers, the users' evening peak. Five or
    more busy accounts on one client and network, each harvest-shaped: the fleet a spread
    harvest looks like."""
    client = w.clients.sdk(r)
    provider = r.choice(["aws", "gcp", "azure"])
    wrapper, cut = T.tutor_wrapper(r), r.randint(10, 40)
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = Wrapped(rr, wrapper, w.chat, cut=cut)
        _service(w, rr, "tenant_pool", p["rpm"] * rr.uniform(0.6, 1.4), src.next, style="diurnal",
                 inp=(40, 300), out_mean=p["out_mean"], out_sigma=0.35, caps=(2048, 4096),
                 turns=p["multiturn_share"], client=client, provider=provider)  # fmt: skip


def b_sharded_product(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """One product sharded over accounts (one per customer or region), all behind its NAT
    gateway's few addresses in one cloud /24: its own client, its template around its users'
    text, a system prompt on a share of requests of its own (from none to all), now and then a
    follow-up turn, the users' daily curve; some products put every shard under one org id. The
    template's instructions run to up to ``template_words`` words, so that most products'
    prompts are template siblings of each other across the shards. Answers about as long as the prompts, up to twice: the
    tightest fleet an honest product makes, tied by client, network, template and timing, and
    not harvesting."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        name = rr.choice(("shopcopy", "helpdesk-ai", "notely", "crm-assist", "mailpilot", "docsmith"))
        client = (f"{name}/{rr.randint(1, 3)}.{rr.randint(0, 40)}.{rr.randint(0, 9)}", w.clients.sdk(rr)[1])
        provider = rr.choice(("aws", "gcp", "azure"))
        prefix, asn = Pools.cloud_block(rr, provider)
        nat = [(f"{prefix}.{x}", asn) for x in rr.sample(range(2, 250), k=p["ips"])]
        org = f"org-{rr.getrandbits(36):09x}" if rr.random() < 0.4 else None
        words = rr.randint(p["template_words"] // 2, p["template_words"])
        wrapper = (sentence(rr, w.vocab, words, words) + "\n" if words else "") + T.saas_wrapper(rr)
        cut = rr.randint(10, 80)
        system = rr.random()  # instructions in a system prompt on every request, or in the user's turn
        for _ in range(p["accounts"]):
            g = random.Random(rr.getrandbits(64))
            src = Wrapped(g, wrapper, w.chat, cut=cut)
            _service(w, g, "sharded_product", p["rpm"] * g.uniform(0.5, 1.5), src.next, style="diurnal",
                     inp=tuple(p["inp"]), out_mean=0, turns=p["multiturn_share"], client=client, system=system,
                     provider=provider, org=org, out_ratio=tuple(p["out_ratio"]), addrs=nat, errors=0.002)  # fmt: skip


def b_product_descriptions(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A shop's templated description generator: Poisson, ~400 output tokens, single turn."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = T.product_source(rr)
        _service(w, rr, "product_descriptions", p["rpm"] * rr.uniform(0.6, 1.4), src.next,
                 style=rr.choice(["poisson", "poisson", "regular", "work"]), inp=(40, 200), out_mean=p["out_mean"],
                 out_sigma=0.3, system=rr.random(), caps=(512, 1024, 2048))  # fmt: skip


def b_synthetic_data(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Enterprise synthetic data: templated topic sweep, long outputs, cloud, fixed SDK, all night."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = T.synthetic_source(rr)
        _service(w, rr, "synthetic_data", p["rpm"] * rr.uniform(0.6, 1.4), src.next, style=p["timing"],
                 inp=(60, 300), out_mean=p["out_mean"], out_sigma=0.3, caps=(4096, 8192), system=rr.random(),
                 temperature=1.0)  # fmt: skip


def b_translation(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A translation pipeline: document in, a slightly longer document out, templated wrapper."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = Wrapped(rr, T.translate_wrapper(rr), w.docs, cut=rr.randint(40, 200))
        _service(w, rr, "translation", p["rpm"] * rr.uniform(0.6, 1.4), src.next,
                 style=rr.choice(["poisson", "regular", "bursty"]), inp=(300, 3000), out_mean=0,
                 caps=(4096, 8192), system=0.5, temperature=0.0, out_ratio=tuple(p["ratio"]))  # fmt: skip


def b_support_bot(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """RAG/customer-support bots: system prompt, retrieved documents in, multi-turn, short answers."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        _service(w, rr, "support_bot", p["rpm"] * rr.uniform(0.6, 1.4), lambda g=rr: w.chat.draw(g),  # type: ignore[misc]
                 style="diurnal", inp=(800, 6000), out_mean=p["out_mean"], turns=rr.uniform(0.3, 0.8),
                 errors=0.002)  # fmt: skip


def b_tutoring_app(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """An ed-tech app: students' problems, step-by-step long solutions, evening peak."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = Wrapped(rr, T.tutor_wrapper(rr), w.chat, cut=rr.randint(10, 40))
        _service(w, rr, "tutoring_app", p["rpm"] * rr.uniform(0.6, 1.4), src.next, style="diurnal",
                 inp=(40, 300), out_mean=p["out_mean"], out_sigma=0.35, caps=(2048, 4096), turns=0.2)  # fmt: skip


def b_retry_storm(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Buggy clients retrying the exact same request after 429/5xx, at machine speed."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        _service(w, rr, "retry_storm", p["rpm"] * rr.uniform(0.5, 1.5), lambda g=rr: w.chat.draw(g),  # type: ignore[misc]
                 style=rr.choice(["poisson", "bursty"]), inp=(50, 1500), out_mean=rr.randint(200, 900),
                 system=0.5, errors=p["errors"] * rr.uniform(0.6, 1.3), ips=1)  # fmt: skip


def b_ci_review_bot(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """CI review bots: templated diffs, cron or per-push timing, CI runners on rotating cloud IPs."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.sdk(rr, ("anthropic-python", "anthropic-ts", "node", "go", "curl"))
        src = Wrapped(rr, T.review_wrapper(rr), w.code, cut=rr.randint(30, 120))
        per_h = rr.uniform(*p["per_h"])
        style = rr.choice(["regular", "bursty", "work"])
        times = arrivals(rr, w.t0, w.t1, per_h / 3600.0, style, tz=rr.uniform(-8, 3), jitter=0.01)
        runners = w.pools.cloud_ips(rr, rr.randint(5, 60), 400, rr.choice(["azure", "aws", "gcp"]))
        cap = rr.choice([1024, 2048, 4096])

        def req(g: random.Random, c: int = cap, s: Wrapped = src) -> Req:
            return Req(s.next(), g.randint(500, 8000), lognorm(g, p["out_mean"], 0.4), c, 1, True, False, 0.0)

        w.add(a, "benign", "ci_review_bot", requests(Acct(a, ua=ua, tls=tls, org=w.org(rr)), rr, times, req,
                                                     _choice_addr(runners)))  # fmt: skip


def b_longctx_research(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Researchers summarising long papers: huge inputs, long outputs, few sessions."""
    univ = Pools.office_block(r)
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.sdk(rr, ("anthropic-python", "httpx")) if rr.random() < 0.6 else w.clients.browser(rr)
        addr = (f"{univ[0]}.{rr.randrange(1, 255)}", univ[1]) if rr.random() < 0.6 else w.pools.home(rr)
        lo, hi = p["inp"]
        w.add(a, "benign", "longctx_research", sessions(
            Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(["claude-sonnet", "claude-opus"])), rr,
            t0=w.t0, t1=w.t1, sessions_per_h=p["sessions_per_h"], style="work", tz=rr.uniform(-8, 3),
            addr=_fixed_addr(addr), prompt=lambda g, _t: (w.docs.draw(g), g.uniform(500, 2500)), mean_turns=2.0,
            inp=(lo, hi), max_tokens=8192, think_s=120.0))  # fmt: skip


def b_autonomous_agent(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Autonomous agents on cloud: round-the-clock runs of many short-answer tool steps."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.sdk(rr, ("anthropic-python", "langchain", "anthropic-ts"))
        addr = w.pools.cloud_ips(rr, 1, 1)[0]
        acct = Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(MODELS))
        w.add(a, "benign", "autonomous_agent", _agent_runs(w, rr, acct, addr, p["runs_per_h"] * rr.uniform(0.5, 1.5),
                                                           tuple(p["steps"]), (30, 400), "poisson"))  # fmt: skip


def b_egress_pool(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Report generators behind a cloud NAT gateway's pool of addresses: a company's backend
    writing long answers (500-1500 tokens) from its users' material through its template under
    a system prompt, 5-150 requests a minute, each connection leaving from any of 4-64
    addresses of one or two /24s. The honest look-alike of a rotating pool: a new address on
    nearly every request, over tens of addresses, not hundreds."""
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        src = Wrapped(rr, T.saas_wrapper(rr), w.chat)
        _service(w, rr, "egress_pool", rr.uniform(*p["rpm"]), src.next, style=rr.choice(["diurnal", "poisson"]),
                 inp=(200, 1500), out_mean=rr.uniform(*p["out_mean"]), out_sigma=0.35, caps=(2048, 4096),
                 ips=rr.randint(*p["ips"]))  # fmt: skip


def b_company_org(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A company org: many employee accounts behind one office /24, one SDK, one org_id, work hours."""
    for size in p["employees"]:
        nat = _office_nat(r)
        org = f"org-{r.getrandbits(36):09x}"
        ua, tls = w.clients.sdk(r, ("anthropic-python", "anthropic-ts", "openai-python", "java"))
        tz = r.uniform(-8, 3)
        internal = Wrapped(r, T.saas_wrapper(r), w.chat) if r.random() < 0.5 else None
        for _ in range(size):
            rr = random.Random(r.getrandbits(64))
            a = w.acct_id()
            prompt = (lambda g, _t, s=internal: (s.next(), g.uniform(150, 900))) if internal else _pool_prompt(
                w.chat, rr.uniform(150, 900))  # fmt: skip
            w.add(a, "benign", "company_org", sessions(
                Acct(a, ua=ua, tls=tls, org=org, model=rr.choice(MODELS)), rr, t0=w.t0, t1=w.t1,
                sessions_per_h=p["sessions_per_h"] * rr.uniform(0.3, 1.7), style="work", tz=tz + rr.uniform(-0.5, 0.5),
                addr=_choice_addr(nat), same_ip=False, prompt=prompt, mean_turns=rr.uniform(1.5, 4.0),
                stream=rr.random() < 0.5, system=internal is not None))  # fmt: skip


_BRIEFS = [
    "Write a {body} blog post for our client. Use headings, an intro and a conclusion; about 1200 words.",
    "Client brief: {body}. Draft a long-form article in the client's voice with subheadings.",
    "Draft a newsletter feature on {body}. Friendly tone, 800-1500 words, end with a call to action.",
]


def b_content_agency(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A content agency: writers under one org_id behind one office /24, each drafting long
    pieces (articles, newsletters) from short briefs in work hours at a writer's pace, often on
    the agency's shared brief template, with a revision now and then. An organisation of
    steady accounts asking novel questions for long answers on one template, and honest."""
    for size in p["employees"]:
        nat = _office_nat(r)
        org = f"org-{r.getrandbits(36):09x}"
        tz = r.uniform(-8, 3)
        brief = Wrapped(r, r.choice(_BRIEFS), w.chat, cut=12)
        for _ in range(size):
            rr = random.Random(r.getrandbits(64))
            a = w.acct_id()
            ua, tls = (
                w.clients.browser(rr) if rr.random() < 0.7 else w.clients.sdk(rr, ("anthropic-python", "openai-python"))
            )
            templated = rr.random() < p["brief_share"]
            own = _own_words(w, rr.uniform(1000, 2400))

            def prompt(
                g: random.Random, turn: int, t: bool = templated, b: Wrapped = brief, o: Callable[..., Any] = own
            ) -> tuple[Prompt, float]:
                return (b.next(), g.uniform(1000, 2400)) if t and turn == 0 else o(g, turn)

            w.add(a, "benign", "content_agency", sessions(
                Acct(a, ua=ua, tls=tls, org=org, model=rr.choice(MODELS)), rr, t0=w.t0, t1=w.t1,
                sessions_per_h=p["sessions_per_h"] * rr.uniform(0.5, 1.5), style="work", tz=tz + rr.uniform(-0.5, 0.5),
                addr=_choice_addr(nat), same_ip=False, prompt=prompt, mean_turns=rr.uniform(1.0, 1.5), inp=(15, 80),
                max_tokens=rr.choice([4096, 8192]), think_s=rr.uniform(120, 600)))  # fmt: skip


def b_proxied_office(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Offices whose egress proxy inspects TLS: the proxy makes every handshake itself, so the
    employees' browsers (of every family) reach the API on one TLS stack that is no browser's,
    the proxy's, from one office /24. People at work: chat with its real history, and a drawn
    share of writers drafting long pieces from short briefs of their own and revising them.
    Browser claims out of place on their stack, at a person's pace, and honest."""
    browsers = w.clients.browsers
    chromium = [b for b in browsers if "Chrome/" in b[0]]
    others = [b for b in browsers if "Chrome/" not in b[0]]
    for size, writers, chrome in zip(p["employees"], p["writer_share"], p["chromium_share"], strict=True):
        nat = _office_nat(r)
        tls = f"t13d{r.randint(10, 19):02d}{r.randint(8, 18):02d}h1_{r.getrandbits(48):012x}_{r.getrandbits(48):012x}"
        org = f"org-{r.getrandbits(36):09x}" if r.random() < 0.5 else None
        tz = r.uniform(-8, 3)
        for _ in range(size):
            rr = random.Random(r.getrandbits(64))
            a = w.acct_id()
            ua = rr.choice(chromium if rr.random() < chrome else others)[0]
            writer = rr.random() < writers
            prompt = _own_words(w, rr.uniform(1000, 2400)) if writer else _pool_prompt(w.chat, rr.uniform(150, 700))
            w.add(a, "benign", "proxied_office", sessions(
                Acct(a, ua=ua, tls=tls, org=org, model=rr.choice(MODELS)), rr, t0=w.t0, t1=w.t1,
                sessions_per_h=p["sessions_per_h"] * rr.uniform(0.5, 1.5), style="work", tz=tz + rr.uniform(-0.5, 0.5),
                addr=_choice_addr(nat), same_ip=False, prompt=prompt,
                mean_turns=rr.uniform(1.0, 2.5) if writer else rr.uniform(1.5, 4.0), inp=(15, 80) if writer else (8, 60),
                max_tokens=rr.choice([2048, 4096, 8192]), think_s=(300.0 if writer else 60.0) * rr.uniform(0.4, 2.0)))  # fmt: skip


def b_classroom(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A class of new accounts pasting the same assignment, same /24, within the same hour."""
    for size in p["students"]:
        campus = Pools.office_block(r)
        text = T.assignment(r, w.vocab)
        start = w.t0 + r.uniform(0, (w.t1 - w.t0) * 0.8)
        length = r.uniform(2400, 5400)
        for _ in range(size):
            rr = random.Random(r.getrandbits(64))
            a = w.acct_id()
            ua, tls = w.clients.browser(rr)
            own = (
                text if rr.random() < p["exact_share"] else f"{text} {' '.join(rr.sample(w.vocab, k=rr.randint(1, 6)))}"
            )
            first: Prompt = (fast_simhash(own), own)

            def prompt(g: random.Random, turn: int, f: Prompt = first) -> tuple[Prompt, float]:
                return (f, g.uniform(700, 1800)) if turn == 0 else (w.chat.draw(g), g.uniform(150, 600))

            s0 = start + rr.uniform(0, length * 0.5)
            w.add(a, "benign", "classroom", sessions(
                Acct(a, ua=ua, tls=tls, org=None, model="claude-sonnet"), rr, t0=s0, t1=min(w.t1, start + length),
                sessions_per_h=rr.uniform(2, 6), style="poisson", tz=0.0,
                addr=lambda g, c=campus: (f"{c[0]}.{g.randrange(2, 250)}", c[1]), prompt=prompt,
                mean_turns=rr.uniform(1.5, 3.0), cap=rr.randint(1, 8)))  # fmt: skip


def b_launch_wave(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Launch day: many new accounts on the same SDK copying the quickstart prompt."""
    quick = T.quickstart_prompts(r)
    ua, tls = w.clients.sdk(r, ("anthropic-python", "anthropic-ts"))
    start = w.t0 + r.uniform(0, max(0.0, (w.t1 - w.t0) - p["window_h"] * 3600.0))
    for _ in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        s0 = start + rr.uniform(0, p["window_h"] * 3600.0)
        addr = w.pools.home(rr) if rr.random() < 0.7 else w.pools.cloud_ips(rr, 1, 1)[0]

        def prompt(g: random.Random, turn: int) -> tuple[Prompt, float]:
            return (g.choice(quick), g.uniform(30, 400)) if turn < 2 and g.random() < 0.7 else (w.chat.draw(g), 300.0)

        w.add(a, "benign", "launch_wave", sessions(
            Acct(a, ua=ua, tls=tls, org=w.org(rr), model=rr.choice(MODELS)), rr, t0=s0, t1=w.t1,
            sessions_per_h=rr.uniform(1, 6), style="poisson", tz=0.0, addr=_fixed_addr(addr), prompt=prompt,
            mean_turns=1.2, think_s=10.0, stream=False, cap=rr.randint(*p["requests"])))  # fmt: skip


# --- campaigns -------------------------------------------------------------------------------


def _campaign(
    w: World,
    r: random.Random,
    scenario: str,
    k: int,
    n_accounts: int,
    *,
    rpm: float,
    style: Style,
    sweep: Sweep,
    timing: str = "regular",
    jitter: float = 0.2,
    addr: Callable[[random.Random], Callable[[random.Random], Addr]],
    client: Callable[[random.Random], tuple[str, str]],
    stagger: float = 0.0,
    life_s: tuple[float, float] | None = None,
    cap: tuple[int, int] | None = None,
    rotate_ua: Callable[[random.Random], tuple[str, str]] | None = None,
    orgs: int = 0,
) -> None:
    """``n_accounts`` accounts of one campaign, sharing its sweep, infrastructure and client."""
    cid = f"{scenario}-{k}"
    org_ids = [f"org-{r.getrandbits(36):09x}" for _ in range(orgs)]
    model = r.choice(["claude-opus", "claude-sonnet", "claude-sonnet"])
    tz = r.uniform(-8, 8)
    span = w.t1 - w.t0
    for j in range(n_accounts):
        rr = random.Random(r.getrandbits(64))
        a = w.acct_id()
        ua, tls = client(rr)
        s0 = w.t0 + rr.uniform(0, 600) + (span * stagger * j / max(1, n_accounts) if stagger else 0.0)
        s1 = w.t1 if life_s is None else min(w.t1, s0 + rr.uniform(*life_s))
        times = arrivals(rr, s0, s1, rpm * rr.uniform(0.6, 1.4) / 60.0, timing, tz=tz + rr.uniform(-1, 1),
                         jitter=jitter, burst=(rr.uniform(300, 1800), rr.uniform(300, 3600)))  # fmt: skip
        acct = Acct(
            a, ua=ua, tls=tls, org=rr.choice(org_ids) if org_ids else w.org(rr), keys=rr.randint(1, 3), model=model
        )
        gen = requests(acct, rr, times, harvest_req(sweep, style, w.chat), addr(rr),
                       cap=rr.randint(*cap) if cap else None, errors=0.002, rotate_ua=rotate_ua)  # fmt: skip
        w.add(a, "attack", scenario, gen, cid)


def _cloud_infra(
    w: World, r: random.Random, blocks: int, per_acct: int = 2
) -> Callable[[random.Random], Callable[[random.Random], Addr]]:
    provider = r.choice(CLOUD_PROVIDERS)
    pfx = [w.pools.cloud_block(r, provider) for _ in range(blocks)]

    def per_account(rr: random.Random) -> Callable[[random.Random], Addr]:
        ips = []
        for _ in range(per_acct):
            b = rr.choice(pfx)
            ips.append((f"{b[0]}.{rr.randrange(1, 255)}", b[1]))
        return _choice_addr(ips)

    return per_account


def _nat_infra(addrs: list[Addr]) -> Callable[[random.Random], Callable[[random.Random], Addr]]:
    """Every account behind the same NAT addresses (one office)."""
    return lambda _rr: _choice_addr(addrs)


def _proxy_infra(w: World) -> Callable[[random.Random], Callable[[random.Random], Addr]]:
    return lambda _rr: w.proxy_exit


def _clients(w: World, r: random.Random, n: int) -> Callable[[random.Random], tuple[str, str]]:
    pool = [Clients.custom(r) if r.random() < 0.5 else w.clients.sdk(r) for _ in range(n)]
    return lambda rr: rr.choice(pool)


def b_firehose(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """High-volume single-account harvesters (one cloud IP or a few)."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        _campaign(w, rr, "firehose", k, 1, rpm=p["rpm"] * rr.uniform(0.6, 1.4), style=_random_knobs(rr, _style(rr)),
                  sweep=w.sweep(rr, short=True), jitter=p["jitter"], addr=_cloud_infra(w, rr, 1, rr.randint(1, 3)),
                  client=_clients(w, rr, 1))  # fmt: skip


def b_hydra(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Many accounts on a few cloud /24s, one client, one sweep, staggered starts."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        style = _random_knobs(rr, _style(rr, ordinary_share=p["ordinary_share"]))
        pad = rr.choice([0, 0, 0, rr.randint(3, 10)])
        _campaign(w, rr, "hydra", k, p["accounts"], rpm=p["rpm"], style=style, sweep=w.sweep(rr, pad=pad, short=True),
                  jitter=0.5, addr=_cloud_infra(w, rr, rr.randint(1, 4)), client=_clients(w, rr, 1), stagger=0.6,
                  orgs=rr.choice([0, 1, 3]))  # fmt: skip


def b_slow_and_low(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Low-rate scripts, each account on its own cloud IP."""
    rr = random.Random(r.getrandbits(64))
    _campaign(w, rr, "slow_and_low", 0, p["n"], rpm=p["rph"] / 60.0, style=_random_knobs(rr, _style(rr)),
              sweep=w.sweep(rr, short=True), jitter=0.6, addr=_cloud_infra(w, rr, p["n"], 1),
              client=_clients(w, rr, 2))  # fmt: skip


def b_residential_proxy(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A rotating residential proxy: every request from a home /24 honest users live in."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        ua_tls = (w.clients.browser(rr)[1], rr.random() < 0.5)

        def rotate(g: random.Random, tls: str = ua_tls[0]) -> tuple[str, str]:
            return w.clients.browser(g)[0], tls

        _campaign(w, rr, "residential_proxy", k, p["accounts"], rpm=p["rpm"], style=_random_knobs(rr, _style(rr)),
                  sweep=w.sweep(rr, short=True), jitter=0.8, addr=_proxy_infra(w), client=_clients(w, rr, 1),
                  rotate_ua=rotate if ua_tls[1] else None)  # fmt: skip


def b_mimicry(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Human-looking chat sessions at home, a large share of them harvesting prompts."""
    rr = random.Random(r.getrandbits(64))
    sweep = w.sweep(rr)
    for _ in range(p["n"]):
        g = random.Random(rr.getrandbits(64))
        a = w.acct_id()
        ua, tls = w.clients.browser(g)
        share = p["harvest_share"]

        def prompt(x: random.Random, _t: int, s: float = share) -> tuple[Prompt, float]:
            return (sweep.next(), 1400.0) if x.random() < s else (w.chat.draw(x), 250.0)

        w.add(a, "attack", "mimicry", sessions(
            Acct(a, ua=ua, tls=tls, org=w.org(g)), g, t0=w.t0, t1=w.t1, sessions_per_h=p["sessions_per_h"],
            style="diurnal", tz=g.uniform(-8, 3), addr=_fixed_addr(w.pools.home(g)), prompt=prompt, mean_turns=2.0,
            max_turns=2, think_s=25.0, max_tokens=4096), "mimicry-0")  # fmt: skip


def b_costumed_mimic(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Mimicry in costume: each account a browser user agent of its own over one script's TLS
    stack, behind a residential or mobile address of its own, in human sessions with pauses,
    its threads padded with a made-up history (a few hundred tokens a turn after answers of
    thousands), a sweep for long answers mixed with chat."""
    rr = random.Random(r.getrandbits(64))
    sweep = w.sweep(rr, pad=rr.choice([0, 4]))
    tls = rr.choice([w.clients.sdk(rr)[1], Clients.custom(rr)[1]])
    pad = (rr.randint(50, 200), rr.randint(250, 600))
    share = p["harvest_share"]

    def prompt(x: random.Random, _t: int) -> tuple[Prompt, float]:
        return (sweep.next(), x.uniform(1200, 2600)) if x.random() < share else (w.chat.draw(x), 250.0)

    for _ in range(p["n"]):
        g = random.Random(rr.getrandbits(64))
        a = w.acct_id()
        addr = _fixed_addr(w.pools.home(g)) if g.random() < 0.7 else w.pools.mobile
        w.add(a, "attack", "costumed_mimic", sessions(
            Acct(a, ua=w.clients.browser(g)[0], tls=tls, org=None), g, t0=w.t0, t1=w.t1,
            sessions_per_h=p["sessions_per_h"], style="diurnal", tz=g.uniform(-8, 3), addr=addr, prompt=prompt,
            mean_turns=g.uniform(2.0, 5.0), max_turns=8, think_s=g.uniform(15.0, 60.0),
            max_tokens=g.choice([4096, 8192]), padding=pad), "costumed-mimic-0")  # fmt: skip


def b_pooled_agent(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Agent trajectories harvested through a datacenter proxy range: 2-12 accounts on one SDK
    running made-up agent runs (a task from a sweep for long answers, then tool results, in a
    context that grows under a system prompt), each request from any host of one to three
    cloud /24s. An agent's shape in every trait a harvest signature reads (thousands of tokens
    of context for each answer, threads it builds itself): only its answers' length and its
    addresses tell it from an honest agent."""
    rr = random.Random(r.getrandbits(64))
    sweep = w.sweep(rr)
    ua, tls = w.clients.sdk(rr, ("anthropic-python", "anthropic-ts", "langchain"))
    provider = rr.choice(CLOUD_PROVIDERS)
    blocks = [w.pools.cloud_block(rr, provider) for _ in range(p["blocks"])]
    model = rr.choice(MODELS)

    def host(g: random.Random) -> Addr:
        prefix, asn = g.choice(blocks)
        return f"{prefix}.{g.randrange(1, 255)}", asn

    for _ in range(p["n"]):
        g = random.Random(rr.getrandbits(64))
        a = w.acct_id()
        acct = Acct(a, ua=ua, tls=tls, org=w.org(g), model=model)
        w.add(a, "attack", "pooled_agent", _agent_runs(w, g, acct, host, p["runs_per_h"] * g.uniform(0.6, 1.4),
                                                       tuple(p["steps"]), tuple(p["out"]), "poisson", sweep.next),
              "pooled-agent-0")  # fmt: skip


def b_padded_hydra(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """A hydra in made-up threads: many accounts on a few cloud /24s, one client, one sweep,
    staggered starts, nearly every request dressed as a later turn of a conversation (a few
    hundred tokens of invented history per message, never the answers of thousands it got)."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        style = _style(rr, multiturn_share=p["multiturn_share"], max_turns=p["max_turns"])
        _campaign(w, rr, "padded_hydra", k, p["accounts"], rpm=p["rpm"], style=style, sweep=w.sweep(rr, short=True),
                  jitter=0.5, addr=_cloud_infra(w, rr, rr.randint(1, 4)), client=_clients(w, rr, 1), stagger=0.6)  # fmt: skip


def b_shell_orgs(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """One sweep spread over shell organisations: two to eight org ids, each a handful of
    accounts behind one office's NAT or one cloud /24 on one client, each organisation sweeping
    the campaign's topics in templates (and padding) of its own, at a person's pace and for
    5-60 requests an account, many under a system prompt (it costs nothing and marks a product).
    An organisation of steady accounts asking novel questions for long answers at a writer's
    pace, as an honest content agency is: only what they do together tells them apart."""
    topics = T.taxonomy(r, r.randint(60, 400), r.randint(6, 30))
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        style = _random_knobs(rr, _style(rr))
        style.system_share = max(style.system_share, round(p["system_share"] * rr.uniform(0.5, 1.0), 3))
        addr = _nat_infra(_office_nat(rr)) if rr.random() < 0.5 else _cloud_infra(w, rr, 1, rr.randint(1, 3))
        _campaign(w, rr, "shell_orgs", k, max(1, round(p["accounts"] * rr.uniform(0.5, 1.5))), rpm=p["rpm"],
                  style=style, sweep=w.sweep(rr, pad=rr.choice([0, 0, 4, 8]), short=True, taxonomy=topics),
                  timing=rr.choice(["poisson", "human", "diurnal", "work"]), jitter=0.5, addr=addr,
                  client=_clients(w, rr, 1), cap=tuple(p["requests"]), orgs=1)  # fmt: skip


def b_swarm(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Hundreds of accounts, each below any per-account minimum, sharing sweep, client and infra."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        infra = _proxy_infra(w) if p["infra"] == "proxy" else _cloud_infra(w, rr, rr.randint(1, 5), rr.randint(1, 2))
        pad = rr.choice([0, 0, rr.randint(3, 12)])
        _campaign(w, rr, "swarm", k, p["accounts"], rpm=rr.uniform(0.3, 3), style=_random_knobs(rr, _style(rr)),
                  sweep=w.sweep(rr, pad=pad, short=True), jitter=0.4, addr=infra,
                  client=_clients(w, rr, p["clients"]), stagger=0.95, life_s=(300, 5400), cap=tuple(p["requests"]),
                  orgs=rr.choice([0, 0, 1, 5]))  # fmt: skip


def b_paraphrase_sweep(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Every prompt padded with random words and paraphrased: no template repeats."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        _campaign(w, rr, "paraphrase_sweep", k, p["accounts"], rpm=p["rpm"], style=_random_knobs(rr, _style(rr)),
                  sweep=w.sweep(rr, pad=p["pad"], paraphrase=p["paraphrase"], short=True),
                  timing=rr.choice(["regular", "poisson"]), jitter=0.3, addr=_cloud_infra(w, rr, rr.randint(1, 6)),
                  client=_clients(w, rr, rr.randint(1, 2)), stagger=rr.choice([0.0, 0.5]))  # fmt: skip


def b_diluted_harvest(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Part of the requests ask for short answers (and some look ordinary), diluting answer shape."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        style = _style(
            rr, short_share=p["short_share"], ordinary_share=p["ordinary_share"], short_mean=rr.uniform(60, 300)
        )
        _campaign(w, rr, "diluted_harvest", k, p["accounts"], rpm=p["rpm"], style=style, sweep=w.sweep(rr, short=True),
                  timing=rr.choice(["regular", "poisson"]), jitter=0.3, addr=_cloud_infra(w, rr, rr.randint(1, 4)),
                  client=_clients(w, rr, 1))  # fmt: skip


def b_multiturn_harvest(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Fake conversation history: n_messages 2-7 on most requests."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        style = _style(rr, multiturn_share=p["multiturn_share"], max_turns=p["max_turns"])
        _campaign(w, rr, "multiturn_harvest", k, p["accounts"], rpm=p["rpm"], style=style, sweep=w.sweep(rr),
                  timing=rr.choice(["regular", "poisson"]), jitter=0.3, addr=_cloud_infra(w, rr, rr.randint(1, 4)),
                  client=_clients(w, rr, 1))  # fmt: skip


def b_human_timing_harvest(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Human-looking timing: bursts and pauses, a diurnal curve, no round-the-clock operation."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        infra = _proxy_infra(w) if rr.random() < 0.4 else _cloud_infra(w, rr, rr.randint(1, 4))
        _campaign(w, rr, "human_timing_harvest", k, p["accounts"], rpm=p["rpm"], style=_random_knobs(rr, _style(rr)),
                  sweep=w.sweep(rr, pad=rr.choice([0, 4]), short=True), timing=p["timing"], addr=infra,
                  client=lambda g: w.clients.browser(g) if g.random() < 0.5 else w.clients.sdk(g))  # fmt: skip


def b_saas_disguise(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Dressed as a SaaS backend (system prompt, moderate diurnal rpm, popular SDK) but sweeping."""
    for k in range(p["n"]):
        rr = random.Random(r.getrandbits(64))
        style = _style(rr, system_share=1.0, multiturn_share=rr.uniform(0.0, 0.4), stream_share=rr.random(),
                       inp=(300, 1500), temperature=0.7)  # fmt: skip
        sdk = w.clients.sdk(rr, ("anthropic-python", "anthropic-ts", "openai-python"))
        _campaign(w, rr, "saas_disguise", k, p["accounts"], rpm=p["rpm"], style=style,
                  sweep=w.sweep(rr, pad=rr.choice([0, 5]), short=True), timing="diurnal",
                  addr=_cloud_infra(w, rr, 1, 3), client=lambda _g, s=sdk: s, orgs=1)  # type: ignore[misc]  # fmt: skip


def b_browser_spoof_wave(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Browser user agents on one SDK TLS fingerprint; new accounts every hour, short-lived."""
    rr = random.Random(r.getrandbits(64))
    tls = rr.choice([w.clients.sdk(rr)[1], Clients.custom(rr)[1]])
    infra = _proxy_infra(w) if rr.random() < 0.5 else _cloud_infra(w, rr, rr.randint(2, 10), 1)
    lo, hi = p["life_min"]
    _campaign(w, rr, "browser_spoof_wave", 0, p["accounts"], rpm=p["rpm"], style=_random_knobs(rr, _style(rr)),
              sweep=w.sweep(rr, pad=rr.choice([0, 6]), short=True), timing=rr.choice(["poisson", "regular"]),
              jitter=0.3, addr=infra, client=lambda g: (w.clients.browser(g)[0], tls), stagger=0.9,
              life_s=(lo * 60.0, hi * 60.0))  # fmt: skip


def b_slow_low_spread(w: World, r: random.Random, p: dict[str, Any]) -> None:
    """Slow-and-low over many accounts and many /24s (cloud and home pool), Poisson timing."""
    rr = random.Random(r.getrandbits(64))
    cloud = _cloud_infra(w, rr, rr.randint(10, 60), 1)

    def addr(g: random.Random) -> Callable[[random.Random], Addr]:
        return cloud(g) if g.random() < 0.5 else _fixed_addr(w.proxy_exit(g))

    _campaign(w, rr, "slow_low_spread", 0, p["accounts"], rpm=p["rph"] / 60.0, style=_random_knobs(rr, _style(rr)),
              sweep=w.sweep(rr, pad=rr.choice([0, 5]), short=True), timing="poisson", addr=addr,
              client=_clients(w, rr, rr.randint(1, 4)))  # fmt: skip


BUILDERS: dict[str, Callable[[World, random.Random, dict[str, Any]], None]] = {
    name: globals()[f"b_{name}"] for name in HONEST + LATER_HONEST + ATTACK + LATER_ATTACK + LATEST_HONEST
}


def campaign_accounts(labels: dict[str, dict[str, str]]) -> dict[str, int]:
    """Accounts per campaign id (for reports)."""
    out: dict[str, int] = {}
    for v in labels.values():
        if "campaign" in v:
            out[v["campaign"]] = out.get(v["campaign"], 0) + 1
    return out
