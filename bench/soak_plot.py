"""The soak's lag and memory over time as a PNG: ``python -m bench.soak_plot [bench/soak.json]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import matplotlib
import orjson

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]


def behind_s(report: dict[str, Any]) -> list[tuple[float, float]]:
    """``(minute, seconds of input not yet processed)`` per sample, across the restart.

    The restarted worker counts from zero again, from about where the first one stopped, so
    its count is added to what the first one had processed when it was killed: everything
    produced by then, if it was keeping up (lag under a second), else its last count.
    """
    base = last = 0
    lag = 0.0
    out = []
    for s in report["samples"]:
        if s.get("event"):
            base = round(report["rate"] * s["t"]) if lag < 1.0 else last
            continue
        lag = s.get("lag_s") or 0.0
        done = base + (s.get("worker_events") or 0)
        last = done if s.get("worker_events") else last
        out.append((s["t"] / 60, max(0.0, (s["produced"] - done) / report["rate"])))
    return out


def plot(report: dict[str, Any], out: Path) -> None:
    """Input not yet processed (s) and worker RSS (MB) against time, with the restart marked."""
    rows = [s for s in report["samples"] if "rss_mb" in s]
    restarts = [s["t"] for s in report["samples"] if s.get("event")]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    behind = behind_s(report)
    ax1.plot([t for t, _ in behind], [b for _, b in behind], lw=1.2)
    ax1.set_ylabel("behind the input (s)")
    ax1.set_yscale("symlog", linthresh=1.0)
    ax2.plot([r["t"] / 60 for r in rows], [r["rss_mb"] for r in rows], lw=1.2, color="tab:green")
    ax2.set_ylabel("worker RSS (MB)")
    ax2.set_xlabel("minutes")
    for ax in (ax1, ax2):
        for r in restarts:
            ax.axvline(r / 60, color="tab:red", ls="--", lw=1)
        ax.grid(alpha=0.3)
    ax1.set_title(
        f"soak: {report['rate']:.0f} events/s for {report['minutes']:.0f} min, SIGKILL + restart (red); "
        f"{report['pairs_in_replay_not_on_topic']} of {report['pairs_in_replay']} (subject, action) lost"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "soak.json"
    plot(orjson.loads(src.read_bytes()), ROOT / "docs" / "soak.png")
    print(f"wrote {ROOT / 'docs' / 'soak.png'}")
