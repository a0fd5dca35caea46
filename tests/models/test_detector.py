"""The detection core on small scripted traffic: what it catches, spares, and how it behaves."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import orjson
import pytest

from distillguard.models.account_features import AccountState, UnknownStateVersion
from distillguard.models.campaigns import CampaignState, CampaignVerdict
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import AccountDetector, CampaignDetector, Detector, DuplicateEvent, LateEvent
from distillguard.models.event import parse_event
from distillguard.models.evidence import answer_steadiness
from distillguard.models.simhash import prompt_simhash
from tests.factories import chat_user, event, firehose, hydra

SCHEMA = json.loads((Path(__file__).parents[2] / "contracts" / "throttle_decision.schema.json").read_text())


def run(records: list[dict[str, object]], cfg: DetectorConfig | None = None) -> list[dict[str, object]]:
    det = Detector(cfg)
    out = []
    for r in sorted(records, key=lambda r: r["ts"]):
        out.extend(d.to_dict() for d in det.observe(parse_event(r)))
    return out


def _acted_accounts(records: list[dict[str, object]]) -> set[str]:
    """The accounts a fresh detector throttles or blocks on ``records`` (put in time order)."""
    decisions = run(sorted(records, key=lambda r: r["ts"]))
    return {str(d["subject"]) for d in decisions if d["action"] != "allow" and d["subject_type"] == "account"}


def test_firehose_is_acted_on_within_100_requests() -> None:
    """A harvesting script is throttled, then blocked, well within its first 100 requests."""
    decisions = run(firehose("fh", 150))
    actions = [d for d in decisions if d["subject"] == "fh"]
    assert actions, "no decision for the firehose"
    first = actions[0]
    assert first["action"] == "throttle"
    assert int(str(first["trigger_event_id"]).split("-")[1]) < 100
    assert any(d["action"] == "block" for d in actions)
    assert first["reasons"]
    assert "harvest_signature" in first["reasons"][0]


def test_honest_chat_users_are_not_actioned_beside_a_campaign() -> None:
    """Diverse, multi-turn, human-paced users get no decision while a script next to them does."""
    records = firehose("fh", 120)
    for i in range(20):
        records += chat_user(f"user-{i}", 80)
    decisions = run(records)
    assert {d["subject"] for d in decisions if d["subject_type"] == "account"} == {"fh"}


def test_one_decision_per_change_of_state() -> None:
    """A continuing campaign yields a handful of decisions, not one per event."""
    decisions = run(firehose("fh", 400))
    assert 2 <= len(decisions) <= 6


def test_decisions_follow_the_contract() -> None:
    """Every decision carries the schema's required fields with valid values."""
    for d in run(firehose("fh", 120)):
        assert set(SCHEMA["required"]) <= d.keys()
        assert d["action"] in SCHEMA["properties"]["action"]["enum"]
        assert 0.0 <= float(d["score"]) <= 1.0
        assert int(d["ttl_s"]) >= 1


def test_same_input_same_decisions() -> None:
    """Deterministic for a seed: two runs give identical decisions, ids included."""
    records = firehose("fh", 150) + chat_user("u", 60)
    assert run(records) == run(records)


def test_allowlisted_account_is_never_actioned() -> None:
    """An account on the allowlist gets no decision, however it behaves."""
    assert run(firehose("fh", 150), DetectorConfig(allowlist=frozenset({"fh"}))) == []


def test_late_and_duplicate_events_are_refused() -> None:
    """Older than watermark - lateness, or an event_id seen before: raised, not folded in."""
    det = AccountDetector(DetectorConfig(lateness_s=60))
    det.observe(parse_event(event(event_id="a", ts=1000.0)))
    det.observe(parse_event(event(event_id="b", ts=950.0)))  # out of order, within allowance
    with pytest.raises(LateEvent, match="behind the watermark"):
        det.observe(parse_event(event(event_id="c", ts=900.0)))
    with pytest.raises(DuplicateEvent):
        det.observe(parse_event(event(event_id="a", ts=1001.0)))
    assert det.states["acct-1"].n == 2


def test_state_snapshot_roundtrip_continues_identically() -> None:
    """A restart restores each account from its checkpoint alone (the shared population models
    start again empty), and the account's decisions continue as they would have."""
    records = [parse_event(r) for r in firehose("fh", 200)]
    a = AccountDetector()
    for e in records[:10]:
        a.observe(e)
    snap = orjson.loads(orjson.dumps(a.states["fh"].to_state()))
    b = AccountDetector()
    b.loader = lambda k: AccountState.from_state(snap)
    out_a = [(d.action, d.trigger_event_id) for e in records[10:] for d in a.observe(e)[0]]
    out_b = [(d.action, d.trigger_event_id) for e in records[10:] for d in b.observe(e)[0]]
    assert out_a
    assert out_a == out_b


def test_version_1_checkpoint_is_migrated() -> None:
    """A checkpoint written by the previous (positional) format loads with its policy and baseline."""
    v1 = orjson.loads((Path(__file__).parent / "data" / "account_state_v1.json").read_bytes())
    st = AccountState.from_state(v1)
    assert st.n == v1[1]
    assert st.policy is not None
    assert st.policy.action == v1[6][0]
    assert st.baseline is not None
    assert st.baseline.mean == v1[7][0]
    assert st.mean_output_tokens == v1[0][5]
    assert st.fill_share == 0.0  # new in version 2: starts at its default
    assert st.greedy_taken == st.n  # new in version 6: each of its answers counted one, as then
    again = AccountState.from_state(orjson.loads(orjson.dumps(st.to_state())))
    assert again.to_state() == st.to_state()


def _copy_account(spread: float, n: int = 40) -> AccountState:
    """An account's state after ``n`` answers of about 400 tokens, log lengths spread by ``spread``."""
    rng = random.Random(2)
    st = AccountState(1000.0)
    for i in range(n):
        out = int(400 * math.exp(rng.gauss(0.0, spread)))
        st.update(parse_event(event(event_id=f"c{i}", ts=1000.0 + 60 * i, output_tokens=out, max_tokens=8192)))
    return st


def test_answers_of_one_length_are_steady_and_a_sweeps_are_not() -> None:
    """Copy asked for at one length keeps its size (steady 1); answers to a sweep of questions
    range widely (0); too few answers of its own say nothing yet (0)."""
    assert answer_steadiness(_copy_account(0.05)) == 1.0
    assert answer_steadiness(_copy_account(0.7)) == 0.0
    assert answer_steadiness(_copy_account(0.05, n=5)) == 0.0


def test_a_version_3_checkpoint_reads_its_answers_as_unsteady() -> None:
    """A state written before answer lengths were kept (version 3) loads with lengths of unknown
    spread: not sized copy, whatever its past; versions 4 and on keep them across a checkpoint."""
    st = _copy_account(0.05)
    now = orjson.loads(orjson.dumps(st.to_state()))
    assert now["v"] >= 4
    assert answer_steadiness(AccountState.from_state(now)) == 1.0
    assert answer_steadiness(AccountState.from_state(now | {"v": 4})) == 1.0
    v3 = {k: v for k, v in now.items() if k not in ("log_out", "greedy_share")} | {"v": 3}
    assert answer_steadiness(AccountState.from_state(v3)) == 0.0


def test_unknown_checkpoint_version_is_refused() -> None:
    with pytest.raises(UnknownStateVersion):
        AccountState.from_state({"v": 99})


def test_idle_accounts_are_evicted() -> None:
    """Subjects idle past idle_evict_s with nothing in force are forgotten."""
    det = AccountDetector(DetectorConfig(idle_evict_s=100))
    det.observe(parse_event(event(event_id="a", ts=1000.0, account_id="old")))
    det.observe(parse_event(event(event_id="b", ts=1200.0, account_id="new")), partition=3)
    assert det.evict(1200.0) == [("old", 0)]
    assert set(det.states) == {"new"}


def test_a_hydra_under_the_per_account_minimum_is_acted_on_as_a_campaign() -> None:
    """30 accounts x 8 templated requests (each below min_events) from one client on one cloud
    network: the campaign is found, its members are blocked, new members at their first request,
    and the reasons name the campaign and its ties."""
    records = hydra("hy", 30, 8)
    decisions = run(records)
    blocked = {d["subject"] for d in decisions if d["action"] == "block" and d["subject_type"] == "account"}
    assert len(blocked) >= 25
    late = [f"hy-{a:03d}" for a in range(20, 30)]
    first_seen = {a: min(r["ts"] for r in records if r["account_id"] == a) for a in late}
    for a in late:  # members joining after the campaign is known: blocked at their first request
        d = next(d for d in decisions if d["subject"] == a)
        assert d["trigger_event_ts"] == first_seen[a]
    reason = next(d for d in decisions if d["subject"] in blocked)["reasons"][0]
    assert reason.startswith("campaign c-")
    assert "active accounts" in reason


def test_honest_users_sharing_a_client_and_network_are_not_a_campaign() -> None:
    """Many chat users on one app and one ISP share a linkage key but do not harvest together."""
    records = []
    for i in range(40):
        records += [dict(r, ip=f"98.10.{i % 7}.{i + 1}") for r in chat_user(f"user-{i}", 12)]
    assert not [d for d in run(records) if d["action"] != "allow"]


WORDS = [f"word{i}" for i in range(5000)]


def _writers_on(ua: str, tls: str, n: int, t0: float) -> list[dict[str, object]]:
    """People asking for long pieces in a few words, each from home, on one popular browser."""
    rng = random.Random(7)
    out: list[dict[str, object]] = []
    for w in range(n):
        for i in range(14):
            out.append(
                event(
                    event_id=f"writer-{w}-{i}",
                    account_id=f"writer-{w}",
                    ts=t0 + w * 7.0 + i * 420.0,  # a few minutes to read each piece
                    ip=f"98.{40 + w}.7.9",
                    asn=7922 + w,
                    user_agent=ua,
                    tls_fingerprint=tls,
                    input_tokens=25,
                    output_tokens=1500,
                    max_tokens=4096,
                    prompt_simhash=prompt_simhash(" ".join(rng.choice(WORDS) for _ in range(12))),
                )
            )
    return out


@pytest.mark.parametrize("tie_rule", [True, False])
def test_a_campaign_spoofing_a_popular_browser_takes_only_its_own(tie_rule: bool, monkeypatch) -> None:
    """A swarm on residential proxies spoofs a popular browser: one fingerprint across many
    networks links it with that browser's honest writers. The campaign's members are blocked;
    a writer with a history of its own (its prompts unlike the campaign's) is not."""
    ua, tls = "Mozilla/5.0 Chrome/131.0", "t13d1516h2_8daaf6152771"
    swarm = [dict(r, user_agent=ua, tls_fingerprint=tls, asn=20000 + i % 40) for i, r in enumerate(hydra("sw", 40, 6))]
    if not tie_rule:
        monkeypatch.setattr("distillguard.models.detector.MIN_MEMBER_TIE", 0.0)
    decisions = run(sorted(swarm + _writers_on(ua, tls, 12, swarm[0]["ts"] + 600), key=lambda r: r["ts"]))
    acted = {d["subject"] for d in decisions if d["action"] != "allow"}
    assert len({a for a in acted if a.startswith("sw-")}) >= 30
    writers = {a for a in acted if a.startswith("writer-")}
    if tie_rule:
        assert not writers
    else:
        assert writers  # without the rule the writers go down with the campaign


def _as(base: dict[str, object], account: str, i: int, **fields: object) -> dict[str, object]:
    """``base`` as the ``i``-th request of another account (its own event id and API key)."""
    return dict(base, event_id=f"{account}-{i}", account_id=account, api_key_id=f"key-{account}", **fields)


def _slow_campaign(accounts: int, per_account: int, gap_s: float, stagger_s: float) -> list[dict[str, object]]:
    """One template swept across many accounts, each at a reading pace, new accounts joining
    one by one (a campaign spread thin)."""
    out = []
    for r in hydra("thin", accounts, per_account):
        a, i = str(r["account_id"]), int(str(r["event_id"]).rsplit("-", 1)[1])
        out.append(dict(r, ts=T0 + int(a.rsplit("-", 1)[1]) * stagger_s + i * gap_s))
    return sorted(out, key=lambda r: r["ts"])


T0 = 1_800_000_000.0


@pytest.mark.parametrize("tie_pace", [True, False])
def test_a_campaign_spread_thin_is_paced_by_its_template_not_its_accounts(tie_pace: bool) -> None:
    """Forty accounts sweep one template, each a request every 15 minutes (a person's pace): the
    shared template is the coordination a slow account hides, so the campaign is acted on as
    a whole. Without the tie standing in for pace, no account looks like a harvester alone."""
    # Without the tie, a steady crowd's shape alone (``steady_purity``) would still make it a
    # campaign: both are off to show that no account looks like a harvester alone.
    cfg = DetectorConfig(ablate=frozenset() if tie_pace else frozenset({"tie_pace", "steady_purity", "steady_crowd"}))
    decisions = run(_slow_campaign(40, 16, 1200.0, 300.0), cfg)
    acted = {d["subject"] for d in decisions if d["action"] != "allow" and d["subject_type"] == "account"}
    if tie_pace:
        assert len(acted) >= 30
        assert all(str(d["reasons"][0]).startswith("campaign c-") for d in decisions if d["subject"] in acted)
    else:
        assert not acted


def test_a_person_on_a_thin_campaigns_network_is_not_its_member() -> None:
    """People on the campaign's client and network who ask their own things at a reading pace
    share its linkage key, not its template: the campaign's verdicts pass them by."""
    campaign = _slow_campaign(40, 16, 1200.0, 300.0)
    rng = random.Random(3)
    people = [
        _as(
            campaign[0],
            f"person-{p}",
            i,
            ts=T0 + 300.0 + p * 400.0 + i * 420.0,  # a few minutes to read each answer
            prompt_simhash=prompt_simhash(" ".join(rng.choice(WORDS) for _ in range(12))),
        )
        for p in range(6)
        for i in range(12)
    ]
    acted = _acted_accounts(campaign + people)
    assert len([a for a in acted if a.startswith("thin-")]) >= 30
    assert not [a for a in acted if a.startswith("person-")]


def test_a_system_prompt_does_not_hide_accounts_tied_by_their_template() -> None:
    """The same thin campaign with a system prompt on every request: a product's mark explains
    one application's traffic, not forty accounts sweeping one template, so it is seen. A lone
    account at a reading pace with the same system prompts and answers is not acted on."""
    campaign = [dict(r, has_system_prompt=True) for r in _slow_campaign(40, 16, 1200.0, 300.0)]
    decisions = run(campaign)
    acted = {d["subject"] for d in decisions if d["action"] != "allow" and d["subject_type"] == "account"}
    assert len(acted) >= 30
    lone = [dict(r, account_id="lone", api_key_id="key-lone") for r in campaign if r["account_id"] == "thin-000"]
    assert not [d for d in run(lone) if d["action"] != "allow"]


@pytest.mark.parametrize("young_rule", [True, False])
def test_a_swarm_beside_a_busy_product_on_its_client_is_a_campaign(young_rule: bool, monkeypatch) -> None:
    """Twenty new accounts, each harvesting fast with prompts of its own (no template to tie
    them), on one client across many networks, and three busy products on the same client: a
    product is judged on its own evidence, so the swarm is nearly all harvesters and is acted
    on; the products are not. Without judging the young (or the steady) members apart from the
    busy ones, the swarm is a crowd."""
    if not young_rule:
        monkeypatch.setattr(CampaignDetector, "_young_purity", lambda self, active: 0.0)
        monkeypatch.setattr(
            CampaignDetector, "_steady_purity", lambda self, active, min_members=0, strangers=False: (0.0, 0.0)
        )
        monkeypatch.setattr(CampaignDetector, "_young_cohort", lambda self, active: False)
        monkeypatch.setattr(CampaignDetector, "_steady_crowd", lambda self, active, key: None)
    rng = random.Random(11)
    swarm = [
        dict(r, asn=30000 + i % 17, prompt_simhash=f"{rng.getrandbits(64):016x}")
        for i, r in enumerate(hydra("sw", 20, 7, gap_s=30.0))
    ]
    t0, t1 = swarm[0]["ts"] - 600, swarm[-1]["ts"]
    products = [
        _as(
            swarm[0],
            f"product-{p}",
            i,
            ip=f"34.91.7.{p + 1}",
            ts=t0 + i * 2.0 + p * 0.5,
            input_tokens=120,
            output_tokens=390,
            has_system_prompt=True,
            prompt_simhash=f"{rng.getrandbits(64):016x}",
        )
        for p in range(3)
        for i in range(int((t1 - t0) / 2.0))
    ]
    decisions = run(sorted(swarm + products, key=lambda r: r["ts"]))
    acted = {d["subject"] for d in decisions if d["action"] != "allow" and d["subject_type"] == "account"}
    assert not [a for a in acted if a.startswith("product-")]
    if young_rule:
        assert len([a for a in acted if a.startswith("sw-")]) >= 15
    else:
        assert not [a for a in acted if a.startswith("sw-")]


@pytest.mark.parametrize("template_key", [True, False])
def test_accounts_sharing_only_a_template_are_linked_by_it(template_key: bool) -> None:
    """Thirty accounts, each on its own client and its own network, sweep one template at a
    reading pace: nothing links them but what they ask. The template is a linkage key, so they
    are acted on as one campaign whose reasons name the template; without it, none is."""
    cfg = DetectorConfig(ablate=frozenset() if template_key else frozenset({"template_key"}))
    records = _template_only_campaign()
    decisions = run(records, cfg)
    acted = {d["subject"] for d in decisions if d["action"] != "allow" and d["subject_type"] == "account"}
    if template_key:
        assert len(acted) >= 15
        assert any("one prompt template" in str(d["reasons"][0]) for d in decisions if d["subject"] in acted)
    else:
        assert not acted


def test_a_person_whose_prompts_now_and_then_resemble_a_template_is_not_its_member() -> None:
    """Beside thirty accounts that sweep one template, six developers each on a client and
    network of their own ask for long answers in a few words, one prompt in six a fill of the
    same template (one way of asking for an explanation). A template is an account's tie only
    as a habit: the campaign is acted on, the developers are not (all six were before)."""
    explain = "Explain step by step how {} works. Show your reasoning in detail and give a long answer with examples."
    campaign = [
        dict(r, prompt_simhash=prompt_simhash(explain.format(f"concept{k}")))
        for k, r in enumerate(_template_only_campaign())
    ]
    rng = random.Random(5)
    people = [
        _as(
            campaign[0],
            f"dev-{p}",
            i,
            user_agent=f"dev-tool-{p}/0.1",
            tls_fingerprint=f"t13d_dev{p}",
            asn=52000 + p,
            ip=f"99.{p}.8.7",
            ts=T0 + 900.0 + p * 60.0 + i * 400.0,  # under the lone cost gate's rate
            output_tokens=rng.randint(1200, 2000),
            prompt_simhash=prompt_simhash(
                explain.format(f"thing{i}x{p}") if i % 6 == 5 else " ".join(rng.choice(WORDS) for _ in range(12))
            ),
        )
        for p in range(6)
        for i in range(30)
    ]
    acted = _acted_accounts(campaign + people)
    assert len([a for a in acted if a.startswith("thin-")]) >= 25
    assert not [a for a in acted if a.startswith("dev-")]


def _template_only_campaign() -> list[dict[str, object]]:
    """Thirty accounts sweeping one template, each on its own client and network."""
    return [
        dict(
            r,
            user_agent=f"client-{r['account_id']}/1.0",
            tls_fingerprint=f"t13d_{r['account_id']}",
            asn=40000 + int(str(r["account_id"]).rsplit("-", 1)[1]),
            ip=f"81.{int(str(r['account_id']).rsplit('-', 1)[1])}.3.4",
        )
        for r in _slow_campaign(30, 16, 1200.0, 300.0)
    ]


def _fed(det: AccountDetector, events: list[dict[str, object]]) -> list[str]:
    """Actions the account stage takes on ``events``."""
    out = []
    for raw in events:
        out += [d.action for d in det.observe(parse_event(raw))[0]]
    return out


def _faded(account: str, ts: float, score: float) -> CampaignVerdict:
    return CampaignVerdict(ts, account, "c-0001", score, 3600.0, ("campaign c-0001: test",), f"{account}-v")


def test_a_faded_campaign_does_not_release_a_member_its_own_requests_keep_blocked() -> None:
    """A campaign verdict carries the group's latest score, which falls as its members are
    blocked. A member that its own requests had blocked stays blocked; before, three evaluations
    at the faded score over 15 minutes sent an ``allow``."""
    det = AccountDetector(DetectorConfig())
    events = firehose("acct-fh", 400, rpm=20.0)
    assert "block" in _fed(det, events[:60])
    det.apply_verdict(_faded("acct-fh", float(events[60]["ts"]), 0.9))
    det.apply_verdict(_faded("acct-fh", float(events[61]["ts"]), 0.2))
    assert "allow" not in _fed(det, events[62:])


def test_a_faded_campaign_still_releases_a_member_with_no_evidence_of_its_own() -> None:
    """A chat user caught in a campaign that then fades is released, as before."""
    det = AccountDetector(DetectorConfig())
    events = chat_user("acct-chat", 200)
    assert _fed(det, events[:40]) == []
    det.apply_verdict(_faded("acct-chat", float(events[40]["ts"]), 0.9))
    det.apply_verdict(_faded("acct-chat", float(events[41]["ts"]), 0.2))
    assert "allow" in _fed(det, events[42:])


def _steady_group(popular_share: float) -> CampaignState:
    """A group on one client: thirty accounts, each a request every 15 minutes for hours
    (sixteen so far), long answers to short prompts, novel prompts with a weak template tie."""
    st = CampaignState(T0)
    ts = T0 + 4 * 3600.0
    for a in range(30):
        # first seen, last seen, requests, verdict until, shape, cluster, mean log gap, tie, system,
        # popular, roaming, long answers, popular long answers
        st.members[f"steady-{a}"] = [T0, ts - a * 20.0, 16.0, 0.0, 0.85, float(a), math.log(901.0), 0.3, 0.0]
        st.members[f"steady-{a}"] += [popular_share, 0.0, 1.0, popular_share]
    st.last_ts = ts
    st.mean_input_tokens, st.mean_output_tokens = 100.0, 2500.0
    st.novel_share, st.template_share, st.cross_template_share = 1.0, 0.1, 0.1
    st.shallow_share, st.popular_share = 1.0, popular_share
    st.count_hour, st.new_accounts_hour = 120.0, 2.0
    return st


@pytest.mark.parametrize("steady", [True, False])
def test_a_steady_crowd_on_one_client_is_judged_by_its_shape(steady: bool) -> None:
    """Every member is at a person's pace and the group shares too little of a template to be
    judged by it: at their pace none of them harvests, so the group scored 0. That all of a
    client's steady accounts keep asking novel questions for long answers, hour after hour, is
    the coordination (``steady_purity``, and the steady crowd on one client: ``steady_crowd``):
    the group is scored as a campaign."""
    off = frozenset() if steady else frozenset({"steady_purity", "steady_crowd"})
    det = CampaignDetector(DetectorConfig(ablate=off))
    st = _steady_group(popular_share=0.02)
    ts = st.last_ts
    active = st.active_members(ts)
    score = det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score
    if steady:
        assert score >= DetectorConfig().campaign_score
    else:
        assert score == 0.0


def test_a_steady_crowd_asking_what_others_ask_is_not() -> None:
    """The same crowd whose prompts others send too (popular questions: people) is not judged
    by its shape: steadiness counts only for a group sweeping prompts of its own."""
    det = CampaignDetector()
    st = _steady_group(popular_share=0.3)
    ts = st.last_ts
    active = st.active_members(ts)
    assert det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score == 0.0


def test_a_busy_service_asking_what_others_ask_does_not_hide_a_steady_crowd() -> None:
    """The crowd shares its client with three busy services that re-send prompts others send
    too (retries, a public benchmark): nine in ten of the group's requests are popular, but each
    account weighs one, and the busy ones are judged on their own evidence."""
    det = CampaignDetector()
    st = _steady_group(popular_share=0.02)
    ts = st.last_ts
    for b in range(3):
        st.members[f"busy-{b}"] = [T0, ts - 5.0, 1500.0, 0.0, 0.2, 99.0 + b, math.log(11.0), 0.0, 1.0, 0.95]
    st.popular_share = 0.9  # request-weighted: the services' traffic
    active = st.active_members(ts)
    assert det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score >= DetectorConfig().campaign_score


def test_a_busy_service_asking_what_others_ask_does_not_hide_a_young_swarm() -> None:
    """Thirty new accounts, four fast requests each, all harvest-shaped, share an SDK with two
    busy services re-sending what others send (a public benchmark, retries): eight in ten of the
    group's requests are popular. The swarm's own prompts are not, and they make its sweep."""
    det = CampaignDetector()
    st = _steady_group(popular_share=0.0)
    ts = st.last_ts
    for m in st.members.values():
        m[2], m[6] = 4.0, math.log(31.0)  # young, half a minute between requests
    for b in range(2):
        st.members[f"busy-{b}"] = [T0, ts - 5.0, 3000.0, 0.0, 0.2, 99.0 + b, math.log(6.0), 0.0, 0.0, 0.95]
    st.popular_share = 0.8  # request-weighted: the services' traffic
    active = st.active_members(ts)
    assert det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score >= DetectorConfig().campaign_score
    st.members = {a: m for a, m in st.members.items() if a.startswith("busy")} | {
        a: [*m[:9], 0.8] for a, m in st.members.items() if a.startswith("steady")
    }
    active = st.active_members(ts)
    assert det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score < DetectorConfig().campaign_score


def _swarm_beside_newcomers(swarm: int) -> CampaignState:
    """A popular SDK's group: ``swarm`` new accounts harvesting fast with prompts of their own and
    no template, six honest newcomers (a research tool, a review bot) and three busy services."""
    st = _steady_group(popular_share=0.0)
    ts = st.last_ts
    st.members = {}
    for a in range(swarm):
        st.members[f"swarm-{a}"] = [T0, ts - a * 10.0, 5.0, 0.0, 0.83, float(a), math.log(61.0), 0.0, 0.0, 0.0]
    for h in range(6):
        st.members[f"new-{h}"] = [T0, ts - h * 30.0, 2.0 + 6 * h, 0.0, 0.25, 50.0 + h, math.log(121.0), 0.0, 0.5, 0.0]
    for b in range(3):
        st.members[f"busy-{b}"] = [T0, ts - 5.0, 2000.0, 0.0, 0.1, 99.0 + b, math.log(6.0), 0.0, 1.0, 0.8]
    st.novel_share, st.template_share, st.cross_template_share, st.popular_share = 1.0, 0.5, 0.0, 0.85
    st.new_accounts_hour = 30.0
    return st


@pytest.mark.parametrize("cohort", [True, False])
def test_a_swarm_among_honest_newcomers_on_a_popular_sdk_is_a_cohort(cohort: bool) -> None:
    """Forty harvesting new accounts, a request a minute, beside six honest newcomers: the swarm
    is 87 % of the young members, never harvesters to the last one, but a cohort of them
    (``young_cohort``); the services re-send popular prompts, the swarm's own are novel."""
    det = CampaignDetector(DetectorConfig(ablate=frozenset() if cohort else frozenset({"young_cohort"})))
    st = _swarm_beside_newcomers(40)
    ts = st.last_ts
    active = st.active_members(ts)
    score = det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score
    assert (score >= DetectorConfig().campaign_score) is cohort


@pytest.mark.parametrize(("swarm", "gap_s"), [(8, 60.0), (40, 600.0)])
def test_few_harvesters_or_readers_among_newcomers_are_no_cohort(swarm: int, gap_s: float) -> None:
    """Eight harvesting new accounts beside six honest newcomers are too few to be a cohort; forty
    asking for long pieces at a reading pace (ten minutes apart) are people, not a cohort."""
    st = _swarm_beside_newcomers(swarm)
    for a, m in st.members.items():
        if a.startswith("swarm"):
            m[6] = math.log(gap_s + 1.0)
    ts = st.last_ts
    active = st.active_members(ts)
    assert CampaignDetector().judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score == 0.0


def test_a_steady_crowd_sending_system_prompts_is_judged_by_its_shape() -> None:
    """The crowd sends a system prompt on nine requests in ten: a product's mark halves a member's
    shape (its answers a little shorter here), but a crowd of small steady accounts each sending
    one is no product."""
    det = CampaignDetector()
    st = _steady_group(popular_share=0.02)
    for m in st.members.values():
        m[4], m[8] = 0.7, 0.9
    ts = st.last_ts
    active = st.active_members(ts)
    assert det.judge(st, st.raw(ts), len(active), "fp:0a1b2c3d", active).score >= DetectorConfig().campaign_score


def test_writers_in_one_app_with_its_system_prompt_are_not_acted_on() -> None:
    """Fourteen people in one writing app that brings their own keys: one client, the app's
    system prompt on every request, long pieces asked for in their own words at a reading pace.
    However their group is judged, none of them is acted on."""
    writers = [
        dict(r, has_system_prompt=True) for r in _writers_on("Quill/2.4 Electron/31", "t13d1312h2_9c41a7f0e3b2", 14, T0)
    ]
    assert not [d for d in run(writers) if d["action"] != "allow"]


def test_writers_on_one_browser_are_not_a_steady_crowd() -> None:
    """Twelve people on one browser, each asking for long pieces in their own words at a reading
    pace for hours: as steady and as long-winded as the crowd above, but sharing nothing they
    ask, so no verdict takes any of them (an untied member at a person's pace is no member)."""
    writers = _writers_on("Mozilla/5.0 Chrome/131.0", "t13d1516h2_8daaf6152771", 12, T0)
    assert not [d for d in run(writers) if d["action"] != "allow"]


def _fleet(accounts: int, requests: int, *, asn: int | None = 16509, popular: bool = False) -> list[dict[str, object]]:
    """``accounts`` busy accounts on one SDK and one cloud network, each a request a minute:
    every request with a system prompt, prompts in their own random words (no template, none
    asked twice), long answers to short prompts. With ``popular``, they all ask one shared list of
    questions instead (what many accounts ask)."""
    rng = random.Random(f"fleet-{accounts}-{popular}")
    words = [f"w{i}" for i in range(5000)]
    shared = [" ".join(rng.choice(words) for _ in range(14)) for _ in range(40)]
    out = []
    for a in range(accounts):
        for i in range(requests):
            text = rng.choice(shared) if popular else " ".join(rng.choice(words) for _ in range(14))
            out.append(
                event(
                    event_id=f"fleet-{a}-{i}",
                    account_id=f"fleet-{a}",
                    api_key_id=f"key-fleet-{a}",
                    ts=T0 + a * 7.0 + i * 60.0 * rng.uniform(0.7, 1.3),
                    ip=f"3.80.{a}.{10 + i % 2}",
                    asn=asn if asn is not None else 64000 + a,
                    user_agent="python-httpx/0.27.2",
                    tls_fingerprint="t13d1812h1_85036bcba153",
                    has_system_prompt=True,
                    input_tokens=rng.randint(150, 250),
                    output_tokens=rng.randint(1500, 2200),
                    max_tokens=4096,
                    prompt_simhash=prompt_simhash(text),
                )
            )
    return out


@pytest.mark.parametrize("fleet", [True, False])
def test_a_fleet_of_busy_accounts_with_a_system_prompt_is_one_campaign(fleet: bool) -> None:
    """Six accounts on one SDK and one cloud network, each a request a minute for two hours: a
    system prompt on every request halves each one's answer shape (the product mark), and no
    template ties them, so neither stage acted on any. A product runs on one account; six busy
    ones asking their own novel questions for long answers together are a fleet (switched on by
    ``busy_fleet``; off by default): the campaign acts on every one of them."""
    decisions = run(_fleet(6, 120), DetectorConfig(busy_fleet=fleet))
    acted = {d["subject"] for d in decisions if d["subject_type"] == "account" and d["action"] != "allow"}
    if fleet:
        assert acted == {f"fleet-{a}" for a in range(6)}
        first = next(d for d in decisions if d["subject"] == "fleet-0")
        assert "busy accounts that each harvest alike" in str(first["reasons"][0])
    else:
        assert acted == set()


@pytest.mark.parametrize(
    ("accounts", "asn", "popular"),
    [(4, 16509, False), (6, None, False), (6, 16509, True)],
    ids=["four-accounts", "six-networks", "popular-prompts"],
)
def test_what_is_no_fleet(accounts: int, asn: int | None, popular: bool) -> None:
    """No fleet: fewer accounts than a campaign needs (one customer's few services); the same
    client on six networks (a popular SDK's honest services, linked by nothing but the SDK); busy
    accounts asking what many others ask (an evaluation on a public benchmark)."""
    decisions = run(_fleet(accounts, 120, asn=asn, popular=popular), DetectorConfig(busy_fleet=True))
    assert [d for d in decisions if d["subject_type"] == "account"] == []


@pytest.mark.parametrize("tie", [0.0, 0.2])
def test_busy_accounts_sharing_a_template_are_no_fleet(tie: float) -> None:
    """Six busy accounts on one client and network, each harvest-shaped with its system prompt
    aside, none asking popular prompts: a fleet while they share nothing else. One product spread
    over six accounts wraps its users' questions in its one template, each account tied to the
    others in part (a fifth of its prompts here): the group is judged by its template, not as a
    fleet."""
    det = CampaignDetector(DetectorConfig(busy_fleet=True))
    st = _steady_group(popular_share=0.0)
    ts = st.last_ts
    st.members = {
        f"tenant-{a}": [T0, ts - a * 5.0, 400.0, 0.0, 0.68, float(a), math.log(31.0), tie, 1.0, 0.0] for a in range(6)
    }
    st.cross_template_share = tie
    active = st.active_members(ts)
    assert (det._busy_fleet(st, active, "fp:0a1b2c3d|as16509") is not None) == (tie == 0.0)
