"""Assemble the populations of one simulation and stream their events in timestamp order."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from distillguard.lab.traffic import clients as C  # noqa: N812  (short alias for many calls)
from distillguard.lab.traffic.text import (
    HELDOUT_TEMPLATES,
    STANDARD_TEMPLATES,
    PromptPool,
    TemplateSweep,
    make_vocab,
)

DEFAULT_START = 1772445600.0  # 2026-03-02T10:00:00Z, a Monday morning in Europe


@dataclass(frozen=True)
class Params:
    """Sizes and rates of every population (at scale 1)."""

    chat_users: int = 500
    chat_sessions_per_h: float = 0.5
    heavy_chat_users: int = 40
    batch_jobs: int = 6
    batch_rpm: float = 150.0
    eval_harnesses: int = 5
    coding_agents: int = 30
    nat_users: int = 150
    surge_factor: float = 3.0
    firehose: int = 2
    firehose_rpm: float = 90.0
    hydras: int = 3
    hydra_accounts: int = 20
    hydra_rpm: float = 1.0
    hydra_ordinary_share: float = 0.2
    slow_low: int = 10
    slow_low_rph: float = 20.0
    residential: int = 8
    residential_rpm: float = 5.0
    mimicry: int = 10
    mimicry_sessions_per_h: float = 4.0
    mimicry_harvest_share: float = 0.65
    templates: list[str] = field(default_factory=lambda: list(STANDARD_TEMPLATES))


HELDOUT = Params(
    chat_users=650,
    chat_sessions_per_h=0.6,
    heavy_chat_users=60,
    batch_jobs=8,
    batch_rpm=220.0,
    eval_harnesses=7,
    coding_agents=40,
    nat_users=220,
    surge_factor=2.5,
    firehose=3,
    firehose_rpm=45.0,
    hydras=2,
    hydra_accounts=35,
    hydra_rpm=0.6,
    hydra_ordinary_share=0.3,
    slow_low=14,
    slow_low_rph=12.0,
    residential=10,
    residential_rpm=3.0,
    mimicry=12,
    mimicry_sessions_per_h=3.0,
    mimicry_harvest_share=0.55,
    templates=list(HELDOUT_TEMPLATES),
)


def _n(x: int, scale: float) -> int:
    return max(1, round(x * scale)) if x else 0


def build(
    seed: int, hours: float, scale: float, p: Params, start: float = DEFAULT_START
) -> tuple[list[Iterator[dict[str, Any]]], dict[str, dict[str, str]]]:
    """Every client generator and the labels of their accounts."""
    rng = random.Random(seed)
    vocab = make_vocab(rng, 6000)
    t0, t1 = start, start + hours * 3600.0
    mid = t0 + (t1 - t0) * rng.uniform(0.4, 0.6)
    ctx = C.Ctx(
        rng,
        t0,
        t1,
        PromptPool(rng, vocab, 6000, 6, 30),
        PromptPool(rng, vocab, 3000, 150, 300),
        PromptPool(rng, vocab, 3000, 20, 80),
        (mid, mid + 3600.0),
        p.surge_factor,
    )
    concepts = make_vocab(random.Random(seed + 99), 400)[-300:]
    gens: list[Iterator[dict[str, Any]]] = []
    labels: dict[str, dict[str, str]] = {}

    def add(name: str, label: str, scenario: str, gen: Iterator[dict[str, Any]]) -> None:
        labels[name] = {"label": label, "scenario": scenario}
        gens.append(gen)

    def sub() -> random.Random:
        return random.Random(rng.getrandbits(64))

    def sweep(r: random.Random) -> TemplateSweep:
        return TemplateSweep(r, r.sample(p.templates, k=min(2, len(p.templates))), concepts)

    for i in range(_n(p.chat_users, scale)):
        r = sub()
        add(
            f"chat-{i:05d}",
            "benign",
            "chat",
            C.human(
                ctx,
                f"chat-{i:05d}",
                r,
                sessions_per_h=p.chat_sessions_per_h,
                ips=[C.residential_ip(r) for _ in range(2)],
            ),
        )
    for i in range(_n(p.heavy_chat_users, scale)):
        r = sub()
        a = f"power-{i:04d}"
        add(
            a,
            "benign",
            "heavy_chat",
            C.human(
                ctx,
                a,
                r,
                sessions_per_h=4 * p.chat_sessions_per_h * 3,
                ips=[C.residential_ip(r)],
                long_answers=r.random() < 0.5,
            ),
        )
    for i in range(_n(p.batch_jobs, scale)):
        r = sub()
        add(
            f"batch-{i:03d}",
            "benign",
            "batch",
            C.batch_job(ctx, f"batch-{i:03d}", r, rpm=p.batch_rpm * r.uniform(0.5, 1.5), jobs=r.randint(1, 3)),
        )
    for i in range(_n(p.eval_harnesses, scale)):
        r = sub()
        add(
            f"evals-{i:03d}",
            "benign",
            "eval_harness",
            C.eval_harness(ctx, f"evals-{i:03d}", r, n_prompts=r.randint(100, 400), every_h=r.uniform(1.0, 2.5)),
        )
    for i in range(_n(p.coding_agents, scale)):
        r = sub()
        add(
            f"agent-{i:04d}",
            "benign",
            "coding_agent",
            C.coding_agent(ctx, f"agent-{i:04d}", r, sessions_per_h=r.uniform(0.3, 1.2)),
        )
    nat_block = "128.32.41"
    nat_ips = [f"{nat_block}.{x}" for x in (10, 11, 12, 13)]
    for i in range(_n(p.nat_users, scale)):
        r = sub()
        add(
            f"campus-{i:04d}",
            "benign",
            "campus_nat",
            C.human(ctx, f"campus-{i:04d}", r, sessions_per_h=p.chat_sessions_per_h * 2, ips=nat_ips),
        )
    # --- campaigns -------------------------------------------------------------------------
    for i in range(_n(p.firehose, scale)):
        r = sub()
        ip = f"{C.cloud_block(r, 34)}.{r.randrange(1, 255)}"
        add(
            f"fh-{i:03d}",
            "attack",
            "firehose",
            C.scripted(ctx, f"fh-{i:03d}", r, sweep(r), rpm=p.firehose_rpm * r.uniform(0.7, 1.3), ips=[ip], asn=396982),
        )
    for h in range(_n(p.hydras, scale)):
        r = sub()
        blocks = [C.cloud_block(r, 35) for _ in range(3)]
        ua, tls = f"hydra-client/{r.randint(1, 9)}.0", f"t13d{r.randint(1000, 9999)}h2_{r.getrandbits(40):010x}"
        hsweep = sweep(r)
        for j in range(p.hydra_accounts):
            a = f"hy{h}-{j:03d}"
            start = t0 + (t1 - t0) * 0.6 * j / p.hydra_accounts + r.uniform(0, 300)
            ips = [f"{r.choice(blocks)}.{r.randrange(1, 255)}" for _ in range(2)]
            add(
                a,
                "attack",
                "hydra",
                C.scripted(
                    ctx,
                    a,
                    sub(),
                    hsweep,
                    rpm=p.hydra_rpm * r.uniform(0.6, 1.4),
                    ips=ips,
                    jitter=0.5,
                    start=start,
                    ua=ua,
                    tls=tls,
                    ordinary_share=p.hydra_ordinary_share,
                    asn=15169,
                ),
            )
    for i in range(_n(p.slow_low, scale)):
        r = sub()
        ip = f"{C.cloud_block(r, 52)}.{r.randrange(1, 255)}"
        add(
            f"slow-{i:03d}",
            "attack",
            "slow_and_low",
            C.scripted(ctx, f"slow-{i:03d}", r, sweep(r), rpm=p.slow_low_rph / 60.0, ips=[ip], jitter=0.6),
        )
    for i in range(_n(p.residential, scale)):
        r = sub()
        add(
            f"resi-{i:03d}",
            "attack",
            "residential_proxy",
            C.scripted(
                ctx,
                f"resi-{i:03d}",
                r,
                sweep(r),
                rpm=p.residential_rpm,
                ips=[],
                jitter=0.8,
                rotate=True,
                tls=C.BROWSER_TLS[0],
            ),
        )
    for i in range(_n(p.mimicry, scale)):
        r = sub()
        add(
            f"mimic-{i:03d}",
            "attack",
            "mimicry",
            C.human(
                ctx,
                f"mimic-{i:03d}",
                r,
                sessions_per_h=p.mimicry_sessions_per_h,
                ips=[C.residential_ip(r)],
                mean_turns=2.0,
                think_s=25.0,
                harvest=sweep(r),
                harvest_share=p.mimicry_harvest_share,
            ),
        )
    return gens, labels


def merged(gens: list[Iterator[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """All events in timestamp order."""
    return heapq.merge(*gens, key=lambda e: e["ts"])
