"""Greedy decoding (a temperature of 0) marks an evaluation, within what the mark could cost."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.account_features import AccountState
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from distillguard.models.evidence import GREEDY_ANSWERS, PopulationScales, features, greedy_mark, harvest_core
from distillguard.models.policy import SubjectPolicy
from tests.factories import T0, event


def _benchmark(account: str, n: int, rpm: float, temperature: float | None, seed: int = 11) -> list[dict[str, Any]]:
    """One account asking ``n`` questions of its own, each once, for reasoned answers of about
    900 tokens (a benchmark with chain of thought, or a sweep), at ``rpm`` from one cloud
    address."""
    rng = random.Random(seed)
    out, t = [], T0
    for i in range(n):
        t += rng.expovariate(rpm / 60.0)
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=t,
                ip="34.90.7.9",
                asn=15169,
                user_agent="python-httpx/0.27.2",
                input_tokens=rng.randint(30, 60),
                output_tokens=int(900 * rng.lognormvariate(0.0, 0.5)),
                max_tokens=4096,
                temperature=temperature,
                prompt_simhash=f"{rng.getrandbits(64):016x}",
            )
        )
    return out


def _first_action(records: list[dict[str, Any]], cfg: DetectorConfig | None = None) -> int | None:
    """The request (1-based) at which a fresh detector first throttles or blocks an account."""
    det = Detector(cfg)
    for i, r in enumerate(records, 1):
        if any(d.subject_type == "account" and d.action != "allow" for d in det.observe(parse_event(r))):
            return i
    return None


def test_a_benchmark_run_at_temperature_zero_is_an_evaluation_not_a_harvest() -> None:
    """600 questions of its own at 6 a minute for long reasoned answers: asked at temperature 0,
    an evaluation, not acted on; the same run sampled (temperature 1, or none set: the API's
    default samples) is a harvest's shape and is, and so is the greedy one with the mark
    ablated."""
    greedy = _benchmark("eval-1", 600, 6.0, 0.0)
    assert _first_action(greedy) is None
    sampled = _first_action(_benchmark("eval-1", 600, 6.0, 1.0))
    assert sampled is not None
    assert sampled <= 40
    assert _first_action(_benchmark("eval-1", 600, 6.0, None)) is not None
    assert _first_action(greedy, DetectorConfig(ablate=frozenset({"greedy_mark"}))) is not None


def test_the_mark_covers_a_benchmarks_worth_at_any_pace_not_a_sweep_that_goes_on() -> None:
    """Greedy decoding spares a benchmark's worth of new answers (600 questions) at a harness's
    pace, 40 or 300 a minute (`dg-34`, whose mark took half the signature at most, acted on the
    first at its 552nd question), not a sweep that goes on: acted on before it has taken
    ``GREEDY_ANSWERS``, whatever its pace."""
    assert _first_action(_benchmark("harness-1", 600, 40.0, 0.0)) is None
    assert _first_action(_benchmark("harness-2", 600, 300.0, 0.0)) is None
    slow = _first_action(_benchmark("sweep-1", 3000, 6.0, 0.0))
    fast = _first_action(_benchmark("sweep-2", 3000, 600.0, 0.0))
    assert slow is not None
    assert fast is not None
    assert GREEDY_ANSWERS / 2 < slow < GREEDY_ANSWERS
    assert GREEDY_ANSWERS / 2 < fast < GREEDY_ANSWERS


def test_the_mark_takes_the_whole_signature_whatever_the_pace() -> None:
    """Each half of `dg-35`'s mark on its own: a full mark leaves nothing of the signature (half
    was left at `dg-34`), and the account's requests an hour do not fade it (they did to nothing
    at 2,400 an hour at `dg-34`)."""
    shape = {"answer_ratio": 0.95, "answer_length": 0.9, "novelty": 1.0, "shallow_share": 1.0}
    assert harvest_core({**shape, "greedy_mark": 0.0}) > 0.8
    assert harvest_core({**shape, "greedy_mark": 1.0}) == 0.0
    assert harvest_core({**shape, "greedy_mark": 1.0}, greedy=False) > 0.8
    st = AccountState(T0)
    st.greedy_share, st.n = 1.0, 200
    scales = PopulationScales()
    calm, busy = (features(st, T0, scales, rph=rph)["greedy_mark"] for rph in (60.0, 10_000.0))
    assert calm == busy == greedy_mark(st) == 0.8


def test_a_browser_claim_asking_for_greedy_decoding_is_no_evaluation() -> None:
    """The same 400 greedy questions from a user agent that claims a browser carry no mark: a
    harness names its client (a script dressed as a browser asking at temperature 0 is acted on
    as the sampled run is)."""
    dressed = [
        {**r, "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36"}
        for r in _benchmark("dressed-1", 400, 6.0, 0.0)
    ]
    at = _first_action(dressed)
    assert at is not None
    assert at <= 40
    st = AccountState(T0)
    for r in dressed[:20]:
        st.update(parse_event(r))
    assert st.greedy_share == 0.0


def test_the_mark_fades_with_answers_taken_and_template_ties() -> None:
    st = AccountState(0.0)
    st.greedy_share, st.n = 1.0, 100
    assert greedy_mark(st) == 0.9
    st.n = 600  # 600 answers of its own taken: 0.4 of the mark left
    assert round(greedy_mark(st), 6) == 0.4
    st.n, st.n_popular = 900, 800  # popular prompts are no answers of its own
    assert greedy_mark(st) == 0.9
    st.sibling_share = 0.25  # half-way to a fleet's template ties
    assert greedy_mark(st) == 0.45
    st.sibling_share = 0.6
    assert greedy_mark(st) == 0.0
    st.sibling_share = 0.0
    st.policy = SubjectPolicy()
    st.policy.step(0.2, 3600.0, 1, DetectorConfig())  # evaluated, nothing in force
    assert greedy_mark(st) == 0.9
    st.policy.step(0.95, 3600.0, 1, DetectorConfig())  # acted on despite the mark: no more benefit of the doubt
    assert st.policy.acted
    assert greedy_mark(st) == 0.0
    st.policy, st.greedy_share = None, 0.0  # sampled: no mark
    assert greedy_mark(st) == 0.0


def test_greedy_share_counts_only_requests_that_set_a_low_temperature() -> None:
    st = AccountState(T0)
    for i, temp in enumerate([0.0, 0.0, None, 0.7, 0.0, 0.01, 1.0, 0.0]):
        st.update(parse_event(event(event_id=f"g-{i}", ts=T0 + i, temperature=temp, prompt_simhash=f"{i + 1:016x}")))
    assert 0.55 < st.greedy_share < 0.7  # 5 of 8, recent ones weigh more


def test_a_state_written_before_the_mark_loads_without_it() -> None:
    st = AccountState(T0)
    st.update(parse_event(event(temperature=0.0)))
    assert st.greedy_share == 1.0
    state = st.to_state()
    assert state["v"] == 5
    assert AccountState.from_state(state).greedy_share == 1.0
    old = {k: v for k, v in state.items() if k != "greedy_share"} | {"v": 4}
    assert AccountState.from_state(old).greedy_share == 0.0
