"""Scores in [0, 1]; higher scores indicate a more likely distillation campaign.

Three parts, each documented where it is computed:

* :func:`harvest_evidence` -- the threat model's signature: long answers to short prompts,
  asked in shallow conversations, from prompts that sweep a template; with automation and
  evasion cues (machine-regular timing, IP rotation, round-the-clock activity, 429s).
* :class:`PopulationModel` -- River Half-Space Trees over every account's feature vector,
  judging a young account against everyone (cold start), calibrated to a percentile with
  River running quantiles so that a threshold keeps its meaning as traffic grows.
* :class:`Baseline` -- the account's own exponentially weighted mean and variance of its
  harvest evidence (River ``stats.EWMean``/``EWVar`` arithmetic on three floats, so it
  costs bytes per account, not kilobytes); a jump above its own baseline is drift.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from river import anomaly, stats

# Weights of the evidence, from the threat model (not fitted to any simulator).
AUTOMATION = {"timing_regularity": 0.5, "ip_rotation": 1.0, "round_the_clock": 0.6, "error_share": 0.5}
HARVEST_CENTRE = 0.32
HARVEST_GAIN = 12.0
AUTOMATION_WEIGHT = 2.0
POPULATION_WEIGHT = 1.0
DRIFT_WEIGHT = 1.5


def harvest_core(f: Mapping[str, float]) -> float:
    """The core signature in [0, 1]: answer shape x template sweep x shallow conversations.

    It is a product so that no single trait suffices: a batch job sweeps a template but gets
    short answers; an essay writer gets long answers to diverse prompts.

    Examples
    --------
    >>> round(harvest_core({"answer_ratio": 0.9, "answer_length": 0.7, "template_share": 0.9,
    ...                     "shallow_share": 1.0}), 3)
    0.74
    """
    answer = 0.5 * (f["answer_ratio"] + f["answer_length"])
    return answer * (0.25 + 0.75 * f["template_share"]) * (0.5 + 0.5 * f["shallow_share"])


def automation_evidence(f: Mapping[str, float]) -> float:
    """Noisy-OR of automation and evasion cues, in [0, 1]."""
    p = 1.0
    for name, w in AUTOMATION.items():
        p *= 1.0 - w * f[name]
    return 1.0 - p


def evidence_z(core: float, automation: float, drift: float) -> float:
    """The log-odds from everything but the population model."""
    return HARVEST_GAIN * (core - HARVEST_CENTRE) + AUTOMATION_WEIGHT * automation + DRIFT_WEIGHT * drift


def combine(core: float, automation: float, population: float, drift: float) -> float:
    """Logistic combination of the evidence into the final score in [0, 1]."""
    z = evidence_z(core, automation, drift) + POPULATION_WEIGHT * population
    return 1.0 / (1.0 + math.exp(-z))


def population_can_matter(z: float, threshold: float) -> bool:
    """Whether the population term (at most ``POPULATION_WEIGHT``) could lift ``z`` past ``threshold``.

    Half-Space Trees cost ~100 us a score; most honest evaluations are far below the threshold
    and skip it.
    """
    return z + POPULATION_WEIGHT > math.log(threshold / (1.0 - threshold))


def harvest_evidence(f: Mapping[str, float]) -> tuple[float, float]:
    """``(core, automation)`` for one feature vector."""
    return harvest_core(f), automation_evidence(f)


class PopulationModel:
    """Half-Space Trees over the population's feature vectors, calibrated to percentiles.

    Inputs are already in [0, 1] (every feature is bounded by construction), which is what
    Half-Space Trees needs, so no scaler is put in front. River's HST returns 0 until its first
    window of ``window_size`` samples has been seen; :meth:`percentile` returns 0 until the
    calibration quantiles have seen ``warmup`` scores.
    """

    QS = (0.5, 0.9, 0.99)

    def __init__(self, n_trees: int, height: int, window_size: int, seed: int, warmup: int = 500) -> None:
        self.n_trees = n_trees
        self.height = height
        self.window_size = window_size
        self.seed = seed
        self.warmup = warmup
        self.hst = anomaly.HalfSpaceTrees(n_trees=n_trees, height=height, window_size=window_size, seed=seed)
        self.quantiles = [stats.Quantile(q) for q in self.QS]
        self.n_scored = 0

    def learn_one(self, x: dict[str, float]) -> None:
        """Learn one feature vector (call only for subjects that are not actioned)."""
        self.hst.learn_one(x)
        s = self.hst.score_one(x)
        for q in self.quantiles:
            q.update(s)
        self.n_scored += 1

    def score_one(self, x: dict[str, float]) -> float:
        """Raw HST anomaly score in [0, 1]; high = unusual in the population."""
        return self.hst.score_one(x)

    def percentile(self, x: dict[str, float]) -> float:
        """Calibrated score: ~0 up to the median, 0.5 at p90, 0.9 at p99, 1 beyond."""
        if self.n_scored < self.warmup:
            return 0.0
        s = self.hst.score_one(x)
        q50, q90, q99 = (q.get() or 0.0 for q in self.quantiles)
        if s <= q50:
            return 0.0
        if s <= q90:
            return 0.5 * (s - q50) / max(q90 - q50, 1e-9)
        if s <= q99:
            return 0.5 + 0.4 * (s - q90) / max(q99 - q90, 1e-9)
        return min(1.0, 0.9 + 0.1 * (s - q99) / max(1.0 - q99, 1e-9))


class Baseline:
    """A subject's own baseline as ``[mean, var, n, rpm]`` (bytes, not kilobytes).

    ``mean``/``var`` are the EW mean and variance of its harvest evidence, ``rpm`` the EW mean
    of its request rate while nothing was in force (the base of ``limit_rpm``).

    The arithmetic is River's ``stats.EWMean``/``stats.EWVar`` with ``fading_factor=alpha``,
    bias-corrected over the first ``1/alpha`` updates.
    """

    ALPHA = 0.05

    @staticmethod
    def update(b: list[float] | None, x: float, rpm: float) -> list[float]:
        """Fold evidence ``x`` and rate ``rpm`` into ``b`` (new when ``None``); returns it."""
        if b is None:
            return [x, 0.0, 1.0, rpm]
        n = b[2] + 1.0
        a = max(Baseline.ALPHA, 1.0 / n)
        diff = x - b[0]
        b[0] += a * diff
        b[1] = (1.0 - a) * (b[1] + a * diff * diff)
        b[2] = n
        b[3] += a * (rpm - b[3])
        return b

    @staticmethod
    def drift(b: list[float] | None, x: float, min_n: float = 20.0) -> float:
        """How far ``x`` sits above the baseline, in [0, 1] (0 below 3 sigma or when young)."""
        if b is None or b[2] < min_n:
            return 0.0
        z = (x - b[0]) / math.sqrt(b[1] + 0.0025)
        return min(1.0, max(0.0, (z - 3.0) / 3.0))
