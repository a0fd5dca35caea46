"""Shared machinery: accounts, event emission, timing processes."""

import math
import string

from .simhash import simhash

MODELS = {
    "sonnet": "claude-sonnet-4-5-20250929",
    "haiku": "claude-haiku-4-5-20251001",
    "opus": "claude-opus-4-1-20250805",
    "sonnet37": "claude-3-7-sonnet-20250219",
    "haiku35": "claude-3-5-haiku-20241022",
}
SPEED = {"sonnet": 70, "haiku": 130, "opus": 35, "sonnet37": 65, "haiku35": 110}

# activity by local hour (0..23), ordinary people
HUMAN_DIURNAL = [
    0.18,
    0.10,
    0.06,
    0.04,
    0.04,
    0.06,
    0.14,
    0.30,
    0.50,
    0.66,
    0.78,
    0.82,
    0.80,
    0.80,
    0.84,
    0.86,
    0.84,
    0.80,
    0.80,
    0.88,
    0.96,
    1.00,
    0.80,
    0.45,
]
WORK_DIURNAL = [
    0.05,
    0.03,
    0.02,
    0.02,
    0.02,
    0.04,
    0.10,
    0.35,
    0.80,
    1.00,
    1.00,
    0.95,
    0.70,
    0.90,
    1.00,
    0.95,
    0.85,
    0.60,
    0.30,
    0.20,
    0.15,
    0.12,
    0.08,
    0.06,
]
PRODUCT_DIURNAL = [
    0.45,
    0.35,
    0.28,
    0.25,
    0.25,
    0.30,
    0.42,
    0.58,
    0.72,
    0.82,
    0.90,
    0.95,
    0.95,
    0.95,
    0.96,
    0.97,
    0.97,
    0.96,
    0.95,
    0.97,
    1.00,
    0.95,
    0.80,
    0.60,
]


def dfac(table, ts, tz):
    h = (ts / 3600.0 + tz) % 24
    i = int(h)
    f = h - i
    return table[i] * (1 - f) + table[(i + 1) % 24] * f


def tok(text):
    return max(1, int(len(text) / 3.8))


class Account:
    __slots__ = (
        "campaign",
        "endpoint",
        "id",
        "ip_fn",
        "key_w",
        "keys",
        "label",
        "model_w",
        "models",
        "n",
        "org",
        "p5xx",
        "p429",
        "retry",
        "scenario",
        "stream",
        "sys_p",
        "sys_tokens",
        "temp",
        "tls",
        "tz",
        "ua",
    )


class Ctx:
    def __init__(self, rng, nets, t0, t1, seed):
        self.rng = rng
        self.nets = nets
        self.t0 = t0
        self.t1 = t1
        self.seed = seed
        self.events = []
        self.labels = {}
        self._ids = set()
        self.scen_events = {}

    # ---- identities -------------------------------------------------------------------------------------------
    def rid(self, prefix, n=14):
        alpha = string.ascii_lowercase + string.digits
        while True:
            s = prefix + "".join(self.rng.choice(alpha) for _ in range(n))
            if s not in self._ids:
                self._ids.add(s)
                return s

    def account(
        self,
        scenario,
        label="benign",
        campaign=None,
        ua=None,
        ip_fn=None,
        org=None,
        n_keys=1,
        key_w=None,
        models=("sonnet",),
        model_w=None,
        temp=None,
        stream=False,
        sys_tokens=0,
        sys_p=0.0,
        endpoint="/v1/messages",
        tz=0,
        p429=0.002,
        p5xx=0.003,
        retry=True,
    ):
        a = Account()
        a.id = self.rid("acct_", 16)
        a.keys = [self.rid("key_", 12) for _ in range(n_keys)]
        a.key_w = key_w
        a.org = org
        a.label, a.scenario, a.campaign = label, scenario, campaign
        a.ua, a.tls = (ua[0], ua[1]) if ua else (None, None)
        a.ip_fn = ip_fn
        a.models = list(models)
        a.model_w = model_w
        a.temp = temp
        a.stream = stream
        a.sys_tokens = sys_tokens
        a.sys_p = sys_p
        a.endpoint = endpoint
        a.tz = tz
        a.p429, a.p5xx, a.retry = p429, p5xx, retry
        a.n = 0
        rec = {"label": label, "scenario": scenario}
        if campaign:
            rec["campaign"] = campaign
        self.labels[a.id] = rec
        return a

    # ---- one request ------------------------------------------------------------------------------------------
    def emit(
        self,
        a,
        ts,
        prompt,
        out,
        max_tokens,
        n_msgs=1,
        ctx_tok=0,
        model=None,
        ip=None,
        sys=None,
        status=None,
        temp=None,
        key=None,
        _retry_depth=0,
    ):
        if ts < self.t0 or ts >= self.t1:
            return
        rng = self.rng
        if model is None:
            model = a.models[0] if len(a.models) == 1 else rng.choices(a.models, weights=a.model_w)[0]
        if ip is None:
            ip, asn = a.ip_fn(ts)
        else:
            ip, asn = ip
        if sys is None:
            sys = a.sys_tokens > 0 and (a.sys_p >= 1 or rng.random() < a.sys_p)
        if key is None:
            key = (
                a.keys[0]
                if len(a.keys) == 1
                else (rng.choices(a.keys, weights=a.key_w)[0] if a.key_w else rng.choice(a.keys))
            )
        if status is None:
            x = rng.random()
            status = 429 if x < a.p429 else (rng.choice([500, 529, 529, 503]) if x < a.p429 + a.p5xx else 200)
        inp = tok(prompt) + ctx_tok + (a.sys_tokens if sys else 0)
        out = max(1, min(int(out), max_tokens))
        if status != 200:
            lat = rng.uniform(20, 400) if status == 429 else rng.uniform(200, 30000)
            out = 0
        else:
            lat = rng.uniform(250, 1400) + 0.002 * inp + out * 1000.0 / (SPEED.get(model, 70) * rng.uniform(0.7, 1.3))
        e = {
            "event_id": None,
            "ts": round(ts, 3),
            "account_id": a.id,
            "api_key_id": key,
            "org_id": a.org,
            "ip": ip,
            "asn": asn,
            "user_agent": a.ua,
            "tls_fingerprint": a.tls,
            "endpoint": a.endpoint,
            "model": MODELS[model],
            "input_tokens": inp,
            "output_tokens": out,
            "max_tokens": int(max_tokens),
            "temperature": a.temp if temp is None else temp,
            "stream": a.stream,
            "n_messages": int(n_msgs),
            "has_system_prompt": bool(sys),
            "prompt_simhash": simhash(prompt),
            "status": status,
            "latency_ms": round(lat, 1),
        }
        self.events.append(e)
        a.n += 1
        self.scen_events[a.scenario] = self.scen_events.get(a.scenario, 0) + 1
        if status != 200 and a.retry and _retry_depth < 4:
            delay = (0.5 * 2**_retry_depth) * rng.uniform(0.8, 1.6) if status in (429, 529, 503) else rng.uniform(1, 20)
            self.emit(
                a,
                ts + lat / 1000.0 + delay,
                prompt,
                out if out else self._last_out(max_tokens),
                max_tokens,
                n_msgs,
                ctx_tok,
                model,
                (ip, asn),
                sys,
                None,
                temp,
                key,
                _retry_depth + 1,
            )

    def _last_out(self, max_tokens):
        return self.rng.uniform(0.2, 0.8) * max_tokens

    # ---- answer lengths ---------------------------------------------------------------------------------------
    def out_len(self, kind, max_tokens, p_cap=0.0):
        rng = self.rng
        if p_cap and rng.random() < p_cap:
            return max_tokens * rng.uniform(0.94, 1.0)
        med, sig = {
            "tiny": (4, 0.6),
            "short": (45, 0.7),
            "med": (320, 0.55),
            "long": (1400, 0.45),
            "vlong": (2800, 0.4),
            "code": (700, 0.6),
        }[kind]
        return rng.lognormvariate(math.log(med), sig)

    # ---- timing processes -------------------------------------------------------------------------------------
    def poisson(self, rate_per_min, t0=None, t1=None, tz=0, table=None, amp=1.0):
        """Non-homogeneous Poisson via thinning; rate is the peak rate when a diurnal table is given."""
        rng = self.rng
        t0 = self.t0 if t0 is None else t0
        t1 = self.t1 if t1 is None else t1
        lam = rate_per_min / 60.0
        out = []
        if lam <= 0:
            return out
        t = t0
        while True:
            t += rng.expovariate(lam)
            if t >= t1:
                return out
            if table is None or rng.random() < (1 - amp) + amp * dfac(table, t, tz):
                out.append(t)

    def regular(self, interval, t0=None, t1=None, jitter=0.05, n=None):
        rng = self.rng
        t = self.t0 if t0 is None else t0
        t1 = self.t1 if t1 is None else t1
        out = []
        while t < t1 and (n is None or len(out) < n):
            out.append(t)
            t += max(0.05, interval * (1 + rng.uniform(-jitter, jitter)))
        return out

    def sessions(self, n_sessions, per_session, gap_median, tz, table=HUMAN_DIURNAL, t0=None, t1=None, gap_sigma=0.9):
        """Human use: sessions started by diurnal rhythm; inside, reading/typing pauses. Returns [(ts, session, turn)]."""
        rng = self.rng
        t0 = self.t0 if t0 is None else t0
        t1 = self.t1 if t1 is None else t1
        starts = []
        tries = 0
        while len(starts) < n_sessions and tries < 200:
            tries += 1
            s = rng.uniform(t0, t1)
            if rng.random() < dfac(table, s, tz):
                starts.append(s)
        starts.sort()
        out = []
        for si, s in enumerate(starts):
            k = max(1, int(rng.expovariate(1.0 / per_session)) + 1)
            t = s
            for j in range(k):
                out.append((t, si, j))
                t += rng.lognormvariate(math.log(gap_median), gap_sigma) + 3
                if t >= t1:
                    break
        return out

    # ---- ip helpers -------------------------------------------------------------------------------------------
    def ip_fixed(self, kind, k=1, asn=None):
        nets, rng = self.nets, self.rng
        asn = asn or nets.pick_asn(kind)
        pool = [nets.ip(kind, asn) for _ in range(k)]
        w = [1.0 / (i + 1) ** 1.5 for i in range(k)]
        if k == 1:
            return (lambda ts: pool[0]), asn
        return (lambda ts: rng.choices(pool, weights=w)[0]), asn

    def ip_sticky(self, kind, period, asn=None, rotate_asn=False):
        nets = self.nets
        asn0 = asn or nets.pick_asn(kind)
        memo = {}

        def f(ts):
            b = int(ts // period)
            if b not in memo:
                memo[b] = nets.ip(kind, nets.pick_asn(kind) if rotate_asn else asn0)
            return memo[b]

        return f, asn0

    def ip_rotate(self, kinds, weights=None):
        nets, rng = self.nets, self.rng
        return lambda ts: nets.ip(rng.choices(kinds, weights=weights)[0] if len(kinds) > 1 else kinds[0])

    def ip_blocks(self, blocks_with_asn, hosts=None):
        """Random host in one of the given /24s (attacker or company infrastructure)."""
        rng, nets = self.rng, self.nets
        if hosts:
            return lambda ts: rng.choice(hosts)

        def f(ts):
            b = rng.choice(blocks_with_asn)
            return nets.ip_in(b[0]), b[1]

        return f

    def tz_of(self, asn):
        return self.nets.tz(asn)
