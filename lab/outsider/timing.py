"""Timing styles: human diurnal curves, sessions, machine-regular loops, batch jobs."""

from __future__ import annotations

import bisect
import math
import random

# relative activity per local hour
HUMAN = [
    0.15,
    0.09,
    0.06,
    0.04,
    0.04,
    0.06,
    0.14,
    0.32,
    0.58,
    0.82,
    0.97,
    1.0,
    0.88,
    0.93,
    1.0,
    0.98,
    0.93,
    0.84,
    0.74,
    0.78,
    0.85,
    0.8,
    0.6,
    0.33,
]
OFFICE = [
    0.03,
    0.02,
    0.02,
    0.02,
    0.02,
    0.03,
    0.06,
    0.2,
    0.62,
    0.95,
    1.0,
    0.98,
    0.7,
    0.9,
    1.0,
    0.97,
    0.88,
    0.6,
    0.3,
    0.16,
    0.12,
    0.09,
    0.06,
    0.04,
]
EVENING = [
    0.2,
    0.1,
    0.05,
    0.03,
    0.03,
    0.04,
    0.1,
    0.25,
    0.3,
    0.3,
    0.3,
    0.35,
    0.4,
    0.45,
    0.55,
    0.75,
    0.9,
    0.95,
    0.9,
    1.0,
    1.0,
    0.9,
    0.7,
    0.4,
]
FLAT = [1.0] * 24
CURVES = {"human": HUMAN, "office": OFFICE, "evening": EVENING, "flat": FLAT}

TZ_MIX = [-8, -7, -6, -5, -5, -5, -3, 0, 0, 1, 1, 1, 2, 3, 5.5, 5.5, 8, 8, 9, 10]


def local_hour(ts: float, tz: float) -> float:
    return ((ts / 3600.0) + tz) % 24.0


def weekday(ts: float, tz: float) -> int:
    """0 = Monday."""
    return int(((ts + tz * 3600) // 86400 + 3) % 7)


def curve_at(curve: list[float], ts: float, tz: float, weekend_factor: float = 1.0) -> float:
    h = local_hour(ts, tz)
    i = int(h)
    f = h - i
    w = curve[i] * (1 - f) + curve[(i + 1) % 24] * f
    if weekend_factor != 1.0 and weekday(ts, tz) >= 5:
        w *= weekend_factor
    return w


class Bins:
    """Piecewise-constant intensity over [t0, t1) for fast sampling."""

    def __init__(
        self, t0: float, t1: float, tzs: list[float], curve: str, weekend_factor: float = 1.0, bin_s: float = 300.0
    ):
        self.t0, self.t1, self.bin_s = t0, t1, bin_s
        n = max(1, math.ceil((t1 - t0) / bin_s))
        c = CURVES[curve]
        self.w = [
            sum(curve_at(c, t0 + (k + 0.5) * bin_s, tz, weekend_factor) for tz in tzs) / len(tzs) + 1e-4
            for k in range(n)
        ]
        acc = 0.0
        self.cum = []
        for w in self.w:
            acc += w
            self.cum.append(acc)

    def mean(self) -> float:
        return self.cum[-1] / len(self.w)

    def sample(self, rng: random.Random, n: int) -> list[float]:
        out = []
        total = self.cum[-1]
        for _ in range(n):
            k = bisect.bisect_left(self.cum, rng.random() * total)
            t = self.t0 + (k + rng.random()) * self.bin_s
            out.append(min(t, self.t1 - 0.001))
        out.sort()
        return out


def uniform_times(rng: random.Random, t0: float, t1: float, n: int) -> list[float]:
    return sorted(rng.uniform(t0, t1) for _ in range(n))


def regular_times(rng: random.Random, t0: float, t1: float, period: float, jitter: float) -> list[float]:
    """Machine-regular: every ``period`` s with small relative jitter."""
    out = []
    t = t0 + rng.uniform(0, period)
    while t < t1:
        out.append(t)
        t += period * (1 + rng.uniform(-jitter, jitter))
    return out


def sessions(
    rng: random.Random, bins: Bins, n_target: int, mean_len: float, think_median: float, think_sigma: float = 0.9
) -> list[list[float]]:
    """Human sessions: starts follow the diurnal bins; inside, lognormal think times."""
    out: list[list[float]] = []
    total = 0
    guard = 0
    while total < n_target and guard < n_target * 4 + 10:
        guard += 1
        start = bins.sample(rng, 1)[0]
        k = max(1, min(n_target - total, int(rng.expovariate(1 / mean_len)) + 1))
        ts = [start]
        for _ in range(k - 1):
            nxt = ts[-1] + think_median * math.exp(rng.gauss(0, think_sigma))
            if nxt >= bins.t1:
                break
            ts.append(nxt)
        out.append(ts)
        total += len(ts)
    return out


def batch_job(rng: random.Random, start: float, t1: float, n: int, concurrency: int, per_req_s: float) -> list[float]:
    """A job pushing n requests with fixed concurrency: near-constant throughput."""
    out = []
    rate = concurrency / per_req_s
    t = start
    for _ in range(n):
        t += rng.expovariate(rate) * 0.3 + (0.7 / rate)
        if t >= t1:
            break
        out.append(t)
    return out
