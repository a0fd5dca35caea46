"""The campaign stage's memory of one linkage group: members' ties of content."""

from __future__ import annotations

import json
import random

import pytest

from distillguard.models.campaigns import CampaignObservation, CampaignState
from distillguard.models.detector import AccountDetector, CampaignDetector
from distillguard.models.event import Event, parse_event
from tests.factories import event

T0 = 1_800_000_000.0


def _obs(ts: float, account: str, simhash: int, n: int, key: str = "fp:x") -> CampaignObservation:
    return CampaignObservation(ts, key, account, f"{account}-{n}", simhash, 40, 1500, 4096, 1, "34.1.2.0/24", False)


def _sibling(rng: random.Random, template: int) -> int:
    """A prompt of the template: a few bits of the template's hash flipped (a different fill)."""
    h = template
    for b in rng.sample(range(64), rng.randint(3, 8)):
        h ^= 1 << b
    return h


def test_a_busy_account_does_not_hide_members_template_siblings() -> None:
    """Forty accounts sweep one template, one request every 30 s between them, on a key where a
    busy service sends its own prompts every second: members' ties are judged against the
    latest prompt of each recent account, so the flood of the service's requests does not hide
    them; the service, whose prompts are its own, is not tied."""
    rng = random.Random(1)
    template = rng.getrandbits(64)
    st = CampaignState(T0)
    for s in range(4 * 3600):
        ts = T0 + s
        st.update(_obs(ts, "service", rng.getrandbits(64), s), 0.2)
        if s % 30 == 0:
            st.update(_obs(ts, f"member-{(s // 30) % 40}", _sibling(rng, template), s), 0.9)
    ties = [m[7] for a, m in st.members.items() if a.startswith("member-")]
    assert sum(ties) / len(ties) >= 0.8
    assert st.members["service"][7] <= 0.05


def _group(popular_share: float, novel_share: float, template_share: float) -> CampaignState:
    """Ten accounts behind two /24s, each asking for long answers, tied by one template."""
    st = CampaignState(T0)
    for k in range(10):
        # first seen, last seen, requests, verdict until, shape, cluster, log gap, tie, system, popular
        st.members[f"a{k}"] = [T0, T0 + 3000, 4.0, 0.0, 0.85, float(k % 2), 5.0, 0.6, 0.0, popular_share]
    st.n, st.count_hour, st.new_accounts_hour, st.last_ts = 40, 21.0, 5.4, T0 + 3000
    st.popular_share, st.novel_share, st.template_share = popular_share, novel_share, template_share
    st.cross_template_share, st.shallow_share = 0.22, 0.6
    return st


@pytest.mark.parametrize("gate", [True, False])
def test_ties_amplify_a_harvest_but_are_not_one(gate: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A class sending variations of one assignment from a campus network has every tie of a
    campaign (many accounts, few /24s, one template, arriving together) but asks mostly what
    the others ask (popular prompts): it is not a campaign. The same group sweeping prompts of
    its own is. Without the gate on ties, the class is a campaign."""
    if not gate:
        monkeypatch.setattr("distillguard.models.detector.TIE_GATE", 1e-9)
    det = CampaignDetector()
    ts = T0 + 3000
    classroom = _group(popular_share=0.56, novel_share=0.78, template_share=0.32)
    sweep = _group(popular_share=0.0, novel_share=1.0, template_share=0.8)
    cut = det.cfg.campaign_score
    assert (det.judge(classroom, classroom.raw(ts), 10, "fp:x|as1").score < cut) is gate
    assert det.judge(sweep, sweep.raw(ts), 10, "fp:x|as1").score >= cut


def test_a_sampled_observation_counts_for_the_requests_it_stands_for() -> None:
    """An observation of weight 4 adds four requests to the group's rate, to its count and to the
    member's, and its wire form carries the weight; observations written before it read as one."""
    st = CampaignState(T0)
    st.update(_obs(T0, "busy", 1, 0), 0.2)
    o = _obs(T0 + 1, "busy", 2, 1)
    o.weight = 4
    st.update(o, 0.2)
    assert st.n == 5
    assert st.members["busy"][2] == 5.0
    assert 4.9 < st.count_hour <= 5.0
    assert CampaignObservation.from_list(o.to_list()).weight == 4
    assert CampaignObservation.from_list(o.to_list()[:12]).weight == 1


def _account_events(account: str, n: int, output_tokens: int, input_tokens: int) -> list[Event]:
    rng = random.Random(account)
    return [
        parse_event(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=T0 + i * 3.0,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                prompt_simhash=f"{rng.getrandbits(64):016x}",
            )
        )
        for i in range(n)
    ]


def test_busy_accounts_that_cannot_harvest_are_sampled() -> None:
    """After 50 requests, an account with short answers to long prompts (a product's backend)
    reaches the campaign stage one request in four, each observation standing for four; an
    account asking for long answers to short prompts is followed request by request."""
    sent: dict[str, list[int]] = {"backend": [], "harvester": []}
    for name, out, inp in (("backend", 250, 1800), ("harvester", 1500, 40)):
        det = AccountDetector()
        for e in _account_events(name, 250, out, inp):
            _, _, camp = det.observe(e)
            sent[name].extend(o.weight for o in camp if o.key.startswith("fp:") and "|" not in o.key)
    assert len(sent["harvester"]) == 250
    assert set(sent["harvester"]) == {1}
    # 49 requests one by one, then requests 50-249 four by four; the 250th is not yet stood for
    assert sent["backend"] == [1] * 49 + [4] * 50


def _harvesters(rng: random.Random, template: bool, gap_s: float) -> list[CampaignObservation]:
    """Twelve accounts on one browser x ISP key asking for long answers every ``gap_s``, from one
    template or each in prompts of its own."""
    base = rng.getrandbits(64)
    out = []
    for k in range(12):
        t = T0 + k * 60.0
        for n in range(int(5400 // gap_s)):
            h = _sibling(rng, base) if template else rng.getrandbits(64)
            out.append(_obs(t, f"bot-{k}", h, n, key="fp:b|as7"))
            t += gap_s * rng.uniform(0.8, 1.2)
    return out


def _writers(rng: random.Random) -> list[CampaignObservation]:
    """Five people on the same browser and ISP: a long piece and two follow-ups a few minutes apart."""
    out = []
    for k in range(5):
        t = T0 + 1800.0 + k * 600.0
        for n in range(3):
            out.append(_obs(t, f"writer-{k}", rng.getrandbits(64), n, key="fp:b|as7"))
            t += rng.uniform(150.0, 280.0)
    return out


def test_a_templated_campaign_takes_only_members_that_share_its_template_or_a_scripts_pace() -> None:
    """Writers on a templated campaign's browser and ISP, each with a long-answer request and
    follow-ups a few minutes later, in words of their own, are not its members."""
    rng = random.Random(3)
    det = CampaignDetector()
    stream = sorted(_harvesters(rng, True, 40.0) + _writers(rng), key=lambda o: o.ts)
    acted = {v.account for o in stream for v in det.observe(o)}
    assert {f"bot-{k}" for k in range(12)} <= acted
    assert not {a for a in acted if a.startswith("writer-")}


def test_a_swarm_without_a_template_is_judged_by_its_pace() -> None:
    """Twelve accounts each asking prompts of their own every three minutes: no template ties them,
    and they harvest to the last account, so the pace is the evidence and each is acted on."""
    det = CampaignDetector()
    stream = sorted(_harvesters(random.Random(4), False, 180.0), key=lambda o: o.ts)
    acted = {v.account for o in stream for v in det.observe(o)}
    assert {f"bot-{k}" for k in range(12)} <= acted


def test_a_group_snapshot_round_trips_and_older_ones_start_without_peers() -> None:
    """A checkpoint restores the group as it was (members, rings, peers); one written before the
    peers existed restores with an empty peer ring."""
    rng = random.Random(5)
    st = CampaignState(T0)
    for i in range(40):
        st.update(_obs(T0 + i, f"a{i % 5}", rng.getrandbits(64), i), 0.8)
    snap = json.loads(json.dumps(st.to_state()))
    assert CampaignState.from_state(snap).to_state() == st.to_state()
    old = {k: v for k, v in snap.items() if not k.startswith("peer")}
    back = CampaignState.from_state(old)
    assert (back.peer_fill, back.peers, back.members) == (0, [0] * 16, st.members)


def test_members_from_an_older_snapshot_read_their_changes_of_address_as_unknown() -> None:
    """A member written before members remembered their changes of /24 (ten fields) reads it as
    0.5: neither a person keeping to one /24 nor a rotating exit, until its requests tell."""
    rng = random.Random(6)
    st = CampaignState(T0)
    for i in range(10):
        st.update(_obs(T0 + i, f"a{i % 2}", rng.getrandbits(64), i), 0.8)
    snap = json.loads(json.dumps(st.to_state()))
    snap["members"] = {a: m[:10] for a, m in snap["members"].items()}
    back = CampaignState.from_state(snap)
    assert [m[10] for m in back.members.values()] == [0.5, 0.5]
    assert all(m[:10] == st.members[a][:10] for a, m in back.members.items())


def test_a_late_request_neither_rewinds_a_members_last_request_nor_shortens_its_life() -> None:
    """A request that arrives late (within the accepted lateness) is counted, but the member's
    first and last requests stay its earliest and latest: how long it has been asking (which
    makes a steady member on a client alone) does not shrink or turn negative."""
    st = CampaignState(T0)
    st.update(_obs(T0 + 100.0, "a", 1, 0), 0.5)
    st.update(_obs(T0 + 3700.0, "a", 2, 1), 0.5)
    st.update(_obs(T0 + 3450.0, "a", 3, 2), 0.5)  # 250 s late
    st.update(_obs(T0 + 0.0, "a", 4, 3), 0.5)  # older than its first
    m = st.members["a"]
    assert (m[0], m[1], m[2]) == (T0, T0 + 3700.0, 4.0)
