"""The world: accounts, raw requests, and the gateway pass that turns them into events."""

from __future__ import annotations

import json
import math
import random
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from . import net
from .simhash import simhash

# model id -> (time to first token ms, output tokens per second, share of all traffic when a caller has no preference)
MODELS: dict[str, tuple[float, float]] = {
    "atlas-2-small": (280.0, 165.0),
    "atlas-2-medium": (520.0, 78.0),
    "atlas-2-large": (880.0, 39.0),
    "atlas-1.5-large": (1150.0, 31.0),
    "atlas-2-reasoner": (2400.0, 46.0),
    "atlas-3-large-preview": (980.0, 44.0),
}
LAUNCH_MODEL = "atlas-3-large-preview"
STANDARD_MODELS = [
    "atlas-2-medium",
    "atlas-2-medium",
    "atlas-2-medium",
    "atlas-2-large",
    "atlas-2-small",
    "atlas-2-small",
    "atlas-1.5-large",
    "atlas-2-reasoner",
]

# kind -> (median output tokens, lognormal sigma)
OUTPUT = {
    "chat": (260, 0.8),
    "short": (90, 0.7),
    "long": (1700, 0.45),
    "cot": (720, 0.5),
    "code": (560, 0.6),
    "classify": (4, 0.5),
    "summary": (170, 0.4),
    "translate": (0, 0.15),
    "tool": (130, 0.8),
    "refusal": (70, 0.5),
    "mcq": (2, 0.3),
    "desc": (150, 0.3),
    "ping": (2, 0.2),
    "dialogues": (1400, 0.4),
}


@dataclass
class Account:
    account_id: str
    scenario: str
    label: str
    campaign: str | None
    org_id: str | None
    keys: list[str]
    client: net.Client
    egress: net.Egress
    rpm: int
    rng: random.Random
    temperature: float | None = None  # None: caller omits it
    extra_clients: list[net.Client] = field(default_factory=list)


class World:
    def __init__(self, seed: int, hours: float, start: float):
        self.seed = seed
        self.hours = hours
        self.t0 = start
        self.t1 = start + hours * 3600.0
        self.rng = random.Random(f"outsider:{seed}:world")
        self.accounts: list[Account] = []
        self.raw: list[list] = []
        self._ids: set[str] = set()
        self.benign_orgs: list[str] = []
        self.org_egress: dict[str, net.Egress] = {}
        self.launch_ts = start + hours * 3600.0 * self.rng.uniform(0.1, 0.6)
        self.incidents = []
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            a = self.rng.uniform(self.t0, self.t1)
            self.incidents.append(
                (
                    a,
                    a + self.rng.uniform(120, 1500),
                    self.rng.choice([500, 503, 529, 529, 502]),
                    self.rng.uniform(0.1, 0.6),
                )
            )
        # hot residential /24 blocks: honest households and residential proxies both live here
        self.hot_blocks: dict[str, list[int]] = {
            p: [net.block24(self.rng, p) for _ in range(self.rng.randint(3, 8))] for p in net.RESIDENTIAL + net.MOBILE
        }

    # ------------------------------------------------------------------ identities

    def new_id(self, prefix: str, rng: random.Random, nbytes: int = 8) -> str:
        while True:
            s = f"{prefix}_{rng.getrandbits(8 * nbytes):0{2 * nbytes}x}"
            if s not in self._ids:
                self._ids.add(s)
                return s

    def add_account(
        self,
        scenario: str,
        label: str,
        campaign: str | None,
        org_id: str | None,
        client: net.Client,
        egress: net.Egress,
        n_keys: int = 1,
        rpm: int = 60,
        temperature: float | None = None,
        rng_tag: str = "",
    ) -> Account:
        idx = len(self.accounts)
        rng = random.Random(f"outsider:{self.seed}:{scenario}:{idx}:{rng_tag}")
        acct = Account(
            self.new_id("acct", rng),
            scenario,
            label,
            campaign,
            org_id,
            [self.new_id("key", rng, 6) for _ in range(n_keys)],
            client,
            egress,
            rpm,
            rng,
            temperature,
        )
        self.accounts.append(acct)
        return acct

    # ------------------------------------------------------------------ requests

    def emit(
        self,
        acct: Account,
        ts: float,
        text: str,
        kind: str,
        *,
        model: str,
        max_tokens: int,
        n_messages: int = 1,
        history_tokens: int = 0,
        context_tokens: int = 0,
        system_tokens: int = 0,
        temperature: float | str | None = "acct",
        stream: bool | None = None,
        client: net.Client | None = None,
        egress: net.Egress | None = None,
        key: str | None = None,
    ) -> None:
        if not (self.t0 <= ts < self.t1):
            return
        rng = acct.rng
        c = client or acct.client
        ip, provider = (egress or acct.egress).pick(rng)
        text_tokens = max(1, int(len(text) / 3.9))
        in_tok = text_tokens + history_tokens + context_tokens + system_tokens + 3 * n_messages + 4
        med, sig = float(OUTPUT[kind][0]), OUTPUT[kind][1]
        if kind == "translate":
            med = text_tokens * 1.25
        out = max(1, int(med * math.exp(rng.gauss(0, sig))))
        if model == "atlas-2-reasoner":
            out = int(out * rng.uniform(1.2, 2.5))
        out = min(out, max_tokens) if max_tokens > 0 else 0
        temp = acct.temperature if temperature == "acct" else temperature
        if stream is None:
            stream = c.interactive
        self.raw.append(
            [
                ts,
                acct,
                key or (acct.keys[0] if len(acct.keys) == 1 else rng.choice(acct.keys)),
                ip,
                provider,
                model,
                simhash(text),
                in_tok,
                out,
                max_tokens,
                temp,
                stream,
                n_messages,
                system_tokens > 0,
                c,
            ]
        )

    # ------------------------------------------------------------------ gateway pass

    def finalize(self) -> list[str]:
        rng = random.Random(f"outsider:{self.seed}:gateway")
        by_acct: dict[str, list[list]] = {}
        for r in self.raw:
            by_acct.setdefault(r[1].account_id, []).append(r)
        done: list[tuple[float, str, list]] = []
        for aid in sorted(by_acct):
            evs = by_acct[aid]
            evs.sort(key=lambda r: r[0])
            window: deque[float] = deque()
            rpm = evs[0][1].rpm
            for r in evs:
                ts = r[0]
                while window and window[0] <= ts - 60.0:
                    window.popleft()
                if len(window) >= rpm:
                    status = 429
                else:
                    window.append(ts)
                    status = self._status(rng, ts, r[7])
                r.append(status)
                done.append((round(ts, 3), aid, r))
        done.sort(key=lambda x: (x[0], x[1]))
        lines = []
        used: set[str] = set()
        for ts, _aid, r in done:
            eid = f"req_{rng.getrandbits(96):024x}"
            while eid in used:
                eid = f"req_{rng.getrandbits(96):024x}"
            used.add(eid)
            lines.append(self._line(rng, eid, ts, r))
        return lines

    def _status(self, rng: random.Random, ts: float, in_tok: int) -> int:
        for a, b, code, p in self.incidents:
            if a <= ts < b and rng.random() < p:
                return code
        x = rng.random()
        if in_tok > 190_000 or x < 0.0025:
            return 400
        if x < 0.0035:
            return rng.choice([500, 502, 503, 529, 529])
        if x < 0.0038:
            return 401
        if x < 0.0041:
            return 413 if in_tok > 20_000 else 400
        return 200

    def _line(self, rng: random.Random, eid: str, ts: float, r: list) -> str:
        (
            _t,
            acct,
            key,
            ip,
            provider,
            model,
            sh,
            in_tok,
            out,
            max_tokens,
            temp,
            stream,
            n_msg,
            has_sys,
            client,
            status,
        ) = r
        ttft, tps = MODELS[model]
        if status == 200:
            lat = (
                ttft * math.exp(rng.gauss(0, 0.3)) + in_tok * 0.012 + out / tps * 1000.0 * math.exp(rng.gauss(0, 0.12))
            )
        elif status == 429:
            out, lat = 0, rng.uniform(4, 40)
        elif status >= 500:
            out, lat = 0, rng.choice([rng.uniform(80, 900), rng.uniform(5000, 60000)])
        else:
            out, lat = 0, rng.uniform(8, 250)
        v6 = ":" in ip
        asn = None if rng.random() < (0.04 if v6 else 0.012) else net.PROVIDERS[provider][0]
        ua = client.user_agent if rng.random() >= 0.002 else None
        tls = client.tls if rng.random() >= 0.025 else None
        latency = None if rng.random() < 0.003 else round(lat, 1)
        ev = {
            "event_id": eid,
            "ts": ts,
            "account_id": acct.account_id,
            "api_key_id": key,
            "org_id": acct.org_id,
            "ip": ip,
            "asn": asn,
            "user_agent": ua,
            "tls_fingerprint": tls,
            "endpoint": client.endpoint,
            "model": model,
            "input_tokens": in_tok,
            "output_tokens": out,
            "max_tokens": max_tokens,
            "temperature": temp,
            "stream": stream,
            "n_messages": n_msg,
            "has_system_prompt": has_sys,
            "prompt_simhash": sh,
            "status": status,
            "latency_ms": latency,
        }
        return json.dumps(ev, separators=(",", ":"))

    # ------------------------------------------------------------------ files

    def write(self, out: Path, meta_extra: dict) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        lines = self.finalize()
        with open(out / "events.jsonl", "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line)
                f.write("\n")
        seen = {r[1].account_id for r in self.raw if self.t0 <= r[0] < self.t1}
        labels = {
            a.account_id: {"label": a.label, "scenario": a.scenario, "campaign": a.campaign}
            for a in self.accounts
            if a.account_id in seen
        }
        with open(out / "labels.json", "w", encoding="utf-8") as f:
            json.dump({"accounts": dict(sorted(labels.items()))}, f, indent=1, sort_keys=True)
            f.write("\n")
        per: dict[str, dict] = {}
        for a in self.accounts:
            if a.account_id in seen:
                d = per.setdefault(a.scenario, {"label": a.label, "accounts": 0, "events": 0, "campaigns": set()})
                d["accounts"] += 1
                if a.campaign:
                    d["campaigns"].add(a.campaign)
        for r in self.raw:
            per[r[1].scenario]["events"] += 1
        for d in per.values():
            d["campaigns"] = sorted(d["campaigns"])
        nulls = dict.fromkeys(("org_id", "asn", "user_agent", "tls_fingerprint", "temperature", "latency_ms"), 0)
        v6 = 0
        status: dict[str, int] = {}
        for line in lines:
            ev = json.loads(line)
            for k in nulls:
                if ev[k] is None:
                    nulls[k] += 1
            v6 += ":" in ev["ip"]
            status[str(ev["status"])] = status.get(str(ev["status"]), 0) + 1
        n = max(1, len(lines))
        atk_acc = sum(d["accounts"] for d in per.values() if d["label"] == "attack")
        atk_ev = sum(d["events"] for d in per.values() if d["label"] == "attack")
        meta = {
            "seed": self.seed,
            "hours": self.hours,
            "start": self.t0,
            "end": self.t1,
            "launch_ts": self.launch_ts,
            "launch_model": LAUNCH_MODEL,
            "incidents": [{"start": a, "end": b, "status": c, "share": p} for a, b, c, p in self.incidents],
            "accounts": len(labels),
            "events": len(lines),
            "attack_share_accounts": round(atk_acc / max(1, len(labels)), 4),
            "attack_share_events": round(atk_ev / n, 4),
            "scenarios": dict(sorted(per.items())),
            "null_rates": {k: round(v / n, 4) for k, v in nulls.items()},
            "ipv6_share": round(v6 / n, 4),
            "status_counts": dict(sorted(status.items())),
            **meta_extra,
        }
        with open(out / "meta.json", "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
        return meta
