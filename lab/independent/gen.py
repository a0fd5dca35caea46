"""Independent labelled traffic generator for a distillation-abuse detector.

python -m distillguard.lab.independent --seed N --hours 6 --out DIR   ->  DIR/events.jsonl, DIR/labels.json, DIR/meta.json
"""

# Printf-style formatting is kept verbatim from the generator as first written so that its output stays byte-identical
# (e.g. %d truncates floats where a {:d} format spec would raise).
# ruff: noqa: UP031
import argparse
import json
import os
import random
import sys
import time
from typing import Any

from . import attacks, honest
from .core import Ctx
from .infra import Nets

EPOCH = 1767225600
REQUIRED = [
    "event_id",
    "ts",
    "account_id",
    "api_key_id",
    "ip",
    "model",
    "input_tokens",
    "output_tokens",
    "max_tokens",
    "n_messages",
    "prompt_simhash",
    "status",
]

# per-account request ranges for the many-account archetypes (natural, not elastic)
NATURAL_PER_ACC = {
    "hydra": (3, 25),
    "slow_low": (5, 20),
    "chat_mimic": (8, 40),
    "human_mimic": (8, 40),
    "multi_org": (10, 60),
    "paraphrase": (10, 80),
}
ELASTIC = ["blunt", "resi_rotation", "saas_disguise", "benchmark_cot", "agent_trajectory", "key_rotation"]


def pick_campaigns(rng):
    names = list(attacks.ARCHETYPES)
    k = rng.randint(3, 7)
    picks = []
    while len(picks) < k:
        cand = [n for n in names if n not in picks]
        w = [attacks.ARCHETYPES[n][2] for n in cand]
        picks.append(rng.choices(cand, weights=w)[0])
    if not any(p in ELASTIC for p in picks):
        picks[rng.randrange(len(picks))] = rng.choice(ELASTIC)
    if rng.random() < 0.25 and "hydra" in picks:  # a second, independent hydra
        picks.append("hydra")
    return picks


def generate(seed, hours, verbose=True):
    rng = random.Random(seed)
    t0 = EPOCH + rng.uniform(0, 7 * 86400)
    t1 = t0 + hours * 3600
    scale = hours / 6.0
    c = Ctx(rng, Nets(rng), t0, t1, seed)
    n_acc = rng.randint(1500, 2500)
    e_target = rng.uniform(150_000, 350_000) * scale
    att_acc = int(n_acc * rng.uniform(0.15, 0.30))
    att_ev = e_target * rng.uniform(0.10, 0.40)
    meta = {"seed": seed, "t0": t0, "hours": hours, "target_accounts": n_acc, "target_events": int(e_target)}

    # ---------------- attacks ----------------
    picks = pick_campaigns(rng)
    many = [p for p in picks if attacks.ARCHETYPES[p][1]]
    w = {i: rng.uniform(0.5, 2.0) for i, p in enumerate(picks) if p in many}
    tw = sum(w.values()) or 1
    campaigns = []
    done_ev = 0
    for i, p in enumerate(picks):  # natural campaigns first
        if p in ELASTIC:
            continue
        na = max(10, int(att_acc * w[i] / tw)) if p in many else 5
        lo, hi = NATURAL_PER_ACC.get(p, (5, 30))
        ev = na * rng.uniform(lo, hi) * scale
        cid = "camp-%08x" % rng.getrandbits(32)
        before = len(c.events)
        made = attacks.ARCHETYPES[p][0](c, cid, na, ev)
        done_ev += len(c.events) - before
        campaigns.append({"campaign": cid, "archetype": p, "accounts": made, "events": len(c.events) - before})
    el = [(i, p) for i, p in enumerate(picks) if p in ELASTIC]
    rem = max(att_ev - done_ev, 1500 * scale * len(el))
    ew = [rng.uniform(0.5, 2.0) for _ in el]
    for (_i, p), wi in zip(el, ew, strict=True):
        ev = rem * wi / sum(ew)
        na = max(10, int(att_acc * rng.uniform(0.05, 0.15))) if p == "resi_rotation" else 5
        cid = "camp-%08x" % rng.getrandbits(32)
        before = len(c.events)
        made = attacks.ARCHETYPES[p][0](c, cid, na, ev)
        campaigns.append({"campaign": cid, "archetype": p, "accounts": made, "events": len(c.events) - before})
    n_att_acc = len(c.labels)
    n_att_ev = len(c.events)

    # ---------------- honest ----------------
    hn = max(800, n_acc - n_att_acc)
    used = 0

    def cnt(lo, hi):
        nonlocal used
        k = int(hn * rng.uniform(lo, hi))
        used += k
        return k

    honest.chat_user(c, cnt(0.02, 0.05), scenario="heavy_chat", heavy=True)
    honest.writer(c, cnt(0.04, 0.10))
    honest.student(c, cnt(0.03, 0.08))
    honest.coding_agent(c, cnt(0.02, 0.05))
    honest.hobby_dev(c, cnt(0.03, 0.08))
    honest.vpn_user(c, cnt(0.02, 0.05))
    k = rng.randint(6, 20)
    used += k
    honest.eval_harness(c, k)
    k = rng.randint(2, 6)
    used += k
    honest.labeler(c, k)
    k = rng.randint(1, 4)
    used += k
    honest.retry_storm(c, k)
    n_orgs = rng.randint(2, 6)
    per_org = [rng.randint(3, 15) for _ in range(n_orgs)]
    used += sum(per_org)
    honest.company_org(c, n_orgs, per_org)
    n_sh = rng.randint(1, 3)
    per_sh = [rng.randint(3, 10) for _ in range(n_sh)]
    used += sum(per_sh)
    honest.sharded_product(c, n_sh, per_sh)
    if rng.random() < 0.8:
        ncl = rng.randint(1, 4)
        per_cl = [rng.randint(15, 60) for _ in range(ncl)]
        used += sum(per_cl)
        honest.classroom(c, ncl, per_cl)
    if rng.random() < 0.6:
        k = rng.randint(80, 300)
        used += k
        s = rng.uniform(t0, t1 - 7200 * scale)
        honest.launch_burst(c, k, s, rng.uniform(1800, 7200) * scale)
    elastic = [
        ("saas_backend", honest.saas_backend, rng.randint(2, 6), 3.0),
        ("product_desc", honest.product_desc, rng.randint(2, 8), 1.0),
        ("pipeline", honest.pipeline, rng.randint(2, 8), 1.0),
        ("support_bot", honest.support_bot, rng.randint(2, 8), 1.0),
        ("autonomous_agent", honest.autonomous_agent, rng.randint(3, 12), 0.3),
        ("enterprise_batch", honest.enterprise_batch, rng.randint(1, 4) if rng.random() < 0.7 else 0, 1.5),
        ("edu_saas", honest.edu_saas, rng.randint(0, 2), 1.0),
    ]
    used += sum(e[2] for e in elastic)
    honest.chat_user(c, max(100, hn - used))  # ordinary chat users fill the rest
    rem = max(0, e_target - len(c.events))
    tot_w = sum(n * wt for _, _, n, wt in elastic) or 1
    for _name, fn, n, wt in elastic:
        if n:
            fn(c, n, [rem * wt / tot_w * rng.uniform(0.5, 1.5) for _ in range(n)])

    # ---------------- finish ----------------
    c.events.sort(key=lambda e: e["ts"])
    ids = set()
    for e in c.events:
        while True:
            x = "req_%024x" % rng.getrandbits(96)
            if x not in ids:
                ids.add(x)
                break
        e["event_id"] = x
    meta.update(
        {
            "accounts": len(c.labels),
            "events": len(c.events),
            "attack_accounts": n_att_acc,
            "attack_events": n_att_ev,
            "campaigns": campaigns,
        }
    )
    # drop labels of accounts that never made a request inside the window
    seen = {e["account_id"] for e in c.events}
    labels = {k: v for k, v in c.labels.items() if k in seen}
    return c.events, labels, meta


def validate(events, labels):
    errs = []
    prev = -1
    seen = set()
    for e in events:
        for f in REQUIRED:
            if e.get(f) is None:
                errs.append("missing %s" % f)
        if e["ts"] < prev:
            errs.append("unsorted")
        prev = e["ts"]
        if e["event_id"] in seen:
            errs.append("dup id")
        seen.add(e["event_id"])
        if e["account_id"] not in labels:
            errs.append("unlabelled account")
        if not (e["output_tokens"] <= e["max_tokens"] and e["n_messages"] >= 1 and 100 <= e["status"] <= 599):
            errs.append("bad numbers %s" % e)
        if len(e["prompt_simhash"]) != 16 or any(ch not in "0123456789abcdef" for ch in e["prompt_simhash"]):
            errs.append("bad simhash")
        for f in ("input_tokens", "output_tokens", "max_tokens", "n_messages", "status"):
            if not isinstance(e[f], int) or e[f] < 0:
                errs.append("bad %s" % f)
        if len(errs) > 20:
            break
    return errs


def main(argv: list[str] | None = None) -> None:
    """Generate one seed's ``events.jsonl``, ``labels.json`` and ``meta.json`` into ``--out``."""
    ap = argparse.ArgumentParser(prog="distillguard-independent")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    st = time.time()
    events, labels, meta = generate(args.seed, args.hours)
    errs = validate(events, labels)
    if errs:
        print("VALIDATION ERRORS:", errs[:10], file=sys.stderr)
        sys.exit(1)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "events.jsonl"), "w") as f:
        for e in events:
            f.write(json.dumps(e, separators=(",", ":")) + "\n")
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump({"accounts": labels}, f, indent=0)
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    if not args.quiet:
        per: dict[tuple[str, str], list[Any]] = {}
        for e in events:
            lab = labels[e["account_id"]]
            k = (lab["label"], lab["scenario"])
            per.setdefault(k, [set(), 0])
            per[k][0].add(e["account_id"])
            per[k][1] += 1
        print(
            "seed %d: %d accounts, %d events, %.1fs, start %s"
            % (
                args.seed,
                len(labels),
                len(events),
                time.time() - st,
                time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(meta["t0"])),
            )
        )
        na = sum(len(v[0]) for k, v in per.items() if k[0] == "attack")
        ne = sum(v[1] for k, v in per.items() if k[0] == "attack")
        print(
            "attack: %d accounts (%.1f%%), %d events (%.1f%%)"
            % (na, 100 * na / len(labels), ne, 100 * ne / len(events))
        )
        for k in sorted(per):
            print("  %-7s %-30s accounts %5d  events %7d" % (k[0], k[1], len(per[k][0]), per[k][1]))
        for cpg in meta["campaigns"]:
            print(
                "  campaign %s %-18s accounts %4d events %6d"
                % (cpg["campaign"], cpg["archetype"], cpg["accounts"], cpg["events"])
            )


if __name__ == "__main__":
    main()
