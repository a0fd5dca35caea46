"""Generic generators of the randomised world: human sessions and request streams.

:func:`sessions` drives people (chat, writers, employees, students, mimicry campaigns);
:func:`requests` drives programs (SaaS backends, pipelines, bots, harvesting scripts). Each
takes the account, a timing source and a per-request shape, and yields events in time order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from distillguard.lab.traffic.templates import Sweep
from distillguard.lab.traffic.text import Prompt, PromptPool
from distillguard.lab.traffic.world import Acct, AddrFn, Event, arrivals, lognorm


@dataclass
class Req:
    """The shape of one request."""

    prompt: Prompt
    inp: int
    out: int
    max_tokens: int
    n_messages: int = 1
    system: bool = False
    stream: bool = False
    temperature: float | None = 1.0


ReqFn = Callable[[random.Random], Req]


def requests(
    a: Acct,
    rng: random.Random,
    times: Iterable[float],
    req: ReqFn,
    addr: AddrFn,
    *,
    cap: int | None = None,
    errors: float = 0.0,
    retry_s: tuple[float, float] = (1.0, 8.0),
    rotate_ua: Callable[[random.Random], tuple[str, str]] | None = None,
) -> Iterator[Event]:
    """A program's requests at ``times``; ``errors`` share fail (429/5xx) and are retried verbatim."""
    last, n = 0.0, 0
    for t0 in times:
        t = max(t0, last)
        r = req(rng)
        ua, tls = rotate_ua(rng) if rotate_ua else (None, None)
        ip = addr(rng)
        while errors and rng.random() < errors:
            status = rng.choice((429, 429, 500, 529, 503))
            yield a.ev(rng, t, ip, r.prompt, inp=r.inp, out=0, max_tokens=r.max_tokens, n_messages=r.n_messages,
                       system=r.system, stream=r.stream, temperature=r.temperature, status=status, ua=ua, tls=tls)  # fmt: skip
            t += rng.uniform(*retry_s)
            n += 1
        yield a.ev(rng, t, ip, r.prompt, inp=r.inp, out=r.out, max_tokens=r.max_tokens, n_messages=r.n_messages,
                   system=r.system, stream=r.stream, temperature=r.temperature, ua=ua, tls=tls)  # fmt: skip
        last = t + 0.001
        n += 1
        if cap is not None and n >= cap:
            return


@dataclass
class Style:
    """How a harvesting campaign shapes its requests (the adaptive knobs)."""

    out_mean: float = 1500.0
    out_sigma: float = 0.35
    max_tokens: tuple[int, ...] = (4096,)
    inp: tuple[int, int] = (25, 70)
    ordinary_share: float = 0.0  # honest-looking prompts with ordinary answers
    short_share: float = 0.0  # taxonomy prompts asking for short answers
    short_mean: float = 180.0
    multiturn_share: float = 0.0  # fake history: n_messages 2..max_turns
    max_turns: int = 6
    system_share: float = 0.0
    stream_share: float = 0.0
    temperature: float | None = 1.0


def harvest_req(sweep: Sweep, style: Style, pool: PromptPool) -> ReqFn:
    """A campaign's request shape: mostly long answers to taxonomy prompts, diluted by ``style``."""

    def make(rng: random.Random) -> Req:
        u = rng.random()
        if u < style.ordinary_share:
            prompt, out = pool.draw(rng), lognorm(rng, 280, 0.5)
        elif u < style.ordinary_share + style.short_share:
            prompt, out = sweep.short_prompt(), lognorm(rng, style.short_mean, 0.5)
        else:
            prompt, out = sweep.next(), lognorm(rng, style.out_mean, style.out_sigma)
        inp = rng.randint(*style.inp)
        n_msg = 1
        if style.multiturn_share and rng.random() < style.multiturn_share:
            n_msg = 2 * rng.randint(1, max(1, style.max_turns // 2)) + (rng.random() < 0.2)
            n_msg = min(n_msg, style.max_turns)
            inp += rng.randint(40, 400) * (n_msg - 1)
        system = rng.random() < style.system_share
        if system:
            inp += rng.randint(50, 400)
        return Req(
            prompt,
            inp,
            out,
            rng.choice(style.max_tokens),
            n_msg,
            system,
            rng.random() < style.stream_share,
            style.temperature,
        )

    return make


PromptFn = Callable[[random.Random, int], tuple[Prompt, float]]
"""``(rng, turn) -> (prompt, median output tokens)``."""


def sessions(
    a: Acct,
    rng: random.Random,
    *,
    t0: float,
    t1: float,
    sessions_per_h: float,
    style: str,
    tz: float,
    addr: AddrFn,
    prompt: PromptFn,
    mean_turns: float = 3.0,
    max_turns: int = 30,
    think_s: float = 40.0,
    inp: tuple[int, int] = (8, 60),
    max_tokens: int = 2048,
    stream: bool = True,
    system: bool = False,
    cap: int | None = None,
    same_ip: bool = True,
    burst: tuple[float, float] = (900.0, 2400.0),
    padding: tuple[int, int] | None = None,
) -> Iterator[Event]:
    """A person's sessions: multi-turn, think times, output-length-dependent reading time.

    ``padding``: a made-up history instead of the real one, each earlier turn standing for that
    many tokens (drawn per turn), whatever the answers were (a costume's conversation)."""
    n, busy = 0, t0
    fixed = addr(rng) if same_ip else None
    for t_start in arrivals(rng, t0, t1, sessions_per_h / 3600.0, style, tz=tz, burst=burst):
        if t_start < busy:  # the next session never starts before this one ends
            continue
        t = t_start
        ip = fixed or addr(rng)
        turns = min(max_turns, 1 + int(rng.expovariate(1.0 / max(mean_turns - 1.0, 0.05))))
        history = 0
        for turn in range(turns):
            p, out_mean = prompt(rng, turn)
            i = rng.randint(*inp) + history
            out = lognorm(rng, out_mean, 0.45)
            yield a.ev(rng, t, ip, p, inp=i, out=out, max_tokens=max_tokens, n_messages=2 * turn + 1,
                       system=system, stream=stream)  # fmt: skip
            n += 1
            if cap is not None and n >= cap:
                return
            history = i + min(out, max_tokens) if padding is None else (turn + 1) * rng.randint(*padding)
            t += rng.lognormvariate(2.3, 0.8) + think_s * rng.lognormvariate(0.0, 0.7) + min(out, max_tokens) / 40.0
            if t >= t1:
                return
        busy = t
