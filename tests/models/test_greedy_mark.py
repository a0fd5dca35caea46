"""Greedy decoding (a temperature of 0) marks an evaluation, within what the mark could cost."""

from __future__ import annotations

import random
from typing import Any

import pytest

from distillguard.models.account_features import GREEDY_RERUNS, AccountState
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from distillguard.models.evidence import GREEDY_ANSWERS, PopulationScales, features, greedy_mark, harvest_core
from distillguard.models.policy import SubjectPolicy
from tests.factories import T0, event


def _benchmark(
    account: str,
    n: int,
    rpm: float,
    temperature: float | None,
    seed: int = 11,
    answer: int = 900,
    start: float = T0,
) -> list[dict[str, Any]]:
    """One account asking ``n`` questions of its own, each once, for reasoned answers of about
    ``answer`` tokens (900: a benchmark with chain of thought, or a sweep), at ``rpm`` from one
    cloud address."""
    rng = random.Random(seed)
    out, t = [], start
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
                output_tokens=max(1, int(answer * rng.lognormvariate(0.0, 0.5))),
                max_tokens=4096 if answer > 64 else 16,
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


def test_a_first_pass_over_gsm8k_with_chain_of_thought_is_not_acted_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """GSM8K's 1,319 test questions, asked once each at temperature 0 for reasoned answers, at a
    harness's pace: the mark covers the whole pass. With a mark of 1,000 answers (`dg-42`) the
    pass was acted on before its end."""
    gsm8k = _benchmark("gsm8k-cot", 1319, 40.0, 0.0)
    assert _first_action(gsm8k) is None
    monkeypatch.setattr("distillguard.models.evidence.GREEDY_ANSWERS", 1000.0)
    before = _first_action(gsm8k)
    assert before is not None
    assert before < 1000


def test_the_mark_takes_the_whole_signature_whatever_the_pace() -> None:
    """Each half of `dg-35`'s mark on its own: a full mark leaves nothing of the signature (half
    was left at `dg-34`), and the account's requests an hour do not fade it (they did to nothing
    at 2,400 an hour at `dg-34`)."""
    shape = {"answer_ratio": 0.95, "answer_length": 0.9, "novelty": 1.0, "shallow_share": 1.0}
    assert harvest_core({**shape, "greedy_mark": 0.0}) > 0.8
    assert harvest_core({**shape, "greedy_mark": 1.0}) == 0.0
    assert harvest_core({**shape, "greedy_mark": 1.0}, greedy=False) > 0.8
    st = AccountState(T0)
    st.greedy_share, st.greedy_taken = 1.0, 0.2 * GREEDY_ANSWERS
    scales = PopulationScales()
    calm, busy = (features(st, T0, scales, rph=rph)["greedy_mark"] for rph in (60.0, 10_000.0))
    assert calm == busy == round(greedy_mark(st), 6) == 0.8


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
    g = GREEDY_ANSWERS
    st.greedy_share, st.greedy_taken = 1.0, 0.1 * g
    assert round(greedy_mark(st), 6) == 0.9
    st.greedy_taken = 0.6 * g  # six tenths of a benchmark's worth of its own taken: 0.4 of the mark left
    assert round(greedy_mark(st), 6) == 0.4
    st.n, st.n_popular = round(0.6 * g) + 300, 300
    st.credit(round(0.5 * g))  # most of its own prompts others have sent since: no answers of its own
    assert round(st.greedy_taken, 6) == round(0.1 * g, 6)
    assert round(greedy_mark(st), 6) == 0.9
    st.sibling_share = 0.25  # half-way to a fleet's template ties
    assert round(greedy_mark(st), 6) == 0.45
    st.sibling_share = 0.6
    assert greedy_mark(st) == 0.0
    st.sibling_share = 0.0
    st.policy = SubjectPolicy()
    st.policy.step(0.2, 3600.0, 1, DetectorConfig())  # evaluated, nothing in force
    assert round(greedy_mark(st), 6) == 0.9
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
    assert state["v"] == 7
    assert AccountState.from_state(state).greedy_share == 1.0
    old = {k: v for k, v in state.items() if k not in ("greedy_share", "greedy_taken")} | {"v": 4}
    assert AccountState.from_state(old).greedy_share == 0.0


def test_a_state_written_before_answers_were_weighed_counts_each_own_answer_one() -> None:
    """A version-5 state has no ``greedy_taken``: its own answers count one each, as they did."""
    st = AccountState(T0)
    for i in range(5):
        st.update(parse_event(event(event_id=f"w-{i}", ts=T0 + i, temperature=0.0, output_tokens=4)), answer_unit=800.0)
    st.n_popular = 1
    state = st.to_state()
    assert AccountState.from_state(state).greedy_taken == st.greedy_taken < 0.1
    old = {k: v for k, v in state.items() if k != "greedy_taken"} | {"v": 5}
    assert AccountState.from_state(old).greedy_taken == 4.0


def test_an_answer_costs_the_mark_by_its_length() -> None:
    """What the benefit of the doubt costs is the harvest taken under it: an answer counts its
    length against the population's usual answer (800 tokens while the scales are cold), one at
    most. A multiple-choice run of 1,200 questions (letters) costs the mark little, so the
    harness's reasoned run after it is still an evaluation (`dg-38` counted every answer one and
    acted on that run); a sweep that opens the same way is acted on before it has taken
    ``GREEDY_ANSWERS`` long answers."""
    letters = _benchmark("harness-3", 1200, 60.0, 0.0, answer=3)
    reasoned = _benchmark("harness-3", 600, 40.0, 0.0, seed=12, start=letters[-1]["ts"] + 600.0)
    for i, r in enumerate(reasoned):
        r["event_id"] = f"harness-3-r{i}"
    assert _first_action(letters + reasoned) is None
    sweep = _benchmark("sweep-3", 3000, 60.0, 0.0, seed=13, start=letters[-1]["ts"] + 600.0)
    opened = [{**r, "account_id": "sweep-3", "event_id": f"sweep-3-l{i}"} for i, r in enumerate(letters)]
    at = _first_action(opened + sweep)
    assert at is not None
    assert at - len(opened) < GREEDY_ANSWERS
    st = AccountState(T0)
    for r in letters[:100]:
        st.update(parse_event(r), answer_unit=800.0)
    assert st.greedy_taken < 1.0
    st.update(parse_event(reasoned[0] | {"output_tokens": 2400}), answer_unit=800.0)
    assert 1.0 < st.greedy_taken < 2.0


def test_a_fleet_sweeping_one_template_at_temperature_zero_has_no_mark(monkeypatch: Any) -> None:
    """Four accounts, each sweeping fills of one template at temperature 0 for long answers: their
    ties make greedy decoding no mark, and each is acted on within 300 requests; with the fleet
    bound off (``GREEDY_FLEET`` 0) none is."""

    def fleet() -> list[dict[str, Any]]:
        rng = random.Random(8)
        base = rng.getrandbits(64) & ~0xFFFF
        out = []
        for k in range(4):
            run = _benchmark(f"fleet-{k}", 300, 30.0, 0.0, seed=30 + k)
            for r in run:
                r["prompt_simhash"] = f"{base | rng.getrandbits(16) & rng.getrandbits(16):016x}"
                r["ip"] = f"34.90.7.{10 + k}"
            out += run
        return sorted(out, key=lambda r: r["ts"])

    def acted(events: list[dict[str, Any]]) -> set[str]:
        det = Detector()
        return {
            d.subject
            for r in events
            for d in det.observe(parse_event(r))
            if d.subject_type == "account" and d.action != "allow"
        }

    events = fleet()
    assert acted(events) == {f"fleet-{k}" for k in range(4)}
    monkeypatch.setattr("distillguard.models.evidence.GREEDY_FLEET", 0.0)
    assert acted(events) == set()


def test_crediting_cheap_prompts_gives_no_long_answers_back() -> None:
    """Prompts that others send later are no answers of the account's own, but what it has taken
    stays taken up to its own prompts left: a benchmark's worth of long answers
    (``GREEDY_ANSWERS``) and 9,000 letters, the letters then sent again from elsewhere, leave the
    mark spent (scaled down in proportion, it would be back at about 0.9)."""
    g = int(GREEDY_ANSWERS)
    st = AccountState(T0)
    st.greedy_share, st.n, st.greedy_taken = 1.0, g + 9_000, g + 9_000 * 0.001
    assert greedy_mark(st) == 0.0
    st.credit(9_000)
    assert st.greedy_taken == g
    assert greedy_mark(st) == 0.0
    st.credit(g // 2)  # half its long answers' prompts public after all: no more taken than left
    assert st.greedy_taken == g - g // 2


def test_a_benchmark_asked_again_takes_nothing_new_under_the_mark() -> None:
    """A harness runs a benchmark (400 questions at temperature 0), runs it again (here the very
    requests; another model or setting alike), then runs a second benchmark of 400. The run
    again does not spend the mark, and the second benchmark is still an evaluation (`dg-39`
    counted every answer again and acted on the second benchmark at the account's 972nd
    request). Sampled (temperature 1), a question asked again is a new answer and counts."""
    first = _benchmark("harness-4", 400, 40.0, 0.0, seed=14)
    start = first[-1]["ts"] + 600.0
    again = [
        {**r, "event_id": f"harness-4-again-{i}", "ts": start + r["ts"] - first[0]["ts"]} for i, r in enumerate(first)
    ]
    second = _benchmark("harness-4", 400, 40.0, 0.0, seed=15, start=again[-1]["ts"] + 600.0)
    for i, r in enumerate(second):
        r["event_id"] = f"harness-4-second-{i}"
    assert _first_action(first + again + second) is None
    det = Detector()
    for r in first:
        det.observe(parse_event(r))
    taken = det.accounts.states["harness-4"].greedy_taken
    for r in again:
        det.observe(parse_event(r))
    st = det.accounts.states["harness-4"]
    assert st.greedy_taken == taken > 300.0
    assert st.greedy_held == taken
    state = st.to_state()
    assert AccountState.from_state(state).greedy_held == taken
    old = {k: v for k, v in state.items() if k != "greedy_held"} | {"v": 6}
    migrated = AccountState.from_state(old)  # written before it: nothing held, all asked first
    assert (migrated.greedy_held, migrated.greedy_again, migrated.greedy_taken) == (0.0, 0.0, taken)
    for temp, counted in ((0.0, 1.0), (1.0, 3.0)):
        st = AccountState(T0)
        for i in range(3):
            st.update(parse_event(event(event_id=f"a-{temp}-{i}", ts=T0 + i, temperature=temp)), repeat=i > 0)
        assert st.greedy_taken == counted


def test_asking_for_a_letter_first_buys_no_free_answers() -> None:
    """Questions asked again for greedy decoding are free only up to ``GREEDY_RERUNS`` times the
    answers taken: 600 questions asked first for a token each (nearly nothing taken), then again
    for the whole answer, take the mark as 600 new answers would, and a sweep of 2,000 done that
    way is acted on before it has taken ``GREEDY_ANSWERS`` long answers."""
    st = AccountState(T0)
    probes = _benchmark("probe-1", 600, 60.0, 0.0, seed=16, answer=1)
    for r in probes:
        st.update(parse_event(r | {"output_tokens": 1}), answer_unit=800.0)
    for i, r in enumerate(probes):
        st.update(
            parse_event(r | {"event_id": f"probe-1-full-{i}", "output_tokens": 900}), repeat=True, answer_unit=800.0
        )
    assert st.greedy_held <= GREEDY_RERUNS * st.greedy_taken
    assert st.greedy_taken > 590.0
    sweep = _benchmark("probe-2", 2000, 60.0, 0.0, seed=17)
    paired = []
    for k in range(0, len(sweep), 32):  # batches of 32: more than the ring of recent prompts
        batch = sweep[k : k + 32]
        paired += [r | {"event_id": f"{r['event_id']}-p", "output_tokens": 1, "max_tokens": 1} for r in batch]
        paired += batch
    t0 = sweep[0]["ts"]
    for i, r in enumerate(paired):
        r["ts"] = t0 + i * 0.5
    at = _first_action(paired)
    assert at is not None
    assert at / 2 < GREEDY_ANSWERS
