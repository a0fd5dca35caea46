"""Analysts' verdicts as labels: the look-alike vote, and what it does to the detector's decisions."""

from __future__ import annotations

import dataclasses

import pytest

from distillguard.models.config import DetectorConfig
from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from distillguard.models.lookalikes import LOOKALIKE_FEATURES, Lookalikes
from tests.factories import T0, firehose

DIM = len(LOOKALIKE_FEATURES)


def point(v: float, *, at: int = 0) -> tuple[float, ...]:
    """A point with ``v`` in feature ``at`` and 0.5 elsewhere."""
    return tuple(v if i == at else 0.5 for i in range(DIM))


def test_no_labels_no_vote_and_far_labels_have_no_say() -> None:
    lk = Lookalikes(radius=0.3)
    assert lk.vote(point(0.5)).value == 0.0
    lk.learn("a", point(0.0), True, "escalate")
    assert lk.vote(point(1.0)).value == 0.0  # 1.0 away: beyond the radius
    assert lk.vote(point(0.05)).value > 0.5


def test_a_release_is_not_outvoted_by_a_majority_of_confirmed_harvests() -> None:
    """Twenty confirmed harvests and one release, all equally near: the classes weigh alike."""
    lk = Lookalikes(radius=0.5)
    for i in range(20):
        lk.learn(f"h{i}", point(0.9), True, "confirm")
    lk.learn("r", point(0.1), False, "release")
    assert lk.vote(point(0.9)).value > 0.9
    v = lk.vote(point(0.12))
    assert v.value < -0.9
    assert (v.nearest, v.nearest_verdict) == ("r", "release")
    mid = lk.vote(point(0.5)).value  # as near to both: the single release balances the twenty
    assert abs(mid) < 0.35


def test_a_subject_judged_again_keeps_only_its_newest_label() -> None:
    lk = Lookalikes()
    lk.learn("s", point(0.2), True, "confirm")
    lk.learn("s", point(0.2), False, "release")
    assert (lk.positives, lk.negatives, len(lk)) == (0, 1, 1)
    assert lk.vote(point(0.2)).value < -0.9


def test_the_memory_is_bounded_and_counts_follow_it() -> None:
    lk = Lookalikes(memory=5)
    for i in range(8):
        lk.learn(f"s{i}", point(i / 10), i % 2 == 0, "confirm" if i % 2 == 0 else "release")
    assert len(lk) == 5
    assert (lk.positives, lk.negatives) == (2, 3)  # s3..s7 are kept
    assert lk.labelled.keys() == {f"s{i}" for i in range(3, 8)}


def _config(learned: bool) -> DetectorConfig:
    return DetectorConfig() if learned else dataclasses.replace(DetectorConfig(), ablate=frozenset({"verdict_model"}))


def _run(det: Detector, records: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for r in sorted(records, key=lambda r: r["ts"]):
        out.extend(d.to_dict() for d in det.observe(parse_event(r)))
    return out


@pytest.mark.parametrize("learned", [True, False])
def test_a_released_accounts_look_alike_is_not_flagged(learned: bool) -> None:
    """An analyst releases a throttled script; another account doing the same is left alone,
    unless the verdict model is ablated (then it is throttled like the first)."""
    det = Detector(_config(learned))
    first = _run(det, firehose("batch-a", 150))
    assert any(d["subject"] == "batch-a" and d["action"] != "allow" for d in first)
    t1 = T0 + 7200
    assert det.accounts.learn_verdict("batch-a", "release", t1)
    later = _run(det, firehose("batch-b", 150, t0=t1, ip="34.91.7.9"))
    acted = [d for d in later if d["subject"] == "batch-b" and d["action"] != "allow"]
    assert (acted == []) is learned


@pytest.mark.parametrize("learned", [True, False])
def test_a_confirmed_harvests_look_alike_is_flagged_and_told_why(learned: bool) -> None:
    """A script diluted with longer prompts and a short answer every other request sits below the
    threshold; once an analyst has confirmed one such account, the next is acted on, with a reason
    naming the verdict. (Made-up second turns no longer dilute a harvest: ``dg-18``.)"""

    def diluted(account: str, t0: float) -> list[dict[str, object]]:
        rs = firehose(account, 200, t0=t0, rpm=30)
        for i, r in enumerate(rs):
            r["ts"] = t0 + 2.0 * i
            r["input_tokens"] = 300
            if i % 2:
                r["output_tokens"] = 150
        return rs

    det = Detector(_config(learned))
    assert not [d for d in _run(det, diluted("dil-a", T0)) if d["action"] != "allow"]
    t1 = T0 + 7200
    assert det.accounts.learn_verdict("dil-a", "confirm", t1)
    acted = [d for d in _run(det, diluted("dil-b", t1)) if d["subject"] == "dil-b" and d["action"] != "allow"]
    assert bool(acted) is learned
    if not learned:
        return
    assert any(r.startswith("looks_like_confirmed") and "dil-a" in r for r in acted[0]["reasons"])
    assert "analyst_lookalike" in acted[0]["reason_codes"]


def test_a_verdict_on_an_account_it_does_not_track_teaches_nothing() -> None:
    det = Detector()
    assert not det.accounts.learn_verdict("nobody", "release", T0)
    assert len(det.accounts.lookalikes) == 0
