"""Snapshots of the population scales: a restored account detector ranks like the one that wrote it."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from distillguard.models.config import DetectorConfig
from distillguard.models.detector import AccountDetector
from distillguard.models.event import parse_event
from distillguard.models.evidence import SCALED, WARMUP, features
from distillguard.models.warm import UnknownSnapshot, restore, snapshot
from tests.factories import T0, chat_user, firehose

CFG = DetectorConfig(ablate=frozenset({"fixed_scales"}))  # ranks read the learned quantiles
GRID = {
    "output_input_ratio": [0.5, 2.0, 5.0, 12.0, 40.0],
    "output_tokens": [50.0, 200.0, 400.0, 900.0, 3000.0],
    "active_hours": [1.0, 4.0, 10.0, 20.0],
}


def _trained() -> AccountDetector:
    """An account detector whose scales learned from a few hundred accounts (past the warm-up)."""
    det = AccountDetector(CFG)
    records = [r for i in range(WARMUP + 40) for r in chat_user(f"u-{i}", 11, t0=T0 + 7 * i)]
    records += firehose("fire-1", 80)
    for r in sorted(records, key=lambda r: r["ts"]):
        det.observe(parse_event(r))
    assert det.scales.n >= WARMUP
    return det


@pytest.fixture(scope="module")
def trained() -> AccountDetector:
    return _trained()


def _ranks(det: AccountDetector) -> dict[str, list[float]]:
    return {k: [det.scales.rank(k, x) for x in xs] for k, xs in GRID.items()}


def _round_trip(det: AccountDetector) -> dict[str, Any]:
    return orjson.loads(orjson.dumps(snapshot(det.scales)))  # as it travels: JSON bytes


def _feed(det: AccountDetector, values: list[dict[str, float]]) -> None:
    for v in values:
        det.scales.learn(v)


def _values(n: int) -> list[dict[str, float]]:
    return [
        {"output_input_ratio": 1.0 + (i * 7 % 13), "output_tokens": 80.0 + (i * 37 % 500), "active_hours": i % 9}
        for i in range(n)
    ]


def test_restored_detector_ranks_like_the_original(trained: AccountDetector) -> None:
    warm = AccountDetector(CFG)
    assert restore(warm.scales, _round_trip(trained)) is True
    assert warm.scales.n == trained.scales.n
    assert _ranks(warm) == _ranks(trained)
    assert warm.scales.medians() == trained.scales.medians()
    assert _ranks(AccountDetector(CFG)) != _ranks(trained)  # a cold one does not: the restore matters
    st = trained.states["fire-1"]
    ts = st.last_ts
    assert features(st, ts, warm.scales, fixed=False) == features(st, ts, trained.scales, fixed=False)


def test_restored_scales_keep_learning_as_the_original(trained: AccountDetector) -> None:
    original = copy.deepcopy(trained)
    warm = AccountDetector(CFG)
    restore(warm.scales, _round_trip(original))
    more = _values(150)
    _feed(original, more)
    _feed(warm, more)
    assert warm.scales.cuts == original.scales.cuts
    assert warm.scales.n == original.scales.n


def test_another_river_version_holds_the_cuts_until_fresh_estimators_are_warm(trained: AccountDetector) -> None:
    snap = _round_trip(trained) | {"river": "0.0.0"}
    warm = AccountDetector(CFG)
    assert restore(warm.scales, snap) is False
    assert _ranks(warm) == _ranks(trained)
    more = _values(WARMUP + 1)
    _feed(warm, more[:WARMUP])
    assert _ranks(warm) == _ranks(trained)  # held while the fresh estimators warm up
    _feed(warm, more[WARMUP:])
    fresh = AccountDetector(CFG)
    _feed(fresh, more)
    assert warm.scales.cuts == fresh.scales.cuts  # then theirs


@pytest.mark.parametrize(
    "change",
    [
        {"v": 99},
        {"kind": "account-state"},
        {"qs": [0.5]},
        {"n": "many"},
        {"cuts": {"output_tokens": [1.0] * 5}},
        {"cuts": {k: [1.0] * 4 for k in SCALED}},
        {"p2": {k: ["not base64!"] * 5 for k in SCALED}},
        {"p2": {k: [None] * 4 for k in SCALED}},
    ],
)
def test_an_unreadable_snapshot_is_refused_and_changes_nothing(trained: AccountDetector, change: dict) -> None:
    cold = AccountDetector(CFG)
    before = _ranks(cold), cold.scales.n
    with pytest.raises(UnknownSnapshot):
        restore(cold.scales, _round_trip(trained) | change)
    assert (_ranks(cold), cold.scales.n) == before


def test_a_snapshot_is_plain_json_and_small(trained: AccountDetector) -> None:
    raw = orjson.dumps(snapshot(trained.scales))
    assert len(raw) < 8000
    assert set(orjson.loads(raw)) == {"kind", "v", "river", "qs", "n", "cuts", "p2"}


def test_cold_scales_snapshot_and_restore_as_cold() -> None:
    """Estimators that saw nothing yet travel as ``None`` and come back fresh."""
    cold = AccountDetector(CFG)
    again = AccountDetector(CFG)
    assert restore(again.scales, _round_trip(cold)) is True
    more = _values(WARMUP + 5)
    _feed(cold, more)
    _feed(again, more)
    assert again.scales.cuts == cold.scales.cuts
