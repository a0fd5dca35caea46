"""Networks (IPv4 blocks with consistent ASNs) and client stacks (user agent + JA4-style TLS)."""

# Printf-style formatting is kept verbatim from the generator as first written so that its output stays byte-identical
# (e.g. %d truncates floats where a {:d} format spec would raise).
# ruff: noqa: UP031
import hashlib

# asn: (kind, region, utc_offset_hours, first octets)
ASNS = {
    # residential broadband
    7922: ("resi", "US", -5, [73, 24, 98, 68, 69]),
    7018: ("resi", "US", -6, [99, 107, 76, 75]),
    20115: ("resi", "US", -6, [71, 97, 174]),
    701: ("resi", "US", -5, [108, 173, 72]),
    22773: ("resi", "US", -7, [68, 70, 98]),
    20001: ("resi", "US", -8, [76, 104, 172]),
    3320: ("resi", "DE", 1, [79, 84, 87, 91, 93]),
    2856: ("resi", "GB", 0, [81, 86, 109]),
    3215: ("resi", "FR", 1, [90, 92, 86]),
    12322: ("resi", "FR", 1, [82, 88, 78]),
    6830: ("resi", "NL", 1, [62, 84]),
    55836: ("resi", "IN", 5.5, [49, 157]),
    4766: ("resi", "KR", 9, [211, 175]),
    4713: ("resi", "JP", 9, [153, 180]),
    28573: ("resi", "BR", -3, [177, 179, 189]),
    1221: ("resi", "AU", 10, [101, 110]),
    812: ("resi", "CA", -5, [99, 174]),
    # mobile carriers (CGNAT: few /24s, very many users)
    21928: ("mobile", "US", -6, [172]),
    6167: ("mobile", "US", -5, [174]),
    20057: ("mobile", "US", -6, [166]),
    3209: ("mobile", "DE", 1, [94]),
    45609: ("mobile", "IN", 5.5, [106]),
    12430: ("mobile", "ES", 1, [37]),
    # cloud / hosting
    16509: ("cloud", "US", 0, [3, 18, 52, 54, 44]),
    14618: ("cloud", "US", 0, [3, 44, 54]),
    396982: ("cloud", "US", 0, [34, 35]),
    15169: ("cloud", "US", 0, [34, 35]),
    8075: ("cloud", "US", 0, [20, 40, 13]),
    14061: ("cloud", "US", 0, [138, 159, 165, 167]),
    24940: ("cloud", "DE", 0, [65, 88, 95, 116, 135]),
    16276: ("cloud", "FR", 0, [51, 141, 147]),
    63949: ("cloud", "US", 0, [45, 139, 172]),
    20473: ("cloud", "US", 0, [45, 66, 108]),
    45102: ("cloud", "SG", 0, [47]),
    132203: ("cloud", "SG", 0, [43, 119]),
    31898: ("cloud", "US", 0, [129, 132, 150]),
    # commercial VPN exits
    9009: ("vpn", "GB", 0, [37, 185]),
    60068: ("vpn", "NL", 0, [89, 185]),
    # universities / research networks
    3: ("univ", "US", -5, [18]),
    25: ("univ", "US", -8, [128]),
    32: ("univ", "US", -8, [171]),
    786: ("univ", "GB", 0, [128, 129, 131]),
    680: ("univ", "DE", 1, [129, 134, 141]),
    2200: ("univ", "FR", 1, [193, 194]),
    # business ISPs / corporate egress
    3356: ("biz", "US", -5, [4, 8, 63]),
    174: ("biz", "US", -5, [38, 66]),
    1299: ("biz", "SE", 1, [62, 80]),
}
RESI_WEIGHTS = {
    7922: 9,
    7018: 7,
    20115: 7,
    701: 5,
    22773: 3,
    20001: 4,
    3320: 5,
    2856: 4,
    3215: 3,
    12322: 2,
    6830: 2,
    55836: 6,
    4766: 2,
    4713: 2,
    28573: 3,
    1221: 2,
    812: 2,
}
MOBILE_WEIGHTS = {21928: 4, 6167: 3, 20057: 3, 3209: 2, 45609: 3, 12430: 1}
CLOUD_WEIGHTS = {
    16509: 10,
    14618: 4,
    396982: 5,
    15169: 2,
    8075: 6,
    14061: 4,
    24940: 4,
    16276: 3,
    63949: 2,
    20473: 2,
    45102: 2,
    132203: 2,
    31898: 2,
}
UNIV = [3, 25, 32, 786, 680, 2200]
BIZ = [3356, 174, 1299]
VPN = [9009, 60068]


class Nets:
    """Per-seed address plan: each ASN owns a set of /24s; residential /24s are shared by many."""

    def __init__(self, rng):
        self.rng = rng
        self.blocks = {}
        used = set()
        for asn, (kind, _reg, _tz, octs) in ASNS.items():
            n = {
                "resi": rng.randint(25, 60),
                "mobile": rng.randint(3, 8),
                "cloud": rng.randint(30, 80),
                "vpn": rng.randint(4, 10),
                "univ": rng.randint(2, 4),
                "biz": rng.randint(10, 25),
            }[kind]
            lst = []
            # a few /16s per ASN, /24s inside them (looks like real allocations)
            b16s = [(rng.choice(octs), rng.randint(0, 255)) for _ in range(max(1, n // 12))]
            while len(lst) < n:
                a, b = rng.choice(b16s)
                c = rng.randint(0, 255)
                if (a, b, c) in used:
                    continue
                used.add((a, b, c))
                lst.append((a, b, c))
            self.blocks[asn] = lst

    def pick_asn(self, kind):
        rng = self.rng
        if kind == "resi":
            w = RESI_WEIGHTS
        elif kind == "mobile":
            w = MOBILE_WEIGHTS
        elif kind == "cloud":
            w = CLOUD_WEIGHTS
        elif kind == "univ":
            return rng.choice(UNIV)
        elif kind == "biz":
            return rng.choice(BIZ)
        elif kind == "vpn":
            return rng.choice(VPN)
        else:
            raise ValueError(kind)
        ks = list(w)
        return rng.choices(ks, weights=[w[k] for k in ks])[0]

    def block(self, asn, skew=True):
        lst = self.blocks[asn]
        if skew:  # popular /24s (dense neighbourhoods / CGNAT pools)
            return lst[int(len(lst) * self.rng.random() ** 2.5)]
        return self.rng.choice(lst)

    def ip_in(self, blk):
        a, b, c = blk
        return "%d.%d.%d.%d" % (a, b, c, self.rng.randint(2, 254))

    def ip(self, kind, asn=None):
        asn = asn or self.pick_asn(kind)
        return self.ip_in(self.block(asn, skew=kind in ("resi", "mobile"))), asn

    @staticmethod
    def tz(asn):
        return ASNS[asn][2]


def _ja4(proto_alpn, nc, ne, seedstr):
    h = hashlib.sha256(seedstr.encode()).hexdigest()
    return "t13d%02d%02d%s_%s_%s" % (nc, ne, proto_alpn, h[:12], h[12:24])


# TLS stacks: name -> list of fingerprints (versions)
TLS = {
    "chrome": ["t13d1516h2_8daaf6152771_02713d6af862", "t13d1517h2_8daaf6152771_b0da82dd1658"],
    "firefox": ["t13d1715h2_5b57614c22b0_3d5424432f57", "t13d1716h2_5b57614c22b0_eeeea6562960"],
    "safari": ["t13d2014h2_a09f3c656075_14788d8d241b"],
    "ios": ["t13d2014h2_a09f3c656075_e42f34c56612", "t13d2013h2_a09f3c656075_7f0f34a4126d"],
    "okhttp": ["t13d1714h2_5b57614c22b0_8e6e362c5eac", "t13d1715h2_5b57614c22b0_c4d2d3e7a0a1"],
    "python": [
        _ja4("h2", 18, 12, "httpx-ossl3.0"),
        _ja4("h2", 18, 13, "httpx-ossl3.1"),
        _ja4("h2", 17, 12, "httpx-ossl1.1"),
    ],
    "python_h1": [_ja4("h1", 18, 12, "urllib3-ossl3.0"), _ja4("00", 18, 11, "urllib3-ossl1.1")],
    "aiohttp": [_ja4("h1", 18, 11, "aiohttp")],
    "node": [_ja4("h2", 17, 13, "node20"), _ja4("h2", 17, 14, "node22")],
    "go": [_ja4("h2", 13, 11, "go1.21"), _ja4("h2", 13, 12, "go1.22")],
    "curl": [_ja4("h2", 31, 12, "curl8-ossl3"), _ja4("h2", 31, 11, "curl7-ossl1")],
    "java": [_ja4("h2", 16, 11, "java17"), _ja4("h2", 16, 12, "java21")],
    "dotnet": [_ja4("h2", 14, 11, "dotnet8")],
}


def browser_ua(rng, kind=None):
    kind = kind or rng.choices(["chrome", "edge", "firefox", "safari"], weights=[60, 12, 10, 18])[0]
    if kind in ("chrome", "edge"):
        v = rng.randint(126, 132)
        os_ = rng.choice(
            [
                "Windows NT 10.0; Win64; x64",
                "Windows NT 10.0; Win64; x64",
                "Macintosh; Intel Mac OS X 10_15_7",
                "X11; Linux x86_64",
            ]
        )
        ua = "Mozilla/5.0 (%s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36" % (os_, v)
        if kind == "edge":
            ua += " Edg/%d.0.%d.%d" % (v, rng.randint(2000, 2900), rng.randint(40, 120))
        return ua, rng.choice(TLS["chrome"]), "chrome"
    if kind == "firefox":
        v = rng.randint(128, 133)
        os_ = rng.choice(
            ["Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10.15", "X11; Ubuntu; Linux x86_64"]
        )
        return (
            "Mozilla/5.0 (%s; rv:%d.0) Gecko/20100101 Firefox/%d.0" % (os_, v, v),
            rng.choice(TLS["firefox"]),
            "firefox",
        )
    v = rng.choice(["17.4", "17.5", "17.6", "18.0", "18.1"])
    return (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%s Safari/605.1.15"
        % v,
        TLS["safari"][0],
        "safari",
    )


MOBILE_APPS = ["ChatMate", "Pocket AI", "AskIt", "Quill", "StudyPal", "Lingo Buddy", "NoteGenie"]


def mobile_ua(rng):
    app = rng.choice(MOBILE_APPS)
    ver = "%d.%d.%d" % (rng.randint(1, 6), rng.randint(0, 20), rng.randint(0, 9))
    if rng.random() < 0.55:
        ios = rng.choice(["17.5.1", "17.6", "18.0", "18.1", "18.2"])
        return ("%s/%s (iPhone; iOS %s; Scale/3.00)" % (app, ver, ios), rng.choice(TLS["ios"]), "ios")
    dev = rng.choice(["Pixel 8", "SM-S918B", "SM-A546E", "Redmi Note 12", "Pixel 7a", "CPH2451"])
    return (
        "%s/%s (Android %d; %s) okhttp/4.12.0" % (app, ver, rng.randint(12, 15), dev),
        rng.choice(TLS["okhttp"]),
        "okhttp",
    )


def sdk_ua(rng, kind=None):
    kind = (
        kind
        or rng.choices(
            [
                "anthropic-python",
                "anthropic-typescript",
                "openai-python",
                "openai-node",
                "requests",
                "curl",
                "go",
                "aiohttp",
                "java",
                "dotnet",
            ],
            weights=[40, 18, 10, 5, 8, 5, 5, 4, 3, 2],
        )[0]
    )
    if kind == "anthropic-python":
        return (
            "anthropic-python/0.%d.%d" % (rng.randint(34, 45), rng.randint(0, 3)),
            rng.choice(TLS["python"]),
            "python",
        )
    if kind == "anthropic-typescript":
        return (
            "anthropic-typescript/0.%d.%d" % (rng.randint(27, 36), rng.randint(0, 2)),
            rng.choice(TLS["node"]),
            "node",
        )
    if kind == "openai-python":
        return "openai-python/1.%d.%d" % (rng.randint(40, 58), rng.randint(0, 4)), rng.choice(TLS["python"]), "python"
    if kind == "openai-node":
        return "OpenAI/NodeJS/4.%d.%d" % (rng.randint(50, 77), rng.randint(0, 3)), rng.choice(TLS["node"]), "node"
    if kind == "requests":
        return (
            "python-requests/2.%d.%d" % (rng.choice([28, 31, 32]), rng.randint(0, 3)),
            rng.choice(TLS["python_h1"]),
            "python_h1",
        )
    if kind == "curl":
        return (
            "curl/%s" % rng.choice(["7.81.0", "7.88.1", "8.4.0", "8.5.0", "8.7.1", "8.10.1"]),
            rng.choice(TLS["curl"]),
            "curl",
        )
    if kind == "go":
        return "Go-http-client/2.0", rng.choice(TLS["go"]), "go"
    if kind == "aiohttp":
        return (
            "Python/3.%d aiohttp/3.%d.%d" % (rng.randint(10, 12), rng.randint(8, 10), rng.randint(0, 5)),
            TLS["aiohttp"][0],
            "aiohttp",
        )
    if kind == "java":
        return "Java-http-client/%d" % rng.choice([17, 21]), rng.choice(TLS["java"]), "java"
    return "dotnet-anthropic/%d.%d.0" % (rng.randint(1, 3), rng.randint(0, 9)), TLS["dotnet"][0], "dotnet"


def custom_ua(rng, name):
    stack = rng.choice(["python", "node", "go", "python", "java"])
    return (
        "%s/%d.%d.%d" % (name, rng.randint(0, 4), rng.randint(0, 30), rng.randint(0, 9)),
        rng.choice(TLS[stack]),
        stack,
    )


def agent_ua(rng):
    kind = rng.choice(["cli", "cli", "ide", "aider"])
    if kind == "cli":
        return "claude-cli/1.0.%d (external, cli)" % rng.randint(20, 90), rng.choice(TLS["node"]), "node"
    if kind == "ide":
        return (
            "anthropic-typescript/0.%d.%d" % (rng.randint(27, 36), rng.randint(0, 2)),
            rng.choice(TLS["node"]),
            "node",
        )
    return (
        "aider/0.%d.%d anthropic-python/0.%d.0" % (rng.randint(50, 70), rng.randint(0, 3), rng.randint(34, 45)),
        rng.choice(TLS["python"]),
        "python",
    )
