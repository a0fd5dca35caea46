"""The simulated analyst: what it reviews, and what its verdicts change in an evaluation."""

from __future__ import annotations

import dataclasses

import orjson

from distillguard.lab.analyst import SimulatedAnalyst
from distillguard.lab.evaluation import evaluate
from distillguard.models.config import DetectorConfig
from tests.factories import T0, firehose


def decision(subject: str, action: str, score: float, rph: float, ts: float = T0, ttl: int = 900) -> dict:
    return {
        "subject": subject,
        "subject_type": "account",
        "action": action,
        "score": score,
        "ts": ts,
        "ttl_s": ttl,
        "reasons": [f"output_input_ratio 9.0 vs population median 2.0; {rph:.0f} requests/h"],
    }


def test_it_reviews_the_most_at_stake_and_uncertain_first_within_its_budget() -> None:
    labels = {"sure": "attack", "unsure-busy": "benign", "unsure-quiet": "attack", "lifted": "benign"}
    latest = {
        "sure": decision("sure", "block", 0.99, 3000),  # 4 s (1 - s) = 0.04: 119
        "unsure-busy": decision("unsure-busy", "throttle", 0.75, 600),  # 0.75: 450
        "unsure-quiet": decision("unsure-quiet", "throttle", 0.75, 100),  # 75
        "lifted": decision("lifted", "allow", 0.1, 5000),
        "expired": decision("expired", "throttle", 0.75, 5000, ts=T0 - 3600),
    }
    a = SimulatedAnalyst(labels, budget=2, per_review=1, every_s=60)
    assert not a.due(T0)  # the first review is one interval after the start
    assert a.due(T0 + 60)
    (v,) = a.review(T0 + 60, latest)
    assert (v.subject, v.verdict, v.subject_type) == ("unsure-busy", "release", "account")
    assert v.expires_at == T0 + 60 + 24 * 3600
    assert not a.due(T0 + 100)
    (v,) = a.review(T0 + 120, latest)
    assert (v.subject, v.verdict) == ("sure", "escalate")
    assert not a.due(T0 + 10_000)  # the budget is spent


def _lines(events: list[dict[str, object]]) -> list[bytes]:
    return [orjson.dumps(e) for e in sorted(events, key=lambda e: e["ts"])]


def test_a_release_frees_the_account_and_teaches_the_detector_its_look_alikes() -> None:
    """An honest nightly job is throttled; the analyst releases it; a second job like it that
    starts later is then left alone, but not when the verdict model is switched off."""
    job_a = firehose("job-a", 400, rpm=20)
    job_b = firehose("job-b", 300, t0=T0 + 3 * 3600, rpm=20, ip="34.91.7.9")
    labels = {"job-a": "benign", "job-b": "benign"}
    served = {}
    for learned in (True, False):
        cfg = DetectorConfig() if learned else dataclasses.replace(DetectorConfig(), ablate={"verdict_model"})
        analyst = SimulatedAnalyst(labels, budget=5, per_review=1, every_s=600)
        refused: list[float] = []
        res = evaluate(
            _lines(job_a + job_b),
            cfg,
            analyst=analyst,
            on_request=lambda e, ok, _t, refused=refused: (
                None if ok or e.account_id != "job-a" else refused.append(e.ts)
            ),
        )
        assert analyst.judged["job-a"] == "release"
        assert ("job-b" in analyst.judged) is not learned  # actioned, so reviewed, only if not learned
        (release,) = [d for d in res.decisions if d["subject"] == "job-a" and d["reasons"][0].startswith("analyst")]
        assert release["action"] == "allow"
        assert release["reasons"][0].startswith("analyst release v-sim-0001: simulated-analyst")
        # Refused before the release, served from the moment it reaches the gateway (1 s later).
        assert refused
        assert max(refused) < release["ts"] + 1.0
        served[learned] = {a: (t.served, t.requests, t.actioned_at) for a, t in res.tallies.items()}
    assert served[True]["job-b"] == (300, 300, None)
    assert served[False]["job-b"][2] is not None
