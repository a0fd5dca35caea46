"""Infrastructure of a randomised world: address pools, client fingerprints, accounts, timing.

Every pool is drawn from the world's seed: which residential /24s (and IPv6 /48s) exist and how
crowded they are, which mobile carrier blocks, cloud ranges, browser and SDK versions and TLS
fingerprints. Honest home users and rotating-proxy exits draw from the *same* home pool.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

from distillguard.lab.traffic.text import Prompt

Event = dict[str, Any]
Addr = tuple[str, int]
"""An address and its ASN."""

CLOUDS: dict[str, tuple[tuple[int, ...], int]] = {
    "aws": ((3, 18, 52, 44), 16509),
    "gcp": ((34, 35), 15169),
    "azure": ((13, 20, 40), 8075),
    "digitalocean": ((104, 138, 159, 167), 14061),
    "hetzner": ((88, 95, 116), 24940),
    "ovh": ((51, 141, 145), 16276),
    "linode": ((45, 139, 172), 63949),
}
ISPS: list[tuple[int, tuple[int, ...]]] = [
    (7922, (24, 67, 68, 73, 76, 98)),
    (7018, (12, 99, 107, 108)),
    (701, (71, 72, 96, 173)),
    (22773, (68, 70, 184)),
    (3320, (79, 80, 84, 87, 91, 93)),
    (5089, (81, 82, 86)),
    (3215, (77, 78, 83, 90, 92)),
    (28573, (177, 179, 187, 189, 191, 201)),
    (2856, (31, 86, 109)),
    (4766, (58, 121, 175, 211)),
]
V6_ISPS = [(7922, "2601"), (3320, "2003"), (3215, "2a01"), (2856, "2a00"), (701, "2600")]
CARRIERS: list[tuple[int, str]] = [(21928, "172.5{}"), (20057, "166.1{}"), (6167, "174.2{}"), (12430, "2.13{}")]


def _ja4(rng: random.Random, alpn: str = "h2") -> str:
    return f"t13d{rng.randint(10, 19):02d}{rng.randint(8, 18):02d}{alpn}_{rng.getrandbits(48):012x}_{rng.getrandbits(48):012x}"


class Pools:
    """The world's addresses: a crowded home pool, mobile carrier blocks, cloud and office ranges."""

    def __init__(self, rng: random.Random, *, home_blocks: int, v6_share: float, crowding: float) -> None:
        self.rng = rng
        self.blocks: list[tuple[str, int, bool]] = []  # (prefix, asn, is_v6)
        for _ in range(home_blocks):
            if rng.random() < v6_share:
                asn, p = rng.choice(V6_ISPS)
                self.blocks.append((f"{p}:{rng.randrange(0x100, 0xFFFF):x}:{rng.randrange(0x10, 0xFFFF):x}", asn, True))
            else:
                asn, octets = rng.choice(ISPS)
                self.blocks.append((f"{rng.choice(octets)}.{rng.randrange(256)}.{rng.randrange(256)}", asn, False))
        # Crowding: some /24s (cable head-ends, CGNAT) hold far more users than others.
        weights = [rng.paretovariate(crowding) for _ in self.blocks]
        self.cum = list(itertools.accumulate(weights))
        self.carriers = [
            (f"{pat.format(rng.randrange(10))}.{rng.randrange(256)}", asn)
            for asn, pat in rng.sample(CARRIERS, k=rng.randint(2, 4))
            for _ in range(rng.randint(2, 8))
        ]

    def home_block(self, rng: random.Random) -> int:
        """Index of a home block, crowded blocks more likely."""
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])

    def host(self, rng: random.Random, block: int) -> Addr:
        """One address inside home block ``block``."""
        prefix, asn, v6 = self.blocks[block]
        if v6:
            return f"{prefix}:{rng.randrange(0x10000):x}::{rng.randrange(1, 0xFFFF):x}", asn
        return f"{prefix}.{rng.randrange(1, 255)}", asn

    def home(self, rng: random.Random) -> Addr:
        """A home address from the shared pool."""
        return self.host(rng, self.home_block(rng))

    def mobile(self, rng: random.Random) -> Addr:
        """A mobile carrier address (many users behind few blocks; changes between sessions)."""
        prefix, asn = rng.choice(self.carriers)
        return f"{prefix}.{rng.randrange(1, 255)}", asn

    @staticmethod
    def cloud_block(rng: random.Random, provider: str | None = None) -> Addr:
        """A cloud /24 prefix (``a.b.c``) and its ASN."""
        name = provider or rng.choice(sorted(CLOUDS))
        octets, asn = CLOUDS[name]
        return f"{rng.choice(octets)}.{rng.randrange(64, 250)}.{rng.randrange(256)}", asn

    def cloud_ips(self, rng: random.Random, n_blocks: int, n_ips: int, provider: str | None = None) -> list[Addr]:
        """``n_ips`` addresses spread over ``n_blocks`` cloud /24s."""
        blocks = [self.cloud_block(rng, provider) for _ in range(n_blocks)]
        out = []
        for _ in range(n_ips):
            prefix, asn = rng.choice(blocks)
            out.append((f"{prefix}.{rng.randrange(1, 255)}", asn))
        return out

    @staticmethod
    def office_block(rng: random.Random) -> Addr:
        """A company's office /24 (business ISP)."""
        asn = rng.choice((3356, 174, 1299, 6939, 3257, 2914))
        return (
            f"{rng.choice((38, 50, 63, 64, 65, 66, 193, 194, 195, 212, 213))}.{rng.randrange(256)}.{rng.randrange(256)}",
            asn,
        )


class Clients:
    """The world's client fingerprints: browsers, mobile apps and SDKs, with per-seed versions."""

    def __init__(self, rng: random.Random) -> None:
        chrome, ff, safari = rng.randint(118, 134), rng.randint(115, 135), rng.randint(16, 18)
        tls_chrome, tls_ff, tls_safari = _ja4(rng), _ja4(rng), _ja4(rng)
        self.browsers: list[tuple[str, str]] = []
        for os_ in ("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64"):
            for v in range(chrome - 2, chrome + 1):
                self.browsers.append(
                    (f"Mozilla/5.0 ({os_}) AppleWebKit/537.36 Chrome/{v}.0.0.0 Safari/537.36", tls_chrome)
                )
            self.browsers.append((f"Mozilla/5.0 ({os_}; rv:{ff}.0) Gecko/20100101 Firefox/{ff}.0", tls_ff))
        self.browsers.append(
            (f"Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/{safari}.1 Safari/605.1.15", tls_safari)
        )
        self.mobile = [
            (f"Mozilla/5.0 (iPhone; CPU iPhone OS {safari}_1 like Mac OS X) Mobile/15E148 Safari/604.1", tls_safari),
            (f"Mozilla/5.0 (Linux; Android {rng.randint(12, 15)}) Chrome/{chrome}.0 Mobile Safari/537.36", tls_chrome),
            (f"WriterApp/{rng.randint(2, 6)}.{rng.randint(0, 9)} (iOS {safari}.1) CFNetwork/1490", _ja4(rng)),
            (f"ChatPad/{rng.randint(1, 4)}.{rng.randint(0, 20)} okhttp/4.12.0", _ja4(rng, "h1")),
        ]
        py, node, go, java = _ja4(rng, "h1"), _ja4(rng, "h1"), _ja4(rng), _ja4(rng)
        self.sdks: dict[str, tuple[str, str]] = {
            "anthropic-python": (f"anthropic-python/0.{rng.randint(30, 60)}.{rng.randint(0, 3)}", py),
            "anthropic-ts": (f"anthropic-typescript/0.{rng.randint(20, 45)}.{rng.randint(0, 3)}", node),
            "openai-python": (f"openai-python/1.{rng.randint(40, 70)}.{rng.randint(0, 5)}", py),
            "httpx": (f"python-httpx/0.{rng.randint(25, 28)}.{rng.randint(0, 2)}", py),
            "requests": (f"python-requests/2.{rng.randint(28, 32)}.{rng.randint(0, 3)}", py),
            "aiohttp": (f"Python/3.11 aiohttp/3.{rng.randint(8, 11)}.{rng.randint(0, 5)}", py),
            "langchain": (f"langchain-anthropic/0.{rng.randint(1, 3)}.{rng.randint(0, 9)}", py),
            "node": (f"node-fetch/3.{rng.randint(1, 3)}", node),
            "go": ("Go-http-client/2.0", go),
            "java": (f"okhttp/4.{rng.randint(9, 12)}.0", java),
            "curl": (f"curl/8.{rng.randint(1, 11)}.0", _ja4(rng, "h1")),
        }

    def browser(self, rng: random.Random) -> tuple[str, str]:
        """A browser UA and its TLS fingerprint."""
        return rng.choice(self.browsers)

    def sdk(self, rng: random.Random, names: tuple[str, ...] | None = None) -> tuple[str, str]:
        """An SDK UA and TLS fingerprint (from ``names`` if given)."""
        return self.sdks[rng.choice(names or tuple(sorted(self.sdks)))]

    @staticmethod
    def custom(rng: random.Random) -> tuple[str, str]:
        """A campaign's own client: a bespoke or generic UA on its own TLS stack."""
        ua = rng.choice(
            (
                f"harvest-kit/{rng.randint(1, 4)}.{rng.randint(0, 9)}",
                f"python-requests/2.{rng.randint(28, 32)}.0",
                f"Python/3.{rng.randint(9, 12)} aiohttp/3.9.5",
                "Go-http-client/2.0",
                f"axios/1.{rng.randint(5, 7)}.{rng.randint(0, 9)}",
                f"dataset-builder/{rng.randint(0, 2)}.{rng.randint(1, 30)}",
            )
        )
        return ua, _ja4(rng, rng.choice(("h1", "h2")))


MODELS = ["claude-sonnet", "claude-haiku", "claude-opus"]
_SPEED = {"claude-sonnet": 14.0, "claude-haiku": 6.0, "claude-opus": 25.0}


class Acct:
    """One account's identity; :meth:`ev` writes its next request event."""

    def __init__(
        self,
        acct: str,
        *,
        ua: str | None,
        tls: str | None,
        org: str | None = None,
        keys: int = 1,
        model: str = "claude-sonnet",
    ) -> None:
        self.acct = acct
        self.ua = ua
        self.tls = tls
        self.org = org
        self.keys = [f"{acct}-k{i}" for i in range(keys)]
        self.model = model
        self.n = 0

    def ev(
        self,
        rng: random.Random,
        t: float,
        addr: Addr,
        prompt: Prompt,
        *,
        inp: int,
        out: int,
        max_tokens: int,
        n_messages: int = 1,
        system: bool = False,
        stream: bool = False,
        temperature: float | None = 1.0,
        status: int = 200,
        ua: str | None = None,
        tls: str | None = None,
    ) -> Event:
        """A request event at ``t`` (output capped by ``max_tokens``; none on an error status)."""
        self.n += 1
        out = max(1, min(out, max_tokens)) if status == 200 else 0
        speed = _SPEED.get(self.model, 12.0)
        return {
            "event_id": f"{self.acct}-{self.n}",
            "ts": round(t, 3),
            "account_id": self.acct,
            "api_key_id": self.keys[0] if len(self.keys) == 1 else rng.choice(self.keys),
            "org_id": self.org,
            "ip": addr[0],
            "asn": addr[1],
            "user_agent": ua or self.ua,
            "tls_fingerprint": tls or self.tls,
            "endpoint": "/v1/messages",
            "model": self.model,
            "input_tokens": max(1, inp),
            "output_tokens": out,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": stream,
            "n_messages": max(1, n_messages),
            "has_system_prompt": system,
            "prompt_simhash": prompt[0],
            "_text": prompt[1],
            "status": status,
            "latency_ms": round(rng.uniform(150, 900) + inp * 0.02 + out * speed, 1) if status == 200 else 30.0,
        }


# --- timing --------------------------------------------------------------------------------


def daily(t: float, tz_h: float, shape: str = "evening") -> float:
    """Activity by local hour (0.03 .. 1): ``evening`` (home users), ``work`` (office hours), ``flat``."""
    h = ((t / 3600.0) + tz_h) % 24.0
    if shape == "flat":
        return 1.0
    if shape == "work":
        wd = int(((t / 3600.0) + tz_h) // 24.0 + 3) % 7  # 0 = Monday (epoch was a Thursday)
        if wd >= 5:
            return 0.05
        return 1.0 if 9.0 <= h < 12.5 or 13.5 <= h < 18.0 else (0.4 if 8.0 <= h < 19.5 else 0.03)
    return 0.05 + 0.95 * max(0.0, math.sin(math.pi * (h - 7.0) / 16.0)) if 7.0 <= h <= 23.0 else 0.05


def arrivals(
    rng: random.Random,
    t: float,
    t_end: float,
    rate_per_s: float,
    style: str,
    *,
    tz: float = 0.0,
    jitter: float = 0.1,
    burst: tuple[float, float] = (600.0, 1800.0),
) -> Iterator[float]:
    """Request times from ``t`` to ``t_end`` at ``rate_per_s`` (the peak rate for diurnal styles).

    ``regular``: a fixed gap with Gaussian ``jitter``; ``poisson``; ``diurnal``/``work``: Poisson
    thinned by local hour; ``bursty``: on-periods (mean ``burst[0]`` s) at three times the rate,
    separated by pauses (mean ``burst[1]`` s); ``human``: bursty and diurnal.
    """
    if rate_per_s <= 0:
        return
    gap = 1.0 / rate_per_s
    on_until = t + rng.expovariate(1.0 / burst[0])
    while True:
        if style == "regular":
            t += gap * max(0.05, rng.gauss(1.0, jitter))
        elif style in ("bursty", "human"):
            t += rng.expovariate(3.0 * rate_per_s)
            if t > on_until:
                t += rng.expovariate(1.0 / burst[1])
                on_until = t + rng.expovariate(1.0 / burst[0])
        else:
            t += rng.expovariate(rate_per_s)
        if t >= t_end:
            return
        if style == "diurnal" and rng.random() > daily(t, tz):
            continue
        if style == "work" and rng.random() > daily(t, tz, "work"):
            continue
        if style == "human" and rng.random() > daily(t, tz):
            continue
        yield t


def lognorm(rng: random.Random, mean: float, sigma: float) -> int:
    """A lognormal draw with median ``mean``."""
    return int(rng.lognormvariate(math.log(max(mean, 1.0)), sigma))


AddrFn = Callable[[random.Random], Addr]
