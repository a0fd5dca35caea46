"""The population model: River Half-Space Trees over account features, calibrated to percentiles.

It judges a young account against everyone (cold start). Inputs are already in [0, 1] (every
feature is bounded by construction), which is what Half-Space Trees needs, so no scaler is put
in front. River's HST returns 0 until its first window of ``window_size`` samples has been
seen; :meth:`PopulationModel.percentile` returns 0 until the calibration quantiles have seen
``warmup`` scores.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import river
from river import stats

_HST_MODULES = ("river.tree.base", "river.tree.padded", "river.anomaly.hst")
"""River's Half-Space Trees and the modules it needs, in import order."""


_LOADING = threading.Lock()
"""Held while a module is loaded, so that no other thread sees it half-built."""


def _river_module(name: str) -> ModuleType:
    """River's module ``name``, imported without its package's ``__init__`` (``river.anomaly``
    and ``river.tree`` import their other models, and those ``scipy.stats``: most of start-up).
    A package imported later finds it in ``sys.modules`` and uses it, though not as an
    attribute of the package (``river.anomaly.hst`` by attribute; ``from`` imports work)."""
    with _LOADING:
        module = sys.modules.get(name)
        if module is not None:
            return module
        path = Path(river.__file__).parent.joinpath(*name.split(".")[1:]).with_suffix(".py")
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {name} from {path}")
        module = sys.modules[name] = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module


def half_space_trees(**kwargs: Any) -> Any:
    """River's ``anomaly.HalfSpaceTrees(**kwargs)`` (the same class), with only the modules it
    needs imported; through ``river.anomaly`` itself if River lays them out otherwise."""
    try:
        for name in _HST_MODULES:
            module = _river_module(name)
        cls = module.HalfSpaceTrees
    except Exception:  # any other layout: River's own import, whatever failed
        from river import anomaly

        cls = anomaly.HalfSpaceTrees
    return cls(**kwargs)


class PopulationModel:
    """Half-Space Trees over the population's feature vectors, calibrated to percentiles."""

    QS = (0.5, 0.9, 0.99)

    def __init__(self, n_trees: int, height: int, window_size: int, seed: int, warmup: int = 500) -> None:
        self.warmup = warmup
        self.hst = half_space_trees(n_trees=n_trees, height=height, window_size=window_size, seed=seed)
        self.quantiles = [stats.Quantile(q) for q in self.QS]
        self.n_scored = 0

    def learn_one(self, x: dict[str, float]) -> None:
        """Learn one feature vector (call only for subjects that are not actioned)."""
        self.hst.learn_one(x)
        s = self.hst.score_one(x)
        for q in self.quantiles:
            q.update(s)
        self.n_scored += 1

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
