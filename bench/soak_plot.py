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


def plot(report: dict[str, Any], out: Path) -> None:
    """Lag (s) and worker RSS (MB) against time, with the restart marked."""
    rows = [s for s in report["samples"] if "lag_s" in s and s.get("lag_s") is not None]
    restarts = [s["t"] for s in report["samples"] if s.get("event")]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    t = [r["t"] / 60 for r in rows]
    ax1.plot(t, [r["lag_s"] for r in rows], lw=1.2)
    ax1.set_ylabel("lag (s)")
    ax1.set_yscale("symlog", linthresh=0.1)
    ax2.plot(t, [r["rss_mb"] for r in rows], lw=1.2, color="tab:green")
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
