"""Networks (address blocks, ASNs) and client stacks (user agents, TLS fingerprints)."""

from __future__ import annotations

import hashlib
import ipaddress
import random
from dataclasses import dataclass, field

# provider -> (asn, kind, ipv4 prefixes, ipv6 prefix, share of requests over IPv6)
PROVIDERS: dict[str, tuple[int, str, list[str], str, float]] = {
    "aws": (16509, "cloud", ["3.80.0.0/12", "18.204.0.0/14", "52.0.0.0/11", "54.144.0.0/12"], "2600:1f18::/33", 0.04),
    "gcp": (396982, "cloud", ["34.64.0.0/10", "35.184.0.0/13"], "2600:1900::/28", 0.04),
    "azure": (8075, "cloud", ["20.0.0.0/11", "40.64.0.0/10"], "2603:1000::/25", 0.03),
    "hetzner": (24940, "cloud", ["88.198.0.0/16", "95.216.0.0/16", "65.108.0.0/15"], "2a01:4f8::/29", 0.15),
    "ovh": (16276, "cloud", ["51.68.0.0/16", "54.36.0.0/14", "141.94.0.0/16"], "2001:41d0::/32", 0.1),
    "digitalocean": (14061, "cloud", ["104.131.0.0/16", "159.65.0.0/16", "167.99.0.0/16"], "2604:a880::/32", 0.08),
    "oracle": (31898, "cloud", ["129.146.0.0/16", "150.136.0.0/16"], "2603:c020::/28", 0.02),
    "alibaba": (45102, "cloud", ["47.74.0.0/15", "8.209.0.0/16"], "2408:4000::/22", 0.02),
    "vultr": (20473, "cloud", ["45.32.0.0/16", "149.28.0.0/16"], "2001:19f0::/32", 0.1),
    "comcast": (7922, "residential", ["73.0.0.0/8", "98.192.0.0/10", "24.0.0.0/12"], "2601::/20", 0.35),
    "charter": (20115, "residential", ["66.168.0.0/14", "97.80.0.0/13", "71.80.0.0/13"], "2600:6c00::/24", 0.3),
    "att": (7018, "residential", ["99.0.0.0/10", "107.192.0.0/12", "76.192.0.0/11"], "2600:1700::/24", 0.35),
    "dtag": (3320, "residential", ["79.192.0.0/10", "91.0.0.0/10", "87.128.0.0/10"], "2003::/19", 0.45),
    "bt": (2856, "residential", ["81.128.0.0/12", "86.128.0.0/11"], "2a00:23c0::/27", 0.3),
    "orange": (3215, "residential", ["90.0.0.0/9", "86.192.0.0/11"], "2a01:c000::/19", 0.4),
    "virgin": (5089, "residential", ["82.0.0.0/14", "86.0.0.0/13"], "2a02:c7c::/30", 0.2),
    "kddi": (2516, "residential", ["106.128.0.0/11", "182.248.0.0/13"], "2400:4000::/21", 0.3),
    "vivo": (18881, "residential", ["177.0.0.0/12", "189.0.0.0/11"], "2804:14c::/31", 0.4),
    "airtel": (24560, "residential", ["122.160.0.0/12", "182.64.0.0/12"], "2401:4900::/27", 0.4),
    "jio": (55836, "mobile", ["49.32.0.0/12", "157.32.0.0/12"], "2409:4000::/22", 0.8),
    "tmobile": (21928, "mobile", ["172.32.0.0/11"], "2607:fb90::/28", 0.85),
    "verizon_wireless": (22394, "mobile", ["174.192.0.0/10"], "2600:1000::/28", 0.6),
    "vodafone_de": (3209, "mobile", ["188.96.0.0/12", "94.216.0.0/13"], "2a02:8100::/27", 0.5),
    "stanford": (32, "edu", ["171.64.0.0/14"], "2607:f6d0::/32", 0.1),
    "berkeley": (25, "edu", ["128.32.0.0/16"], "2607:f140::/32", 0.1),
    "janet": (786, "edu", ["129.67.0.0/16", "131.111.0.0/16"], "2001:630::/32", 0.15),
    "switch": (559, "edu", ["129.132.0.0/16", "130.59.0.0/16"], "2001:620::/32", 0.15),
    "cenic_k12": (2152, "edu", ["137.164.0.0/16"], "2607:f380::/32", 0.05),
    "zscaler": (53813, "corporate", ["165.225.0.0/17", "136.226.0.0/16"], "2a03:eec0::/32", 0.02),
    "cloudflare_warp": (13335, "corporate", ["104.28.0.0/16"], "2a09:bac0::/29", 0.3),
    "cogent": (174, "corporate", ["38.0.0.0/8"], "2001:550::/32", 0.02),
    "lumen": (3356, "corporate", ["4.0.0.0/9", "8.0.0.0/12"], "2001:1900::/30", 0.02),
}

CLOUDS = ["aws", "gcp", "azure", "hetzner", "ovh", "digitalocean", "oracle", "alibaba", "vultr"]
BIG_CLOUDS = ["aws", "aws", "aws", "gcp", "gcp", "azure", "azure"]
RESIDENTIAL = ["comcast", "charter", "att", "dtag", "bt", "orange", "virgin", "kddi", "vivo", "airtel"]
MOBILE = ["jio", "tmobile", "verizon_wireless", "vodafone_de"]
EDU = ["stanford", "berkeley", "janet", "switch"]
CORPORATE = ["zscaler", "cloudflare_warp", "cogent", "lumen"]

_nets = {p: [ipaddress.ip_network(n) for n in v[2]] for p, v in PROVIDERS.items()}
_nets6 = {p: ipaddress.ip_network(v[3]) for p, v in PROVIDERS.items()}


def block24(rng: random.Random, provider: str) -> int:
    """A random /24 inside a provider's IPv4 space, as the integer of its first address."""
    net = rng.choice(_nets[provider])
    n24 = max(1, net.num_addresses // 256)
    return int(net.network_address) + 256 * rng.randrange(n24)


def v4_in(base24: int, host: int) -> str:
    return str(ipaddress.IPv4Address(base24 + host))


def v6_prefix64(rng: random.Random, provider: str) -> int:
    net = _nets6[provider]
    n64 = max(1, net.num_addresses >> 64)
    return int(net.network_address) + (rng.randrange(n64) << 64)


def v6_in(prefix64: int, iid: int) -> str:
    return str(ipaddress.IPv6Address(prefix64 + (iid & ((1 << 64) - 1))))


@dataclass
class Egress:
    """Where an account's requests come from.

    style: 'static' (one address), 'pool' (a handful of NAT/egress addresses),
    'household' (one v4 + rotating IPv6 privacy addresses in one /64),
    'mobile' (CGNAT v4 churn + v6), 'rotating' (a fresh address per request from given /24 blocks).
    """

    provider: str
    style: str
    v4: list[str] = field(default_factory=list)
    v6_prefix: int = 0
    v6_share: float = 0.0
    blocks: list[int] = field(default_factory=list)
    extra: list[Egress] = field(default_factory=list)
    extra_share: float = 0.0

    def pick(self, rng: random.Random) -> tuple[str, str]:
        """Return (ip, provider)."""
        if self.extra and rng.random() < self.extra_share:
            return rng.choice(self.extra).pick(rng)
        if self.v6_share and rng.random() < self.v6_share:
            if self.style in ("household", "mobile", "rotating"):
                iid = rng.getrandbits(64)
                prefix = self.v6_prefix if self.style == "household" else self.v6_prefix + (rng.getrandbits(16) << 64)
                return v6_in(prefix, iid), self.provider
            host = int(self.v4[0].rsplit(".", 1)[1]) if self.v4 else 0
            return v6_in(self.v6_prefix, 0x100 + host), self.provider
        if self.style == "rotating":
            return v4_in(rng.choice(self.blocks), rng.randint(1, 254)), self.provider
        if self.style == "mobile":
            return v4_in(rng.choice(self.blocks), rng.randint(1, 254)), self.provider
        return rng.choice(self.v4), self.provider


def static_egress(
    rng: random.Random, provider: str, n_addr: int = 1, v6: float | None = None, block: int | None = None
) -> Egress:
    b = block if block is not None else block24(rng, provider)
    hosts = rng.sample(range(1, 255), n_addr)
    share = PROVIDERS[provider][4] if v6 is None else v6
    return Egress(
        provider, "static" if n_addr == 1 else "pool", [v4_in(b, h) for h in hosts], v6_prefix64(rng, provider), share
    )


def household_egress(rng: random.Random, provider: str, block: int | None = None) -> Egress:
    b = block if block is not None else block24(rng, provider)
    return Egress(
        provider, "household", [v4_in(b, rng.randint(2, 254))], v6_prefix64(rng, provider), PROVIDERS[provider][4]
    )


def mobile_egress(rng: random.Random, provider: str) -> Egress:
    blocks = [block24(rng, provider) for _ in range(rng.randint(2, 6))]
    return Egress(provider, "mobile", [], v6_prefix64(rng, provider) & ~((1 << 80) - 1), PROVIDERS[provider][4], blocks)


def rotating_egress(provider: str, blocks: list[int], v6_prefix: int = 0, v6_share: float = 0.0) -> Egress:
    return Egress(provider, "rotating", [], v6_prefix, v6_share, blocks)


# --------------------------------------------------------------------------- client stacks


def _ja4(stack: str, variant: int, proto: str, ciphers: int, exts: int, alpn: str) -> str:
    h = hashlib.sha256(f"{stack}/{variant}".encode()).hexdigest()
    return (
        f"t13d{ciphers:02d}{exts:02d}{alpn}_{h[:12]}_{h[20:32]}"
        if proto == "t"
        else f"q13d{ciphers:02d}{exts:02d}{alpn}_{h[:12]}_{h[20:32]}"
    )


# stack -> (tls variants as (ciphers, exts, alpn), user-agent template, endpoint, interactive)
STACKS: dict[str, tuple[list[tuple[int, int, str]], str, str, bool]] = {
    "chrome": (
        [(15, 16, "h2"), (15, 17, "h2"), (16, 17, "h2")],
        "Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
        "/v1/messages",
        True,
    ),
    "firefox": (
        [(17, 15, "h2"), (17, 16, "h2")],
        "Mozilla/5.0 ({os}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        "/v1/messages",
        True,
    ),
    "safari": (
        [(20, 14, "h2"), (21, 14, "h2")],
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v}.1 Safari/605.1.15",
        "/v1/messages",
        True,
    ),
    "anthropic-python": (
        [(18, 12, "h1"), (18, 13, "h1"), (17, 12, "h1")],
        "Anthropic/Python {v}",
        "/v1/messages",
        False,
    ),
    "openai-python": ([(18, 12, "h1"), (18, 13, "h1")], "OpenAI/Python {v}", "/v1/chat/completions", False),
    "python-requests": ([(18, 11, "h1"), (17, 11, "h1")], "python-requests/{v}", "/v1/messages", False),
    "aiohttp": ([(18, 10, "h1"), (17, 10, "h1")], "Python/3.{m} aiohttp/{v}", "/v1/chat/completions", False),
    "anthropic-node": ([(17, 12, "h1"), (17, 13, "h2")], "Anthropic/JS {v}", "/v1/messages", False),
    "openai-node": ([(17, 12, "h1"), (17, 13, "h2")], "OpenAI/JS {v}", "/v1/chat/completions", False),
    "go": ([(13, 10, "h2"), (13, 11, "h2")], "Go-http-client/2.0", "/v1/messages", False),
    "go-sdk": ([(13, 10, "h2")], "anthropic-sdk-go/{v}", "/v1/messages", False),
    "curl": ([(31, 12, "h2"), (31, 13, "h2"), (30, 12, "h2")], "curl/{v}", "/v1/messages", False),
    "okhttp": ([(16, 11, "h2"), (16, 12, "h2")], "okhttp/{v}", "/v1/chat/completions", False),
    "java-httpclient": ([(27, 12, "h2")], "Java-http-client/{v}", "/v1/messages", False),
    "rust-reqwest": ([(9, 8, "h2"), (9, 9, "h2")], "reqwest/{v}", "/v1/messages", False),
    "dotnet": ([(21, 10, "h2")], "Microsoft-HttpClient/{v}", "/v1/chat/completions", False),
    "langchain": ([(18, 12, "h1")], "langchain-anthropic/{v} Anthropic/Python 0.{m}.0", "/v1/messages", False),
    "mobile-ios": ([(20, 14, "h2")], "{app}/{v} CFNetwork/1494.0.7 Darwin/23.4.0", "/v1/messages", True),
    "mobile-android": ([(16, 11, "h2")], "{app}/{v} okhttp/4.12.0 (Android 14)", "/v1/messages", True),
    "electron": (
        [(15, 16, "h2")],
        "Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) {app}/{v} Chrome/{c}.0.0.0 Electron/{e}.0.0 Safari/537.36",
        "/v1/messages",
        True,
    ),
    "raw": ([(18, 9, "00"), (13, 9, "00")], "", "/v1/messages", False),
}

_OS = [
    "Windows NT 10.0; Win64; x64",
    "Macintosh; Intel Mac OS X 10_15_7",
    "X11; Linux x86_64",
    "X11; Ubuntu; Linux x86_64",
]


def _version(rng: random.Random, stack: str, recency: float) -> str:
    """Versions drift: recency in [0, 1] (1 = newest releases)."""

    def pick(lo: int, hi: int) -> int:
        x = lo + (hi - lo) * (recency**0.5 if rng.random() < 0.7 else rng.random())
        return max(lo, min(hi, round(x + rng.uniform(-1.5, 1.5))))

    if stack in ("chrome", "electron"):
        return str(pick(118, 133))
    if stack == "firefox":
        return str(pick(115, 134))
    if stack == "safari":
        return str(pick(15, 18))
    if stack == "anthropic-python":
        return f"0.{pick(25, 49)}.{rng.randint(0, 3)}"
    if stack == "openai-python":
        return f"1.{pick(12, 60)}.{rng.randint(0, 4)}"
    if stack == "python-requests":
        return f"2.{pick(25, 32)}.{rng.randint(0, 3)}"
    if stack == "aiohttp":
        return f"3.{pick(8, 11)}.{rng.randint(0, 12)}"
    if stack in ("anthropic-node", "openai-node"):
        return f"{'0' if stack == 'anthropic-node' else '4'}.{pick(20, 39) if stack == 'anthropic-node' else pick(20, 77)}.{rng.randint(0, 3)}"
    if stack == "go-sdk":
        return f"0.{pick(1, 9)}.{rng.randint(0, 3)}-alpha"
    if stack == "curl":
        return f"8.{pick(0, 11)}.{rng.randint(0, 1)}"
    if stack == "okhttp":
        return f"4.{pick(9, 12)}.0"
    if stack == "java-httpclient":
        return f"{rng.choice([11, 17, 17, 21, 21])}.0.{rng.randint(1, 12)}"
    if stack == "rust-reqwest":
        return f"0.{pick(11, 12)}.{rng.randint(0, 9)}"
    if stack == "dotnet":
        return f"{rng.choice([6, 7, 8, 8, 9])}.0"
    if stack == "langchain":
        return f"0.{pick(1, 3)}.{rng.randint(0, 9)}"
    if stack in ("mobile-ios", "mobile-android"):
        return f"{pick(1, 6)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
    return ""


@dataclass(frozen=True)
class Client:
    stack: str
    user_agent: str | None
    tls: str | None
    endpoint: str
    interactive: bool


def make_client(
    rng: random.Random, stack: str, recency: float | None = None, app: str = "", spoof_ua_of: str | None = None
) -> Client:
    """A client of one stack.  ``spoof_ua_of`` sends another stack's user agent over this stack's TLS."""
    variants, ua_t, endpoint, interactive = STACKS[stack]
    rec = rng.random() if recency is None else recency
    vi = (
        min(len(variants) - 1, int(rec * len(variants) * 0.999)) if rng.random() < 0.8 else rng.randrange(len(variants))
    )
    c, e, a = variants[vi]
    tls = _ja4(stack, vi, "t", c, e, a)
    ua_stack = spoof_ua_of or stack
    ua_t = STACKS[ua_stack][1]
    ua = ua_t.format(
        os=rng.choice(_OS),
        v=_version(rng, ua_stack, rec),
        m=rng.choice([9, 10, 11, 12]),
        app=app or "ChatDesk",
        c=_version(rng, "chrome", rec),
        e=rng.randint(28, 34),
    )
    if spoof_ua_of:
        interactive = STACKS[spoof_ua_of][3]
    return Client(stack, ua or None, tls, endpoint, interactive)
