"""River's own Half-Space Trees, imported alone: without ``scipy.stats`` (most of start-up)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import random, sys
    from distillguard.models.scoring import PopulationModel, half_space_trees
    model = PopulationModel(n_trees=5, height=4, window_size=50, seed=7, warmup=10)
    print("scipy.stats" in sys.modules)
    from river import anomaly
    print(type(model.hst) is anomaly.HalfSpaceTrees)
    ours = half_space_trees(n_trees=5, height=4, window_size=50, seed=7)
    theirs = anomaly.HalfSpaceTrees(n_trees=5, height=4, window_size=50, seed=7)
    rng = random.Random(1)
    same = True
    for _ in range(300):
        x = {"a": rng.random(), "b": rng.random() ** 3}
        same &= ours.score_one(x) == theirs.score_one(x)
        ours.learn_one(x)
        theirs.learn_one(x)
    print(same)
    """
)


def test_half_space_trees_are_rivers_own_and_leave_scipy_stats_out() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "True"], out


def test_another_river_layout_falls_back_to_its_public_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """If River moved a module, the population model still gets River's own Half-Space Trees."""
    from river import anomaly

    from distillguard.models import scoring

    monkeypatch.setattr(scoring, "_HST_MODULES", ("river.tree.no_such_module",))
    hst = scoring.half_space_trees(n_trees=3, height=3, window_size=10, seed=1)
    assert type(hst) is anomaly.HalfSpaceTrees
    assert "river.tree.no_such_module" not in sys.modules
