"""The evaluation's PNG plots (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from distillguard.lab.evaluation import EvalResult


def plot_all(
    m: dict[str, Any],
    res: EvalResult,
    labels: dict[str, dict[str, str]],
    focus: str | None,
    timeline: list[dict[str, float]],
    actions: list[dict[str, Any]],
    out: Path,
) -> None:
    """detection_delay.png, harvest_vs_collateral.png and timeline.png in ``out``."""
    _delay(res, labels, out / "detection_delay.png")
    _tradeoff(m, out / "harvest_vs_collateral.png")
    if focus and timeline:
        _timeline(focus, labels[focus]["scenario"], timeline, actions, out / "timeline.png")


def _delay(res: EvalResult, labels: dict[str, dict[str, str]], path: Path) -> None:
    per: dict[str, list[int]] = {}
    for acct, t in res.tallies.items():
        lab = labels.get(acct)
        if lab and lab["label"] == "attack" and t.actioned_at is not None:
            per.setdefault(lab["scenario"], []).append(t.actioned_at)
    fig, ax = plt.subplots(figsize=(7, 4))
    names = sorted(per)
    ax.boxplot([per[n] for n in names], tick_labels=names, vert=True)
    ax.set_ylabel("requests before first action")
    ax.set_title("Detection delay per campaign")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _tradeoff(m: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for per, marker in (("account", "o"), ("ip_cluster", "s")):
        pts = [(v["benign_requests_rejected_pct"], 100 * v["harvest"], k) for k, v in m["static"].items() if per in k]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, ls="--", label=f"static per {per}")
        for x, y, k in pts:
            ax.annotate(k.split()[1], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    o = m["overall"]
    ax.scatter(
        [o["benign_requests_rejected_pct"]], [100 * o["harvest"]], s=120, c="crimson", zorder=5, label="distillguard"
    )
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlabel("honest requests rejected (%)")
    ax.set_ylabel("attack requests served (harvest, %)")
    ax.set_title("Harvest against honest collateral")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _timeline(acct: str, scenario: str, tl: list[dict[str, float]], acts: list[dict[str, Any]], path: Path) -> None:
    t0 = tl[0]["ts"]
    hours = [(p["ts"] - t0) / 3600 for p in tl]
    fig, ax1 = plt.subplots(figsize=(8, 4))
    ax1.plot(hours, [p["rpm"] for p in tl], color="tab:blue", lw=1, label="requests/min")
    ax1.set_xlabel("hours since first evaluation")
    ax1.set_ylabel("requests/min", color="tab:blue")
    ax2 = ax1.twinx()
    ax2.plot(hours, [p["score"] for p in tl], color="tab:red", lw=1.2, label="score")
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel("score", color="tab:red")
    colors = {"throttle": "orange", "block": "black", "allow": "green"}
    for d in acts:
        ax2.axvline((d["ts"] - t0) / 3600, color=colors[d["action"]], ls=":", lw=1.5)
        ax2.text((d["ts"] - t0) / 3600, 1.0, d["action"], rotation=90, fontsize=7, va="top")
    ax1.set_title(f"{scenario} account {acct}: rate, score and actions")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
