"""Popular prompts (sent from other fingerprints or networks) neither make nor dilute a harvest."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import orjson

from distillguard.models.account_features import STATE_VERSION, AccountState
from distillguard.models.campaigns import CampaignObservation
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from distillguard.models.evidence import GREEDY_ANSWERS, popular_now
from distillguard.models.policy import SubjectPolicy
from distillguard.models.popularity import PromptPopularity
from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, event, firehose

BENCH = [f"Question {i}: a benchmark problem about topic{i % 17} and case{i}. Think step by step." for i in range(240)]


def _harness(
    account: str, t0: float, ua: str, asn: int, ip: str, texts: list[str] = BENCH, temperature: float = 1.0
) -> list[dict[str, Any]]:
    """An evaluation harness running the public benchmark (or ``texts``) with chain of thought at 40 rpm."""
    return [
        event(
            event_id=f"{account}-{i}",
            account_id=account,
            ts=t0 + i * 1.5,
            ip=ip,
            asn=asn,
            user_agent=ua,
            input_tokens=60,
            output_tokens=1400 + (i * 37) % 500,
            max_tokens=4096,
            temperature=temperature,
            prompt_simhash=prompt_simhash(text),
        )
        for i, text in enumerate(texts)
    ]


def _acted(records: list[dict[str, Any]], cfg: DetectorConfig) -> set[str]:
    det = Detector(cfg)
    out = set()
    for r in sorted(records, key=lambda r: r["ts"]):
        out |= {d.subject for d in det.observe(parse_event(r)) if d.action != "allow"}
    return out


def test_the_memory_is_fixed_and_remembers_recent_prompts() -> None:
    p = PromptPopularity(12)
    size = (len(p.hashes), len(p.owners))
    for i in range(50_000):
        p.popular(int(prompt_simhash(f"prompt {i}"), 16), 1)
    assert (len(p.hashes), len(p.owners)) == size
    recent = int(prompt_simhash("prompt 49999"), 16)
    assert not p.popular(recent, 1)  # the same sender again: its own repeat, not popularity
    assert p.popular(recent, 2)


def test_harnesses_running_a_public_benchmark_are_not_harvesters() -> None:
    """Three harnesses on different clients and networks run one benchmark: long, reasoned
    answers to short, novel-to-them prompts. Those that follow the first ask what others ask."""
    records = (
        _harness("h-first", T0, "python-sdk/1.0", 16509, "34.1.1.1")
        + _harness("h-second", T0 + 3600, "node-sdk/4.2", 8075, "20.2.2.2")
        + _harness("h-third", T0 + 7200, "go-client/0.3", 15169, "35.3.3.3")
    )
    with_popularity = _acted(records, DetectorConfig())
    without = _acted(records, DetectorConfig(ablate=frozenset({"popularity"})))
    assert {"h-second", "h-third"} <= without  # the feature is what spares them
    assert not with_popularity & {"h-second", "h-third"}


def _runs(account: str, runs: int, temperature: float) -> list[dict[str, Any]]:
    """A harness running the benchmark ``runs`` times back to back at 40 rpm, on a cloud."""
    one = _harness(account, T0, "python-sdk/1.0", 16509, "34.1.1.1")
    span = len(one) * 1.5
    return [
        {**r, "event_id": f"{r['event_id']}-run{k}", "ts": r["ts"] + k * span, "temperature": temperature}
        for k in range(runs)
        for r in one
    ]


def _in_force_at_the_end(records: list[dict[str, Any]]) -> str:
    """The action in force on the records' account after the last of them ('allow' if none)."""
    det, last = Detector(), "allow"
    for r in sorted(records, key=lambda r: r["ts"]):
        for d in det.observe(parse_event(r)):
            last = d.action
    return last


def test_a_benchmark_run_again_is_no_harvest_but_a_sweep_that_repeats_itself_is() -> None:
    """The first run of a benchmark has a lone harvester's shape and is acted on. Run again at
    temperature 0 (the same answers), it asks nothing new and is released; sampled again at
    temperature 1 (new answers), it is a harvest still. A harvester whose sweep repeats itself
    at temperature 0 keeps taking new answers by the thousand (1,800 an hour here, past a
    benchmark's worth: ``GREEDY_ANSWERS``) and stays blocked."""
    assert _in_force_at_the_end(_runs("h-again", 5, 0.0)) == "allow"
    assert _in_force_at_the_end(_runs("h-samples", 5, 1.0)) != "allow"
    sweep = firehose("f-sloppy", round(4.5 * GREEDY_ANSWERS), rpm=100.0)
    rng = random.Random(7)
    for i in range(40, len(sweep)):
        if rng.random() < 0.7:  # a sweep that ran out of topics: most prompts asked before
            sweep[i]["prompt_simhash"] = sweep[rng.randrange(0, i - 20)]["prompt_simhash"]
    for r in sweep:
        r["temperature"] = 0.0
    assert _in_force_at_the_end(sweep) == "block"


def _decisions(records: list[dict[str, Any]], cfg: DetectorConfig | None = None) -> list[tuple[int, str]]:
    """(index of the triggering record, action) of every decision on the records, in order."""
    det = Detector(cfg)
    return [(i, d.action) for i, r in enumerate(records) for d in det.observe(parse_event(r))]


def test_a_benchmark_run_again_is_released_in_its_second_run_and_old_prompts_buy_a_harvester_nothing() -> None:
    """Asking only what it asked before, a harness is released as soon as its evidence stays
    low, early in its second run (the quarter of an hour a release otherwise waits is the
    length of two runs here). A blocked harvester that sends its old prompts again to look like
    one is released while it takes no new answer, and acted on again before its first new one.
    (At temperature 0 the harness's greedy decoding spares it its first run too: with that mark
    it is never acted on, and the release is seen with the mark ablated.)"""
    runs = sorted(_runs("h-again", 3, 0.0), key=lambda r: r["ts"])
    assert _decisions(runs) == []
    released = [i for i, action in _decisions(runs, NO_GREEDY_MARK) if action == "allow"]
    assert released
    assert len(BENCH) < released[0] < 1.5 * len(BENCH)
    k = GREEDY_ANSWERS / 1000.0  # the sweep's sizes scale with a benchmark's worth of answers
    start, stop = round(300 * k), round(700 * k)
    sweep = sorted(firehose("f-gamer", round(1200 * k), rpm=30.0), key=lambda r: r["ts"])  # its jitter grows
    rng = random.Random(3)
    for i in range(start, stop):  # old prompts again, then a sweep of new ones
        sweep[i]["prompt_simhash"] = sweep[rng.randrange(0, round(280 * k))]["prompt_simhash"]
    for r in sweep:
        r["temperature"] = 0.0
    decisions = _decisions(sweep)
    assert decisions[-1][1] == "block"
    for (i, action), (j, _) in itertools.pairwise(decisions):
        if action == "allow":
            assert i >= start  # released only while it sent old prompts...
            assert j < stop  # ...and acted on again before its first new one


def test_popular_prompts_do_not_dilute_a_harvest() -> None:
    """A harvester that mixes in 30 % prompts that others send keeps its answer shape and is acted on."""
    crowd = [
        event(
            event_id=f"c-{i}",
            account_id=f"person-{i}",
            ts=T0 + i,
            ip=f"98.{i % 200}.1.1",
            asn=7922 + i % 5,
            user_agent=f"browser/{i % 7}",
            prompt_simhash=prompt_simhash(f"popular question number {i}"),
        )
        for i in range(200)
    ]
    pure = firehose("fh", 200, t0=T0 + 600, rpm=30.0)
    mixed = firehose("mix", 200, t0=T0 + 600, rpm=30.0, ip="34.90.9.9")
    for i, r in enumerate(mixed):
        r["event_id"] = f"mix-{i}"
        if i % 10 < 3:  # short answers to popular questions
            r.update(prompt_simhash=prompt_simhash(f"popular question number {i}"), output_tokens=200)
    det = Detector()
    acted = set()
    for r in sorted(crowd + pure + mixed, key=lambda r: r["ts"]):
        acted |= {d.subject for d in det.observe(parse_event(r)) if d.action != "allow"}
    assert {"fh", "mix"} <= acted
    a, b = det.accounts.states["fh"], det.accounts.states["mix"]
    assert b.n_popular == 60
    assert abs(a.mean_output_tokens - b.mean_output_tokens) < 150  # 30 % of 200-token answers left out
    ev_a, _ = det.accounts.evidence(a, a.last_ts)
    ev_b, _ = det.accounts.evidence(b, b.last_ts)
    assert abs(ev_a.core - ev_b.core) < 0.05


def test_version_2_checkpoint_is_migrated() -> None:
    """A checkpoint written by the previous version loads; the new fields start at zero."""
    v2 = orjson.loads((Path(__file__).parent / "data" / "account_state_v2.json").read_bytes())
    assert v2["v"] == 2
    st = AccountState.from_state(v2)
    assert st.n == v2["n"] == 40
    assert st.mean_output_tokens == v2["mean_output_tokens"]
    assert st.baseline is not None
    assert st.baseline.mean == v2["baseline"][0]
    assert (st.popular_share, st.n_popular, st.popular_recent, st.popular_slow) == (0.0, 0, 0.0, 0.0)
    assert st.to_state()["v"] == STATE_VERSION
    st.popular_recent, st.popular_slow = 0.25, 0.5
    back = AccountState.from_state(st.to_state())
    assert (back.popular_recent, back.popular_slow) == (0.25, 0.5)  # the latest shares are checkpointed


def test_campaign_observations_carry_popularity_and_read_older_records() -> None:
    o = CampaignObservation(T0, "k", "a", "e", 0xABC, 40, 900, 4096, 1, "34.1.1.0/24", False, popular=True)
    wire = orjson.loads(orjson.dumps(o.to_list()))
    assert CampaignObservation.from_list(wire).popular is True
    assert CampaignObservation.from_list(wire[:11]).popular is False  # written before the field


def test_an_observation_sent_twice_counts_once() -> None:
    """A retried send re-delivers observations already sent: the cluster and campaign stages
    count each event once."""
    from distillguard.models.cluster_features import ClusterObservation
    from distillguard.models.detector import CampaignDetector, ClusterDetector

    clusters = ClusterDetector()
    o = ClusterObservation(T0, "34.1.1.0/24", "a", "e-1", 0xABC, "ua|tls", 0.0, False, 0.0)
    clusters.observe(o)
    clusters.observe(o)
    assert clusters.states["34.1.1.0/24"].n == 1
    campaigns = CampaignDetector()
    c = CampaignObservation(T0, "k", "a", "e-1", 0xABC, 40, 900, 4096, 1, "34.1.1.0/24", False)
    campaigns.observe(c)
    campaigns.observe(c)
    campaigns.observe(CampaignObservation(T0, "k2", "a", "e-1", 0xABC, 40, 900, 4096, 1, "34.1.1.0/24", False))
    assert campaigns.states["k"].n == 1
    assert campaigns.states["k2"].n == 1  # the same event on another linkage key is its own


def test_in_one_process_the_account_stage_drops_duplicates_for_the_stages_after_it() -> None:
    """The in-process detector's campaign stage keeps no memory of observation ids (the account
    stage in front of it has dropped the duplicate event); a stand-alone one does."""
    from distillguard.models.detector import CampaignDetector, Detector

    assert Detector().campaigns.seen is None
    assert CampaignDetector().seen is not None
    trusting = CampaignDetector(dedupe=False)
    c = CampaignObservation(T0, "k", "a", "e-1", 0xABC, 40, 900, 4096, 1, "34.1.1.0/24", False)
    trusting.observe(c)
    trusting.observe(c)
    assert trusting.states["k"].n == 2


def test_harnesses_on_one_client_and_cloud_share_a_public_benchmark_at_temperature_0() -> None:
    """Teams on the same SDK in the same cloud share a linkage key, as a campaign's accounts do.
    Asking for the very answers another account asked for at temperature 0 (the same answers
    again) is asking what is public; at temperature 1 it would be sampling a sweep twice."""

    def teams(temperature: float) -> list[dict[str, Any]]:
        names = ("t-first", "t-second", "t-third")
        return [
            r
            for k, name in enumerate(names)
            for r in _harness(name, T0 + k * 3600, "python-sdk/1.0", 16509, f"34.1.1.{k + 1}", temperature=temperature)
        ]

    assert not _acted(teams(0.0), DetectorConfig()) & {"t-second", "t-third"}
    assert {"t-second", "t-third"} <= _acted(teams(1.0), DetectorConfig())


OWN = [f"Private task {i}: derive result{i % 13} for variant{i}. Think step by step." for i in range(400)]
"""Prompts of an account's own (no other account sends them)."""


NO_GREEDY_MARK = DetectorConfig(ablate=frozenset({"greedy_mark"}))
"""Release is studied on an account acted on in its first run: at temperature 0 the greedy mark
(``tests/models/test_greedy_mark.py``) would spare that run."""


def _own_then_public(temperature: float, texts: list[str] | None = None) -> list[tuple[int, str]]:
    """(request index, action) of the decisions on an account that sends 200 prompts of its own,
    then the public benchmark (two other accounts ran it before), then 100 of its own again
    (or ``texts``), greedy mark ablated."""
    others = _harness("o-1", T0, "node-sdk/4.2", 8075, "20.2.2.2") + _harness(
        "o-2", T0, "go-client/0.3", 15169, "35.3.3.3"
    )
    texts = texts if texts is not None else OWN[:200] + BENCH + OWN[200:300]
    subject = _harness("s", T0 + 400, "python-sdk/1.0", 16509, "34.1.1.9", texts, temperature)
    det, acts = Detector(NO_GREEDY_MARK), []
    for r in sorted(others + subject, key=lambda r: r["ts"]):
        acts += [(int(r["event_id"][2:]), d.action) for d in det.observe(parse_event(r)) if d.subject == "s"]
    return acts


def test_a_blocked_account_asking_only_public_prompts_is_released_while_it_does() -> None:
    """A harness acted on in its first, novel run that goes on to a public benchmark (prompts
    other accounts sent before) at temperature 0 takes nothing of its own any more: it is
    released within a few dozen requests, not once public prompts outweigh its whole past. Its
    own prompts again, it is acted on again before it has taken many. Sampling the public
    benchmark at temperature 1 (new reasoning on every request) it is not released. The public
    prompts it sent to be released buy a harvester a few dozen answers of its own, a fraction of
    what they cost it (it is judged by about its last hundred questions)."""
    acts = _own_then_public(0.0)
    assert acts[0][1] != "allow"  # its own novel run is acted on...
    assert acts[0][0] < 60  # ...early
    released = [i for i, a in acts if a == "allow"]
    assert released
    assert 200 < released[0] < 200 + 80  # released soon after it turns to public prompts
    again = [i for i, a in acts if a != "allow" and i > released[0]]
    assert again
    assert 200 + len(BENCH) <= again[0] < 200 + len(BENCH) + 80  # its own prompts again: acted on again
    sampled = _own_then_public(1.0)
    assert sampled[0][1] != "allow"
    assert not [i for i, a in sampled if a == "allow" and i < 200 + len(BENCH)]


def test_a_released_harness_that_mostly_runs_public_prompts_stays_released() -> None:
    """A harness released for running a public benchmark, whose next run mixes in prompts of its
    own (a third: a variant nobody else runs), is judged by about its last hundred questions,
    mostly public, not by its whole past (whose novel first run would act on it again within a
    few requests, again and again). A harvester that mixes one public prompt to one of its own
    is acted on again, after a hundred requests or more (what its public prompts bought it)."""

    def mixed(public: int) -> list[str]:
        """Two public prompts then one of its own (or one then one), from the benchmark's start."""
        n = min(len(BENCH), 200 * public)
        return [t for i in range(0, n, public) for t in (*BENCH[i : i + public], OWN[200 + i // public])]

    acts = _own_then_public(0.0, OWN[:200] + BENCH[:120] + mixed(2))
    released = [i for i, a in acts if a == "allow"]
    assert acts[0][1] != "allow"
    assert released
    assert released[0] < 200 + 120
    assert not [i for i, a in acts if a != "allow" and i > released[0]]
    half = _own_then_public(0.0, OWN[:200] + BENCH[:120] + mixed(1))
    freed = next(i for i, a in half if a == "allow")
    again = [i for i, a in half if a != "allow" and i > freed]
    assert again
    assert 200 + 120 + 100 <= again[0] < 200 + 120 + 400


def test_the_last_hundred_questions_count_only_outside_an_action() -> None:
    """Under an action an account is judged by what it asks now (its latest questions) or its
    life, not by its last hundred questions: more public questions now never make it look less
    public. Outside an action the last hundred count when they are more public than its life."""
    st = AccountState(T0)
    st.n, st.n_popular, st.popular_slow = 100, 30, 0.6
    assert popular_now(st) == 0.6
    st.policy = SubjectPolicy()
    st.policy.step(0.95, T0, 1, DetectorConfig())
    assert st.policy.active
    shares = []
    for recent in (0.1, 0.25, 0.35, 0.8):
        st.popular_recent = recent
        shares.append(popular_now(st))
    assert shares == [0.3, 0.3, 0.35, 0.8]


def test_an_echo_is_public_to_the_account_and_its_groups_own_prompt() -> None:
    """Another account of one key asking for the same answer (temperature 0) counts as a popular
    prompt for the account, but not for the groups it belongs to: the accounts of one sweep
    overlap, and what they share is the sweep's own."""
    det = Detector()
    text = prompt_simhash("Solve: a train leaves at noon at 80 km/h. Think step by step.")
    first, second = (
        parse_event(event(event_id=f"e-{a}", account_id=a, ts=T0 + k, temperature=0.0, prompt_simhash=text))
        for k, a in enumerate(("a-1", "a-2"))
    )
    resampled = parse_event(event(event_id="e-3", account_id="a-3", ts=T0 + 0.5, temperature=1.0, prompt_simhash=text))
    det.accounts.observe(first)
    det.accounts.observe(resampled)
    assert det.accounts.states["a-3"].n_popular == 0  # a new answer to the same prompt: no echo
    camp = det.accounts.observe(second)[2]
    assert det.accounts.states["a-2"].n_popular == 1
    assert camp
    assert not any(o.popular for o in camp)


def test_what_an_account_asks_now_is_public_questions_at_a_low_temperature() -> None:
    """The latest-questions share reads single questions asked for the answer anyone gets: a
    popular tool result deep in a thread the account builds leaves it alone (agents see the same
    outputs), and so does a popular question sampled anew (a public benchmark at temperature 1
    gives new reasoning every time); a popular question at temperature 0 moves it."""
    st = AccountState(T0)
    for i in range(20):
        st.update(parse_event(event(event_id=f"d-{i}", ts=T0 + i, n_messages=5 + 2 * i, temperature=0.0)), popular=True)
    for i in range(20):
        st.update(parse_event(event(event_id=f"s-{i}", ts=T0 + 20 + i, temperature=1.0)), popular=True)
    assert st.popular_recent == 0.0
    for i in range(10):
        st.update(parse_event(event(event_id=f"q-{i}", ts=T0 + 40 + i, temperature=0.0)), popular=True)
    assert st.popular_recent > 0.3
