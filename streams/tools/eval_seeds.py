"""``distillguard eval-seeds``: the evaluation over many simulated seeds, and ablations.

Tune on one set of seeds (``make tune``: 1-10), report on another (``make eval``: 1001-1010).
Each seed is simulated once (``distillguard simulate`` in a subprocess, cached in
``SIM_DIR/VARIANT-SEED-HOURS``), then replayed, enforced and scored in a worker process
(``models.evaluation``). Per scenario and overall: the median and the worst seed of each
measure, and whether the targets hold on the worst seed.

Output in ``--out``: ``seeds/N.json`` (each seed's metrics), ``summary.md``, ``summary.json``,
``harvest_vs_collateral.png``; with ``--ablation``, ``ablation.md`` and
``ablation/no-NAME/`` (the same files for each ablated configuration); with ``--analyst N``,
``analyst.md`` and ``analyst/{applied,learned}/``: the same seeds with a simulated analyst
(``lab.analyst``) giving N verdicts, once applied only (``verdict_model`` ablated) and once
applied and learned.
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import hashlib
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from distillguard.models.config import DetectorConfig


@dataclass(frozen=True)
class Measure:
    """One reported measure of a metrics block (``models.evaluation.summarize``)."""

    key: str
    label: str
    worst: Callable[[Sequence[float]], float]
    """``min`` when lower is worse, ``max`` when higher is worse."""
    fmt: Callable[[float], str]
    honest: bool
    """Measured on honest accounts: vacuous (skipped) in a block without any."""


def _frac_pct(v: float) -> str:
    return f"{100 * v:.1f} %"


MEASURES: tuple[Measure, ...] = (
    Measure("recall", "attack accounts acted on", min, _frac_pct, honest=False),
    Measure("harvest", "attack harvest", max, _frac_pct, honest=False),
    Measure("benign_accounts_actioned_pct", "honest accounts actioned", max, lambda v: f"{v:.2f} %", honest=True),
    Measure("benign_requests_rejected_pct", "honest requests refused", max, lambda v: f"{v:.3f} %", honest=True),
)
BY_KEY = {m.key: m for m in MEASURES}

TARGETS: tuple[tuple[str, str, float], ...] = (
    ("recall", ">=", 0.95),
    ("harvest", "<=", 0.15),
    ("benign_accounts_actioned_pct", "<=", 0.5),
    ("benign_requests_rejected_pct", "<=", 0.1),
)
"""Targets on the worst seed (recall and harvest are fractions; the honest measures percent)."""


# ---------------------------------------------------------------------------------------------
# Arguments


def parse_seeds(spec: str) -> list[int]:
    """Seeds from ``"1001-1010"`` (inclusive), ``"1,2,5"`` or a mix (``"1-3,7"``), in order, once each.

    >>> parse_seeds("1001-1003,7")
    [1001, 1002, 1003, 7]
    """
    seeds: list[int] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            raise ValueError(f"empty item in seed list {spec!r}")
        lo_s, sep, hi_s = part.partition("-")
        try:
            lo = int(lo_s)
            hi = int(hi_s) if sep else lo
        except ValueError:
            raise ValueError(f"{part!r} is not a seed or a range A-B of seeds") from None
        if lo < 0 or hi < lo:
            raise ValueError(f"bad seed range {part!r}")
        seeds += [s for s in range(lo, hi + 1) if s not in seeds]
    return seeds


def _seeds_arg(spec: str) -> list[int]:
    try:
        return parse_seeds(spec)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _names(spec: str | None) -> list[str]:
    return [n.strip() for n in (spec or "").split(",") if n.strip()]


def _ablatable() -> tuple[str, ...] | None:
    try:
        from distillguard.models.evidence import ABLATABLE  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return tuple(ABLATABLE)


# ---------------------------------------------------------------------------------------------
# Aggregation (pure: tested on hand-made metrics)


def _value(block: dict[str, Any], m: Measure) -> float | None:
    if m.honest and block.get("benign_accounts", 1) == 0:
        return None
    v = block.get(m.key)
    return None if v is None else float(v)


def _stat(values: list[tuple[int, float]], m: Measure) -> dict[str, Any] | None:
    """Median and worst of ``(seed, value)`` pairs; ties go to the first seed listed."""
    if not values:
        return None
    worst = m.worst([v for _, v in values])
    seed = next(s for s, v in values if v == worst)
    return {
        "median": round(statistics.median(v for _, v in values), 6),
        "worst": worst,
        "worst_seed": seed,
        "n": len(values),
    }


def _block_stats(blocks: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {"seeds": [s for s, _ in blocks]}
    for m in MEASURES:
        vals = [(s, v) for s, b in blocks if (v := _value(b, m)) is not None]
        out[m.key] = _stat(vals, m)
    return out


def check(value: float | None, op: str, threshold: float) -> bool:
    """Does ``value`` meet the target? A missing value never does."""
    if value is None:
        return False
    return value >= threshold if op == ">=" else value <= threshold


def aggregate(per_seed: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Median and worst seed per scenario and overall, per-seed rows, targets and static baselines.

    ``per_seed`` maps a seed to its metrics (``summarize``). A scenario absent from a seed, and a
    measure that is ``None`` (or honest-only in a block without honest accounts), are skipped for
    that seed.
    """
    seeds = sorted(per_seed)
    names = sorted({n for s in seeds for n in per_seed[s]["scenarios"]})
    scenarios = {
        n: _block_stats([(s, per_seed[s]["scenarios"][n]) for s in seeds if n in per_seed[s]["scenarios"]])
        for n in names
    }
    overall = _block_stats([(s, per_seed[s]["overall"]) for s in seeds])
    rows = []
    for s in seeds:
        o = per_seed[s]["overall"]
        row: dict[str, Any] = {"seed": s}
        row.update({m.key: o.get(m.key) for m in MEASURES})
        row.update({k: o.get(k) for k in ("attack_accounts", "benign_accounts", "events")})
        rows.append(row)
    targets = []
    for key, op, threshold in TARGETS:
        st = overall[key]
        worst = st["worst"] if st else None
        targets.append(
            {
                "measure": key,
                "label": BY_KEY[key].label,
                "op": op,
                "threshold": threshold,
                "worst": worst,
                "worst_seed": st["worst_seed"] if st else None,
                "pass": check(worst, op, threshold),
            }
        )
    static: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(k for s in seeds for k in per_seed[s].get("static", {})):
        hv = [v["harvest"] for s in seeds if (v := per_seed[s]["static"].get(name)) and v["harvest"] is not None]
        rj = [v["benign_requests_rejected_pct"] for s in seeds if (v := per_seed[s]["static"].get(name))]
        static[name] = {
            "harvest_median": round(statistics.median(hv), 6) if hv else None,
            "benign_requests_rejected_pct_median": round(statistics.median(rj), 6) if rj else None,
            "n": len(rj),
        }
    return {
        "seeds": seeds,
        "overall": overall,
        "scenarios": scenarios,
        "per_seed": rows,
        "targets": targets,
        "all_pass": all(t["pass"] for t in targets),
        "static": static,
    }


# ---------------------------------------------------------------------------------------------
# Rendering


def _fmt(m: Measure, v: float | None) -> str:
    return "–" if v is None else m.fmt(v)


def _op(op: str) -> str:
    return "≥" if op == ">=" else "≤"


def summary_markdown(agg: dict[str, Any], title: str) -> str:
    """The aggregate as Markdown tables, ready to paste into a README."""
    seeds = agg["seeds"]
    n = len(seeds)
    lines = [f"### {title}", ""]
    lines += ["| target (worst seed) | worst | seed | result |", "|---|---|---|---|"]
    for t in agg["targets"]:
        m = BY_KEY[t["measure"]]
        verdict = "**PASS**" if t["pass"] else "**FAIL**"
        lines.append(
            f"| {m.label} {_op(t['op'])} {m.fmt(t['threshold'])} | {_fmt(m, t['worst'])} | {'–' if t['worst_seed'] is None else t['worst_seed']} | {verdict} |"
        )
    lines += ["", "| measure (overall) | median | worst | worst seed |", "|---|---|---|---|"]
    for m in MEASURES:
        st = agg["overall"][m.key]
        if st is None:
            lines.append(f"| {m.label} | – | – | – |")
        else:
            lines.append(f"| {m.label} | {m.fmt(st['median'])} | {m.fmt(st['worst'])} | {st['worst_seed']} |")
    head = "| scenario | seeds | " + " | ".join(f"{m.label} median | worst" for m in MEASURES) + " |"
    lines += ["", head, "|---|---|" + "---|---|" * len(MEASURES)]
    blocks = [*agg["scenarios"].items(), ("**overall**", agg["overall"])]
    for name, b in blocks:
        cells = []
        for m in MEASURES:
            st = b[m.key]
            cells += ["–", "–"] if st is None else [m.fmt(st["median"]), m.fmt(st["worst"])]
        lines.append(f"| {name} | {len(b['seeds'])}/{n} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| seed | attack accounts | honest accounts | events | " + " | ".join(m.label for m in MEASURES) + " |",
        "|---|---|---|---|" + "---|" * len(MEASURES),
    ]
    for r in agg["per_seed"]:
        ev = "–" if r.get("events") is None else f"{r['events']:,}"
        lines.append(
            f"| {r['seed']} | {r.get('attack_accounts', '–')} | {r.get('benign_accounts', '–')} | {ev} | "
            + " | ".join(_fmt(m, r[m.key]) for m in MEASURES)
            + " |"
        )
    lines += [
        "",
        "| enforcement (median over seeds) | attack harvest | honest requests refused |",
        "|---|---|---|",
    ]
    o = agg["overall"]
    h, r = BY_KEY["harvest"], BY_KEY["benign_requests_rejected_pct"]
    if o["harvest"] and o["benign_requests_rejected_pct"]:
        lines.append(
            f"| **distillguard** | {h.fmt(o['harvest']['median'])} | {r.fmt(o['benign_requests_rejected_pct']['median'])} |"
        )
    for name, s in agg["static"].items():
        lines.append(
            f"| {name} | {_fmt(h, s['harvest_median'])} | {_fmt(r, s['benign_requests_rejected_pct_median'])} |"
        )
    return "\n".join(lines) + "\n"


def one_line(agg: dict[str, Any]) -> str:
    """The machine-readable summary line."""

    def part(which: str) -> str:
        o = agg["overall"]

        def g(key: str, fmt: str) -> str:
            st = o[key]
            return "nan" if st is None else format(st[which], fmt)

        return (
            f"recall={g('recall', '.3f')} harvest={g('harvest', '.3f')} "
            f"honest_accounts={g('benign_accounts_actioned_pct', '.3f')}% "
            f"honest_requests={g('benign_requests_rejected_pct', '.4f')}%"
        )

    passed = sum(t["pass"] for t in agg["targets"])
    verdict = "PASS" if agg["all_pass"] else "FAIL"
    return (
        f"eval-seeds: worst {part('worst')} median {part('median')} "
        f"targets={verdict} ({passed}/{len(agg['targets'])}) seeds={len(agg['seeds'])}"
    )


def ablation_markdown(rows: list[tuple[str, dict[str, Any]]], note: str, title: str = "Ablation") -> str:
    """One row per configuration: worst-seed and median overall measures, targets met."""
    head = "| configuration | " + " | ".join(f"{m.label} worst | median" for m in MEASURES) + " | targets met |"
    lines = [f"### {title}: {note}", "", head, "|---|" + "---|---|" * len(MEASURES) + "---|"]
    for label, agg in rows:
        cells = []
        for m in MEASURES:
            st = agg["overall"][m.key]
            cells += ["–", "–"] if st is None else [m.fmt(st["worst"]), m.fmt(st["median"])]
        met = sum(t["pass"] for t in agg["targets"])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {met}/{len(agg['targets'])} |")
    return "\n".join(lines) + "\n"


def plot_tradeoff(agg: dict[str, Any], per_seed: dict[int, dict[str, Any]], path: Path) -> None:
    """Harvest against honest requests refused: each seed, the static baselines, the target box."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(8, 5))
    ax.add_patch(
        Rectangle(
            (0, 0),
            0.1,
            15,
            facecolor="tab:green",
            alpha=0.15,
            edgecolor="tab:green",
            ls="--",
            label="target: ≤ 0.1 % refused, ≤ 15 % harvest",
        )
    )
    for per, marker in (("account", "o"), ("ip_cluster", "s")):
        pts = sorted(
            (
                (v["benign_requests_rejected_pct_median"], 100 * v["harvest_median"], k)
                for k, v in agg["static"].items()
                if k.endswith(f"/{per}") and v["harvest_median"] is not None
            ),
            key=lambda p: int(p[2].split()[1]),
        )
        if not pts:
            continue
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, ls="--", alpha=0.7, label=f"static per {per}")
        for x, y, k in pts:
            ax.annotate(f"{k.split()[1]} rpm", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    xs = [per_seed[s]["overall"]["benign_requests_rejected_pct"] for s in agg["seeds"]]
    ys = [100 * (per_seed[s]["overall"]["harvest"] or 0.0) for s in agg["seeds"]]
    ax.scatter(xs, ys, s=30, c="crimson", alpha=0.8, zorder=6, label=f"distillguard, one point per seed (n={len(xs)})")
    o = agg["overall"]
    if o["harvest"] and o["benign_requests_rejected_pct"]:
        ax.scatter(
            [o["benign_requests_rejected_pct"]["median"]],
            [100 * o["harvest"]["median"]],
            s=260,
            marker="*",
            c="gold",
            edgecolors="black",
            zorder=5,
            label="distillguard, median",
        )
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlim(left=-0.003, right=150)
    ax.set_ylim(-2, 105)
    ax.set_xlabel("honest requests refused (%)")
    ax.set_ylabel("attack requests served (harvest, %)")
    ax.set_title(f"Harvest against honest collateral, {len(xs)} seeds (baselines: median)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# Running


class SimulationError(RuntimeError):
    """``distillguard simulate`` failed."""


def sim_dir(root: Path, variant: str, seed: int, hours: float) -> Path:
    """The cache directory of one simulation."""
    return root / f"{variant}-{seed}-{hours:g}"


LAB = Path(__file__).resolve().parents[2] / "lab"
STAMP = "generator.sha256"
"""A cached simulation's stamp: the digest of the generator's sources that wrote it."""


@cache
def generator_digest(variant: str) -> str:
    """Digest of the sources of the generator behind ``variant`` (``lab/independent``,
    ``lab/outsider`` or ``lab/traffic``): a cached simulation written by other sources is stale."""
    src = LAB / (variant if variant in ("independent", "outsider") else "traffic")
    h = hashlib.sha256()
    for f in sorted(src.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _cached(d: Path, variant: str) -> bool:
    if not ((d / "events.jsonl").is_file() and (d / "labels.json").is_file()):
        return False
    stamp = d / STAMP
    return stamp.is_file() and stamp.read_text().strip() == generator_digest(variant)


def ensure_simulation(root: Path, variant: str, seed: int, hours: float) -> Path:
    """Simulate once into ``root/VARIANT-SEED-HOURS`` (written aside, then renamed: never half);
    simulated again when the generator's sources changed since (:func:`generator_digest`)."""
    d = sim_dir(root, variant, seed, hours)
    if _cached(d, variant):
        return d
    root.mkdir(parents=True, exist_ok=True)
    with (root / f".{d.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one simulation per directory, across workers and runs
        if _cached(d, variant):
            return d
        for stale in root.glob(f".{d.name}.tmp-*"):  # left by an interrupted run
            shutil.rmtree(stale, ignore_errors=True)
        tmp = root / f".{d.name}.tmp-{os.getpid()}"
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "distillguard.streams.cli", "simulate", "--variant", variant]
        cmd += ["--seed", str(seed), "--hours", f"{hours:g}", "--out", str(tmp), "--quiet"]
        p = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if p.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            out = (p.stderr or p.stdout).strip().splitlines()
            tail = " | ".join([ln for ln in out if "error" in ln.lower()][-3:] or out[-3:])
            raise SimulationError(f"simulate --variant {variant} --seed {seed} exited {p.returncode}: {tail}")
        (tmp / STAMP).write_text(generator_digest(variant) + "\n")
        shutil.rmtree(d, ignore_errors=True)  # a partial or stale directory
        tmp.rename(d)
        _log(f"simulated seed {seed} in {time.perf_counter() - t0:.0f}s: {p.stdout.strip().replace(str(tmp), str(d))}")
    return d


@dataclass(frozen=True)
class Task:
    """One (configuration, seed) evaluation, run in a worker process."""

    config: str
    cfg: DetectorConfig
    seed: int
    variant: str
    hours: float
    sim_root: Path
    out: Path
    analyst: int = 0
    """Verdicts the simulated analyst gives (0: no analyst)."""


def run_task(task: Task) -> tuple[str, int, dict[str, Any], float]:
    """Simulate (cached), evaluate and summarise one seed; write its metrics to ``out/seeds/N.json``."""
    from distillguard.lab.evaluation import evaluate, summarize

    d = ensure_simulation(task.sim_root, task.variant, task.seed, task.hours)
    labels = orjson.loads((d / "labels.json").read_bytes())["accounts"]
    t0 = time.perf_counter()
    analyst = None
    if task.analyst:
        from distillguard.lab.analyst import SimulatedAnalyst

        analyst = SimulatedAnalyst({a: v["label"] for a, v in labels.items()}, task.analyst)
    with (d / "events.jsonl").open("rb") as fh:
        res = evaluate(fh, task.cfg, analyst=analyst)
    m = summarize(res, labels)
    if analyst is not None:
        m["analyst"] = {
            "verdicts": len(analyst.judged),
            "released": sum(v == "release" for v in analyst.judged.values()),
        }
    m["run"] = {
        "seed": task.seed,
        "variant": task.variant,
        "hours": task.hours,
        "config": task.config,
        "ablate": sorted(task.cfg.ablate),
        "analyst": task.analyst,
        "sim": str(d),
    }
    (task.out / "seeds").mkdir(parents=True, exist_ok=True)
    (task.out / "seeds" / f"{task.seed}.json").write_bytes(orjson.dumps(m, option=orjson.OPT_INDENT_2))
    return task.config, task.seed, m, time.perf_counter() - t0


def _log(msg: str) -> None:
    print(f"eval-seeds: {msg}", file=sys.stderr, flush=True)


def _seed_line(o: dict[str, Any]) -> str:
    def f(v: float | None, fmt: str) -> str:
        return "nan" if v is None else format(v, fmt)

    return (
        f"recall={f(o['recall'], '.3f')} harvest={f(o['harvest'], '.3f')} "
        f"honest_accounts={f(o['benign_accounts_actioned_pct'], '.3f')}% "
        f"honest_requests={f(o['benign_requests_rejected_pct'], '.4f')}% events={o['events']:,}"
    )


def _write(out: Path, agg: dict[str, Any], per_seed: dict[int, dict[str, Any]], md: str, plot: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.md").write_text(md)
    (out / "summary.json").write_bytes(orjson.dumps(agg, option=orjson.OPT_INDENT_2))
    if plot:
        plot_tradeoff(agg, per_seed, out / "harvest_vs_collateral.png")


def run(args: argparse.Namespace) -> int:
    """Simulate and evaluate every seed (and every ablation), aggregate, write and print."""
    from distillguard.streams.settings import Settings

    if args.jobs < 1:
        _log("--jobs must be at least 1")
        return 2
    known = _ablatable()
    base_names = _names(args.ablate)
    ablation = None if args.ablation is None else _names(args.ablation)
    if ablation == []:
        if known is None:
            _log(
                "--ablation without names needs distillguard.models.evidence.ABLATABLE, which does not exist "
                "(yet); give the names: --ablation NAME,NAME"
            )
            return 2
        # The verdict model learns from analysts' verdicts: without an analyst it has nothing to remove.
        ablation = [n for n in known if n != "verdict_model" or args.analyst]
    asked = base_names + (ablation or [])
    if known is None and asked:
        _log("distillguard.models.evidence.ABLATABLE not found: ablation names are not checked")
    elif known is not None and (bad := [n for n in asked if n not in known]):
        _log(f"unknown ablation name(s) {', '.join(bad)}; known: {', '.join(known)}")
        return 2

    base = Settings.from_env().detector
    if base_names:
        base = dataclasses.replace(base, ablate=frozenset(base_names))
    base_label = "full" if not base_names else "- " + ", ".join(base_names)
    configs: list[tuple[str, DetectorConfig, Path, int]] = [(base_label, base, args.out, 0)]
    for name in ablation or []:
        cfg = dataclasses.replace(base, ablate=base.ablate | {name})
        configs.append((f"- {name}", cfg, args.out / "ablation" / f"no-{name}", 0))
    if args.analyst:
        n = args.analyst
        unlearned = dataclasses.replace(base, ablate=base.ablate | {"verdict_model"})
        configs.append((f"+ {n} verdicts, applied only", unlearned, args.out / "analyst" / "applied", n))
        configs.append((f"+ {n} verdicts, applied and learned", base, args.out / "analyst" / "learned", n))
    # Configuration-major order: the first pass simulates every seed, later passes reuse them.
    tasks = [
        Task(label, cfg, seed, args.variant, args.hours, args.sim_dir, out, n)
        for label, cfg, out, n in configs
        for seed in args.seeds
    ]
    _log(
        f"{len(args.seeds)} seeds x {len(configs)} configuration(s), variant={args.variant} hours={args.hours:g} "
        f"jobs={args.jobs} sims in {args.sim_dir}"
    )
    results: dict[str, dict[int, dict[str, Any]]] = {label: {} for label, *_ in configs}
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    try:
        with ctx.Pool(min(args.jobs, len(tasks))) as pool:
            for i, (label, seed, m, secs) in enumerate(pool.imap_unordered(run_task, tasks), 1):
                results[label][seed] = m
                _log(f"[{i}/{len(tasks)}] {label} seed {seed}: {_seed_line(m['overall'])} ({secs:.0f}s)")
    except SimulationError as e:
        _log(f"simulation failed: {e}")
        return 2
    _log(f"all done in {time.perf_counter() - t0:.0f}s")

    seeds_txt = (
        f"seeds {args.seeds[0]}-{args.seeds[-1]}"
        if _is_range(args.seeds)
        else "seeds " + ",".join(map(str, args.seeds))
    )
    aggs: list[tuple[str, dict[str, Any]]] = []
    mds: list[str] = []
    for label, _, out, _ in configs:
        agg = aggregate(results[label])
        agg["run"] = {"variant": args.variant, "hours": args.hours, "config": label}
        title = f"distillguard ({label}), variant {args.variant}, {args.hours:g} h, {seeds_txt} ({len(args.seeds)})"
        mds.append(summary_markdown(agg, title))
        _write(out, agg, results[label], mds[-1], plot=not args.no_plot)
        aggs.append((label, agg))
    print(mds[0])
    if ablation:
        rows = [(label, agg) for label, agg in aggs if not label.startswith("+")]
        abl = ablation_markdown(rows, f"variant {args.variant}, {args.hours:g} h, {seeds_txt}")
        (args.out / "ablation.md").write_text(abl)
        print(abl)
    if args.analyst:
        rows = [aggs[0]] + [(label, agg) for label, agg in aggs if label.startswith("+")]
        note = f"simulated analyst, variant {args.variant}, {args.hours:g} h, {seeds_txt}"
        table = ablation_markdown(rows, note, "Verdicts")
        (args.out / "analyst.md").write_text(table)
        print(table)
    print(one_line(aggs[0][1]))
    return 0


def _is_range(seeds: list[int]) -> bool:
    return len(seeds) > 1 and seeds == list(range(seeds[0], seeds[0] + len(seeds)))


def add_parser(sub: Any) -> None:
    """Register ``eval-seeds`` on the ``distillguard`` subparsers."""
    p = sub.add_parser("eval-seeds", help="evaluate over many seeds: median, worst seed, targets; ablations")
    p.add_argument("--seeds", type=_seeds_arg, required=True, help="e.g. 1001-1010 or 1,2,5")
    p.add_argument("--variant", default="random", help="simulator variant (passed to simulate --variant)")
    p.add_argument("--hours", type=float, default=6.0)
    p.add_argument("--out", type=Path, default=Path("out/eval"))
    p.add_argument("--sim-dir", type=Path, default=Path("out/sim"), help="simulation cache (VARIANT-SEED-HOURS)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes")
    p.add_argument("--ablate", metavar="NAME,NAME", help="switch this evidence off in every run")
    p.add_argument(
        "--ablation",
        nargs="?",
        const="",
        metavar="NAME,NAME",
        help="also one run per name with it ablated (no names: models.evidence.ABLATABLE)",
    )
    p.add_argument(
        "--analyst",
        type=int,
        default=0,
        metavar="N",
        help="also run with a simulated analyst giving N verdicts, applied only and applied and learned",
    )
    p.add_argument("--no-plot", action="store_true")
    p.set_defaults(func=run)
