"""The random-variant traffic simulator: deterministic per seed, different across seeds, valid events."""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.lab.traffic import randomized as rnd
from distillguard.lab.traffic.randomized import (
    ATTACK,
    HONEST,
    LATER_ATTACK,
    LATER_HONEST,
    LATEST_HONEST,
    PRESENCE,
    _accounts,
    build_random,
    plan,
)
from distillguard.lab.traffic.simulate import merged
from distillguard.lab.traffic.text import PromptPool, Windows, compose, fast_simhash, make_vocab, seg, sentence
from distillguard.models.event import parse_event
from distillguard.models.simhash import prompt_simhash


def _run(seed: int, hours: float = 0.5, scale: float = 0.12) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    gens, labels, _ = build_random(seed, hours, scale)
    events = list(merged(gens))
    for e in events:
        del e["_text"]
    return events, labels


@pytest.fixture(scope="module")
def short_runs() -> dict[int, tuple[list[dict[str, Any]], dict[str, Any]]]:
    return {s: _run(s) for s in (3, 1004)}


def test_same_seed_same_world(short_runs: dict[int, tuple[list[dict[str, Any]], dict[str, Any]]]) -> None:
    """Determinism: the same seed gives byte-identical events and labels."""
    events, labels = _run(3)
    assert orjson.dumps(events) == orjson.dumps(short_runs[3][0])
    assert labels == short_runs[3][1]


def test_different_seeds_different_parameters() -> None:
    """Each seed draws its own populations, sizes and rates."""
    plans = [plan(s) for s in range(1, 11)]
    assert len({orjson.dumps(p["populations"]) for p in plans}) == 10
    assert len({frozenset(p["populations"]) for p in plans}) > 5  # which populations appear differs
    assert len({p["start"] for p in plans}) > 5
    rates = {p["populations"]["chat"]["sessions_per_h"] for p in plans}
    assert len(rates) == 10


def test_every_scenario_appears_in_seeds_1_to_10() -> None:
    """Every honest population and every campaign shows up in some tuning seed."""
    seen = set()
    for s in range(1, 11):
        pops = plan(s)["populations"]
        seen |= set(pops)
        assert sum(1 for k in pops if k in ATTACK) >= 4
        assert sum(1 for k in pops if k in HONEST) >= 10
        assert 1000 <= sum(_accounts(k, v) for k, v in pops.items()) <= 2500
        assert 150_000 <= sum(v["est"] for v in pops.values()) <= 400_000
    off = {k for k, v in PRESENCE.items() if v == 0.0}  # documented in randomized.PRESENCE
    assert seen == (set(HONEST) | set(LATER_HONEST) | set(ATTACK) | set(LATER_ATTACK) | set(LATEST_HONEST)) - off


def test_events_valid_ordered_and_labelled(short_runs: dict[int, tuple[list[dict[str, Any]], dict[str, Any]]]) -> None:
    """Every event passes the contract parser, comes in time order and has a labelled account."""
    for events, labels in short_runs.values():
        assert len(events) > 1000
        last = 0.0
        for e in events:
            parse_event(e)
            assert e["ts"] >= last
            last = e["ts"]
            assert e["account_id"] in labels
        assert len({e["event_id"] for e in events}) == len(events)
        for v in labels.values():
            assert v["label"] in ("attack", "benign")
            assert ("campaign" in v) == (v["label"] == "attack")
        scenarios = {labels[e["account_id"]]["scenario"] for e in events}
        assert any(s in ATTACK for s in scenarios)
        assert any(s in HONEST for s in scenarios)


def test_fast_simhash_is_the_contract_simhash() -> None:
    """The generator's fast hashing equals prompt_simhash on free text, segments and windows."""
    r = random.Random(7)
    vocab = make_vocab(r, 2000)
    for _ in range(300):
        t = sentence(r, vocab, 0, 120) + r.choice(["", "?", " Ünïcode ß", "\n```"])
        assert fast_simhash(t) == prompt_simhash(t)
    windows = Windows(PromptPool(r, vocab, 30, 5, 150))
    for _ in range(300):
        h, text = compose(
            [seg(r.choice(["Translate:", "", "x", "Review:\n```"])), windows.window(r, 1, 60), seg("end.")]
        )
        assert h == prompt_simhash(text)


def test_cli_random_variant_writes_world(tmp_path: Path) -> None:
    """``simulate --variant random`` writes events, labels and the drawn parameters."""
    from distillguard.streams.tools.simulate_cli import main

    out = tmp_path / "sim"
    assert (
        main(["--variant", "random", "--seed", "11", "--hours", "0.25", "--scale", "0.1", "--out", str(out), "--quiet"])
        == 0
    )
    labels = orjson.loads((out / "labels.json").read_bytes())["accounts"]
    lines = (out / "events.jsonl").read_bytes().splitlines()
    assert lines
    assert {orjson.loads(x)["account_id"] for x in lines} <= set(labels)
    assert b"_text" not in lines[0]
    assert orjson.loads((out / "world.json").read_bytes())["seed"] == 11


@pytest.mark.parametrize("group", ["LATER_ATTACK", "LATEST_HONEST"])
def test_a_population_added_later_leaves_the_others_as_they_were(monkeypatch: pytest.MonkeyPatch, group: str) -> None:
    """A population added after the seeds were in use goes last (``LATER_HONEST``, then
    ``LATER_ATTACK``, then ``LATEST_HONEST``), planned from a stream of its group's own and built
    after the groups before: without it, every other account's events are the same (so the
    figures before it can be compared)."""
    if group == "LATER_ATTACK":
        monkeypatch.setattr(rnd, "LATEST_HONEST", [])  # built after it
    names = getattr(rnd, group)
    newest = names[-1]
    seed = next(s for s in range(1, 11) if newest in plan(s)["populations"])
    events, labels = _run(seed)
    monkeypatch.setattr(rnd, group, names[:-1])
    without, labels_without = _run(seed)
    added = {a for a, v in labels.items() if v["scenario"] == newest}
    assert added
    assert not added & set(labels_without)
    assert [e for e in events if e["account_id"] not in added] == without


def test_people_trying_a_new_client_ask_a_few_questions_of_their_own_on_it_alone() -> None:
    """A client trial: a user agent no other population sends, twenty or more accounts on it, each
    two to twelve single-turn questions with no system prompt, none of them another account's,
    for answers of a few hundred tokens or more."""
    seed = next(s for s in range(1, 11) if "client_trial" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.3)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "client_trial"]
    assert mine
    assert all(labels[e["account_id"]]["label"] == "benign" for e in mine)
    agents = {e["user_agent"] for e in mine}
    others = {e["user_agent"] for e in events if labels[e["account_id"]]["scenario"] != "client_trial"}
    assert not agents & others
    per_account = Counter(e["account_id"] for e in mine)
    assert len(per_account) >= 20
    assert all(1 <= n <= 12 for n in per_account.values())
    assert not any(e["has_system_prompt"] for e in mine)
    assert all(e["n_messages"] == 1 for e in mine)
    hashes = [e["prompt_simhash"] for e in mine]
    assert len(set(hashes)) == len(hashes)
    assert statistics.median(e["output_tokens"] for e in mine) >= 250


def test_a_sharded_product_is_one_client_behind_one_nat_with_answers_as_long_as_its_prompts() -> None:
    """A product sharded over accounts: six or more accounts on a client no other population
    sends, every request from a few addresses of one cloud /24, most prompts a template sibling
    of another shard's, and answers between half and twice as long as the prompts (or cut at
    ``max_tokens``)."""
    seed = next(s for s in range(1, 11) if "sharded_product" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=1.0)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "sharded_product"]
    assert mine
    assert all(labels[e["account_id"]]["label"] == "benign" for e in mine)
    agents = {e["user_agent"] for e in mine}
    assert len(agents) == plan(seed)["populations"]["sharded_product"]["n"]
    others = {e["user_agent"] for e in events if labels[e["account_id"]]["scenario"] != "sharded_product"}
    assert not agents & others
    for ua in agents:
        shard = [e for e in mine if e["user_agent"] == ua]
        assert len({e["account_id"] for e in shard}) >= 6
        assert len({e["ip"].rsplit(".", 1)[0] for e in shard}) == 1
        assert len({e["ip"] for e in shard}) <= 4
    hashes = [(e["account_id"], int(e["prompt_simhash"], 16)) for e in mine]
    sample = random.Random(0).sample(hashes, 100)
    nearest = [min((h ^ g).bit_count() for b, g in hashes if b != a) for a, h in sample]
    assert sum(d <= 12 for d in nearest) >= 80  # the template ties the shards' prompts
    ok = [e for e in mine if e["status"] == 200]
    assert all(e["output_tokens"] <= 2.0 * e["input_tokens"] for e in ok)
    assert all(e["output_tokens"] >= 0.5 * e["input_tokens"] or e["output_tokens"] == e["max_tokens"] for e in ok)


def test_sharded_products_differ_in_whether_their_instructions_come_as_a_system_prompt() -> None:
    """Each product sends a system prompt on a share of its own: on tuning seed 1 under half its
    requests, on seed 2 nearly all, so a rule that spares products by their system prompt can
    fail on the tuning seeds."""
    shares = []
    for seed in (1, 2):
        events, labels = _run(seed, hours=1.0, scale=0.05)
        mine = [e["has_system_prompt"] for e in events if labels[e["account_id"]]["scenario"] == "sharded_product"]
        assert len(mine) >= 40
        shares.append(sum(mine) / len(mine))
    assert shares[0] < 0.5
    assert shares[1] > 0.9


def test_a_content_agency_is_an_organisation_of_writers_on_one_office_network() -> None:
    """The honest look-alike of a shell organisation: five or more accounts under one org id
    behind one /24 (at least four of them write in six hours), asking in few words for long
    pieces, partly on the agency's brief template."""
    seed = next(s for s in range(1, 11) if "content_agency" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.02)  # a working day: every writer writes
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "content_agency"]
    assert mine
    assert all(labels[e["account_id"]]["label"] == "benign" for e in mine)
    orgs: dict[str, set[str]] = {}
    nets: dict[str, set[str]] = {}
    for e in mine:
        assert e["org_id"]
        orgs.setdefault(e["org_id"], set()).add(e["account_id"])
        nets.setdefault(e["org_id"], set()).add(e["ip"].rsplit(".", 1)[0])
    assert all(len(v) >= 4 for v in orgs.values())
    assert all(len(v) == 1 for v in nets.values())
    assert statistics.median(e["output_tokens"] / e["input_tokens"] for e in mine) > 10


def test_a_proxied_office_is_people_of_every_browser_on_one_stack_no_browser_uses() -> None:
    """The honest look-alike of a campaign in costume: an office's browsers of more than one family
    on one TLS stack (its proxy's) that no one outside the office uses, behind one /24, in
    conversations that carry their history."""
    seed = next(s for s in range(1, 11) if "proxied_office" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.05)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "proxied_office"]
    assert all(labels[e["account_id"]]["label"] == "benign" for e in mine)
    stacks = {e["tls_fingerprint"] for e in mine}
    assert not [e for e in events if e["tls_fingerprint"] in stacks and e not in mine]
    for tls in stacks:
        office = [e for e in mine if e["tls_fingerprint"] == tls]
        assert len({e["ip"].rsplit(".", 1)[0] for e in office}) == 1
        assert len({"Firefox/" in e["user_agent"] or "Chrome/" not in e["user_agent"] for e in office}) == 2
    last: dict[str, dict[str, Any]] = {}
    for e in mine:  # a turn carries the previous turn's prompt and answer
        prev = last.get(e["account_id"])
        if prev is not None and e["n_messages"] == prev["n_messages"] + 2:
            assert e["input_tokens"] >= prev["input_tokens"] + prev["output_tokens"]
        last[e["account_id"]] = e


def test_prompt_tinkerers_burst_terse_prompts_some_in_a_campaigns_wording() -> None:
    """Developers trying the API from an SDK at home or on a phone: bursts of terse single-turn
    prompts seconds apart, one to three of them, each account on one address, some prompts a
    recipe a campaign's template copies too (a template sibling of its sweep, never the same
    prompt)."""
    seed = next(s for s in range(1, 11) if "prompt_tinkerer" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.3)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "prompt_tinkerer"]
    assert mine
    assert all(labels[e["account_id"]]["label"] == "benign" for e in mine)
    assert not [e for e in mine if e["user_agent"].startswith("Mozilla/") or e["n_messages"] != 1]
    assert all(e["input_tokens"] <= 40 for e in mine)
    by: dict[str, list[dict[str, Any]]] = {}
    for e in mine:
        by.setdefault(e["account_id"], []).append(e)
    for es in by.values():
        assert len({e["ip"] for e in es}) == 1
        gaps = [b["ts"] - a["ts"] for a, b in itertools.pairwise(es)]
        assert sum(g > 600.0 for g in gaps) <= 2  # one to three bursts
        assert sorted(gaps)[len(gaps) // 2] < 30.0
    campaign = [int(e["prompt_simhash"], 16) for e in events if labels[e["account_id"]]["label"] == "attack"]
    near = [
        d
        for e in mine
        if (
            d := min((int(e["prompt_simhash"], 16) ^ c).bit_count() for c in campaign[:: max(1, len(campaign) // 3000)])
        )
        <= 12
    ]
    assert near
    assert 0 not in near


def test_teams_comparing_models_run_one_question_set_again_and_again() -> None:
    """Teams comparing models: one account each, on one address, sends its own chain-of-thought
    questions (asked by no other account) at temperature 0, in two or more runs back to back,
    every later run the first run's questions again."""
    seed = next(s for s in range(1, 11) if "model_comparison" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.5)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "model_comparison"]
    assert mine
    assert all(labels[e["account_id"]]["label"] == "benign" for e in mine)
    assert all(e["temperature"] == 0.0 and e["n_messages"] == 1 for e in mine)
    by: dict[str, list[dict[str, Any]]] = {}
    for e in mine:
        by.setdefault(e["account_id"], []).append(e)
    others = {e["prompt_simhash"] for e in events if labels[e["account_id"]]["scenario"] != "model_comparison"}
    for es in by.values():
        assert len({e["ip"] for e in es}) == 1
        asked = [e["prompt_simhash"] for e in es]
        first = len(set(asked))
        assert len(asked) >= 2 * first  # every question at least twice: two runs or more
        assert asked[first:] == asked[: len(asked) - first]  # each run asks the first run's questions
        assert not set(asked) & others


def test_a_costumed_mimic_pads_its_threads_on_one_script_stack_under_browser_user_agents() -> None:
    """Mimicry in costume: browser user agents of more than one family on one TLS stack that no
    browser uses, from home or mobile addresses, in threads whose every turn follows the last
    but carries a few hundred tokens a turn, not the long answers it got."""
    seed = next(s for s in range(1, 11) if "costumed_mimic" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.5)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "costumed_mimic"]
    assert all(labels[e["account_id"]]["label"] == "attack" for e in mine)
    assert len({e["tls_fingerprint"] for e in mine}) == 1
    assert len({"Firefox/" in e["user_agent"] or "Chrome/" not in e["user_agent"] for e in mine}) == 2
    assert all(e["user_agent"].startswith("Mozilla/") for e in mine)
    last: dict[str, dict[str, Any]] = {}
    turns = 0
    for e in mine:
        prev = last.get(e["account_id"])
        if prev is not None and e["n_messages"] == prev["n_messages"] + 2 and prev["output_tokens"] >= 1000:
            turns += 1  # after a long answer
            assert e["input_tokens"] < prev["input_tokens"] + prev["output_tokens"]
        last[e["account_id"]] = e
    assert turns >= 20


def test_benchmark_harnesses_ask_short_shared_questions_for_reasoning_or_the_answer_alone_at_temperature_0() -> None:
    """The honest look-alike of a lone harvester: every team runs one of the seed's public
    benchmarks (so its questions are other teams' too), a short question at temperature 0, single
    turn; a run asks for a long chain of thought, or for the answer alone (a few tokens under a cap
    of 16), and some team runs both."""
    assert plan(5)["populations"]["benchmark_harness"]["n"] >= 3
    events, labels = _run(5, hours=4.0, scale=0.5)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "benchmark_harness"]
    assert len({e["account_id"] for e in mine}) >= 2
    assert all(e["temperature"] == 0.0 and e["n_messages"] == 1 for e in mine)
    assert statistics.median(e["input_tokens"] for e in mine) <= 120
    answered = [e for e in mine if e["status"] == 200]
    reasoned = [e for e in answered if e["max_tokens"] > 16]
    plain = [e for e in answered if e["max_tokens"] == 16]
    assert statistics.median(e["output_tokens"] for e in reasoned) >= 400
    assert plain
    assert all(e["output_tokens"] <= 16 for e in plain)
    assert {e["account_id"] for e in reasoned} & {e["account_id"] for e in plain}
    by_prompt: dict[str, set[str]] = {}
    for e in mine:
        by_prompt.setdefault(e["prompt_simhash"], set()).add(e["account_id"])
    assert any(len(v) >= 2 for v in by_prompt.values())


def _by_account(events: list[dict[str, Any]], labels: dict[str, Any], scenario: str) -> dict[str, list[dict[str, Any]]]:
    by: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if labels[e["account_id"]]["scenario"] == scenario:
            by.setdefault(e["account_id"], []).append(e)
    return by


def test_pooled_agents_send_an_agents_runs_each_request_from_any_host_of_a_few_cloud_blocks() -> None:
    """Agent trajectories harvested through a proxy range: growing contexts under a system prompt,
    answers of a harvest's length, nearly every request from a host the account has not used yet,
    in at most three /24s of one network."""
    seed = next(s for s in range(1, 11) if "pooled_agent" in plan(s)["populations"])
    events, labels = _run(seed, hours=2.0, scale=1.0)
    by = _by_account(events, labels, "pooled_agent")
    assert len(by) >= 2
    for es in by.values():
        assert labels[es[0]["account_id"]]["label"] == "attack"
        assert len({e["ip"] for e in es}) >= 0.6 * len(es)
        assert len({e["ip"].rsplit(".", 1)[0] for e in es}) <= 3
        assert len({e["asn"] for e in es}) == 1
        assert all(e["has_system_prompt"] for e in es)
        assert max(e["n_messages"] for e in es) >= 5
        assert statistics.median(e["output_tokens"] for e in es) >= 600


def test_a_padded_hydra_dresses_its_sweep_as_later_turns_of_threads_it_never_had() -> None:
    """Ten or more accounts of one campaign on one client and cloud network, most requests a
    later turn whose history is a few hundred tokens a message, far short of the answers the
    account got (so none is a thread it built)."""
    seed = next(s for s in range(1, 11) if "padded_hydra" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=1.0)
    by = _by_account(events, labels, "padded_hydra")
    assert len(by) >= 10
    mine = [e for es in by.values() for e in es]
    assert all(labels[e["account_id"]]["label"] == "attack" for e in mine)
    assert len({(e["user_agent"], e["tls_fingerprint"]) for e in mine}) == 1
    assert len({e["asn"] for e in mine}) == 1
    deep = [e for e in mine if e["n_messages"] >= 3]
    assert len(deep) >= 0.4 * len(mine)
    answers = statistics.median(e["output_tokens"] for e in mine if e["status"] == 200)
    assert answers >= 600
    assert statistics.median(e["input_tokens"] / (e["n_messages"] - 1) for e in deep) <= 450 < answers


def test_an_egress_pool_spreads_a_busy_product_over_tens_of_addresses_and_uses_each_again() -> None:
    """The honest look-alike of a rotating pool: a new address on most requests, but never more
    than 64 of them, each used again and again."""
    seed = next(s for s in range(1, 11) if "egress_pool" in plan(s)["populations"])
    events, labels = _run(seed, hours=1.0, scale=1.0)
    by = _by_account(events, labels, "egress_pool")
    assert by
    for es in by.values():
        assert labels[es[0]["account_id"]]["label"] == "benign"
        ips = {e["ip"] for e in es}
        assert 4 <= len(ips) <= 64
        assert len(es) >= 3 * len(ips)


def test_shell_orgs_spread_one_harvest_over_organisations_at_a_persons_pace() -> None:
    """Shell organisations: each org id's accounts share one client and one /24, send at most 60
    requests each at a person's pace (minutes apart), and ask for long answers; there are two
    organisations or more, and some requests carry a system prompt."""
    seed = next(s for s in range(1, 11) if "shell_orgs" in plan(s)["populations"])
    events, labels = _run(seed, hours=6.0, scale=0.5)
    mine = [e for e in events if labels[e["account_id"]]["scenario"] == "shell_orgs"]
    assert all(labels[e["account_id"]]["label"] == "attack" for e in mine)
    by_org: dict[str, list[dict[str, Any]]] = {}
    for e in mine:
        by_org.setdefault(e["org_id"], []).append(e)
    assert len(by_org) >= 2
    assert None not in by_org
    for es in by_org.values():
        assert len({e["user_agent"] for e in es}) == 1
        assert len({e["ip"].rsplit(".", 1)[0] for e in es}) == 1
        assert len({labels[e["account_id"]]["campaign"] for e in es}) == 1
    by_acct: dict[str, list[float]] = {}
    for e in mine:
        by_acct.setdefault(e["account_id"], []).append(e["ts"])
    assert all(len(ts) <= 60 for ts in by_acct.values())
    gaps = [b - a for ts in by_acct.values() for a, b in itertools.pairwise(ts)]
    assert statistics.median(gaps) >= 120.0
    assert statistics.median(e["output_tokens"] for e in mine if e["status"] == 200) >= 600
    assert any(e["has_system_prompt"] for e in mine)


def test_shell_orgs_sweep_one_campaigns_topics_each_in_its_own_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every organisation of a shell-org campaign sweeps the same topics (one taxonomy), each in
    templates of its own: one sweep spread over organisations, not one campaign per org."""
    seed = next(s for s in range(1, 11) if "shell_orgs" in plan(s)["populations"])
    made: list[tuple[Any, Any]] = []
    sweep = rnd.World.sweep

    def recording(self: rnd.World, r: random.Random, **kw: Any) -> Any:
        out = sweep(self, r, **kw)
        if kw.get("taxonomy") is not None:
            made.append((kw["taxonomy"], out))
        return out

    monkeypatch.setattr(rnd.World, "sweep", recording)
    build_random(seed, 0.25, 0.12)
    assert len(made) == plan(seed)["populations"]["shell_orgs"]["n"] >= 2
    assert all(t is made[0][0] for t, _ in made)
    assert len({tuple(map(str, s.templates)) for _, s in made}) == len(made)
    assert all(s.concepts == made[0][1].concepts for _, s in made)
