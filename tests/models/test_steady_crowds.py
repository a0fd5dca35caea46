"""A sweep spread thin over one client's accounts, with no template, padded with short questions
anyone asks, at a reader's pace: the steady crowd on the client is its tie. An app's users (its
system prompt on their requests) and writers asking for pieces others ask for too are no crowd."""

from __future__ import annotations

import bisect
import random
from typing import Any

from distillguard.models.campaigns import TIE_EVIDENCE, CampaignState, long_popular
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import STEADY_SPAN_S
from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, developer_bursts, event, replay

SHORT = [f"What is the capital of country number {i}?" for i in range(12)]
"""Short questions anyone asks (each sent by many accounts: popular)."""
BRIEFS = [f"Write a long essay about the history of topic {i} for my class." for i in range(30)]
"""Pieces of writing many people ask for."""


def _ask(
    prefix: str,
    a: int,
    i: int,
    t: float,
    text: str,
    inp: int,
    answer: int,
    *,
    ip: str,
    asn: int,
    user_agent: str,
    tls: str,
    messages: int = 1,
    system: bool = False,
) -> dict[str, Any]:
    """Request ``i`` of account ``a`` of a population named ``prefix``: ``text`` for ``answer`` tokens."""
    return event(
        event_id=f"{prefix}-{a}-{i}",
        account_id=f"{prefix}-{a:03d}",
        api_key_id=f"key-{prefix}-{a}",
        ts=t,
        ip=ip,
        asn=asn,
        user_agent=user_agent,
        tls_fingerprint=tls,
        input_tokens=inp,
        output_tokens=answer,
        max_tokens=4096,
        n_messages=messages,
        has_system_prompt=system,
        prompt_simhash=prompt_simhash(text),
    )


def _crowd(
    prefix: str, accounts: int = 24, per_account: int = 20, *, system: bool = False, briefs: float = 0.0
) -> list[dict[str, Any]]:
    """``accounts`` accounts on one client, each on a cloud /24 of its own in one of three
    providers, asking ``per_account`` questions 8-15 minutes apart: a quarter of them short
    questions anyone asks (short answers), the rest a question of its own (or, for a ``briefs``
    share of them, a piece many ask for) for a long answer, a third of those padded with a
    made-up history; with ``system``, an app's system prompt on every request."""
    rng = random.Random(prefix)
    out = []
    for a in range(accounts):
        t = T0 + rng.uniform(0, 900)
        for i in range(per_account):
            if rng.random() < 0.25:
                text, inp, answer, messages = rng.choice(SHORT), 12, rng.randint(40, 120), 1
            else:
                own = " ".join(f"w{rng.randrange(100_000)}" for _ in range(14))
                text = rng.choice(BRIEFS) if rng.random() < briefs else f"Explain {own} thoroughly."
                messages = rng.choice((1, 1, 5))
                inp, answer = rng.randint(30, 80) + 60 * (messages - 1), rng.randint(1500, 2500)
            out.append(
                _ask(
                    prefix,
                    a,
                    i,
                    t,
                    text,
                    inp,
                    answer,
                    ip=f"35.{200 + a % 3}.{a}.17",
                    asn=(16509, 15169, 8075)[a % 3],
                    user_agent="qa-collector/2.1",
                    tls="t13d1715h2_5b57614c22b0",
                    messages=messages,
                    system=system,
                )
            )
            t += rng.uniform(480.0, 900.0)
    return sorted(out, key=lambda r: r["ts"])


def _times(records: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Each account's request times, in order."""
    times: dict[str, list[float]] = {}
    for r in records:
        times.setdefault(r["account_id"], []).append(r["ts"])
    return {a: sorted(ts) for a, ts in times.items()}


def _first_actions(records: list[dict[str, Any]], cfg: DetectorConfig | None = None) -> dict[str, int]:
    """Each acted-on account and how many requests it had sent when it was first acted on (by
    the time of the request that triggered the action, which may be another account's)."""
    times = _times(records)
    ts_of = {r["event_id"]: r["ts"] for r in records}
    first: dict[str, int] = {}
    for d in replay(records, cfg):
        if d["action"] != "allow" and d["subject_type"] == "account" and d["subject"] not in first:
            first[d["subject"]] = bisect.bisect_right(times[d["subject"]], ts_of[d["trigger_event_id"]])
    return first


def test_a_sweep_spread_thin_over_one_clients_accounts_is_taken_as_its_steady_crowd() -> None:
    """Twenty-four accounts, no template, a reader's pace, one in four questions a popular one:
    each is taken once it has asked enough to be steady, with reasons naming the crowd.
    Without the steady crowd (``steady_crowd`` ablated) none is: untied members at a reader's
    pace are no members of a group linked by its client alone."""
    records = _crowd("qa")
    first = _first_actions(records)
    assert len(first) >= 20
    assert all(TIE_EVIDENCE <= n <= 12 for n in first.values())
    reasons = [d["reasons"][0] for d in replay(records) if d["action"] != "allow" and d["subject_type"] == "account"]
    assert all("a steady crowd" in r for r in reasons)
    assert not _first_actions(records, DetectorConfig(ablate=frozenset({"steady_crowd"})))


def test_an_apps_users_on_one_client_are_no_crowd() -> None:
    """The same crowd under an app's system prompt on every request: its users."""
    assert not _first_actions(_crowd("app", system=True))


def test_writers_asking_for_pieces_others_ask_for_too_are_no_crowd() -> None:
    """The same crowd, half of whose long pieces are ones many others (on other clients and
    networks) have asked for too: people. Its own questions alone make it harvest-shaped; its
    popular long answers make it no sweep."""
    others = [
        event(
            event_id=f"other-{k}-{i}",
            account_id=f"other-{k:02d}",
            ts=T0 - 3600.0 + 100.0 * i + k,
            ip=f"98.{k}.7.9",
            asn=7922,
            user_agent="Mozilla/5.0 Firefox/128.0",
            prompt_simhash=prompt_simhash(brief),
        )
        for k in range(4)
        for i, brief in enumerate(BRIEFS)
    ]
    assert not _first_actions(sorted(others + _crowd("essay", briefs=0.5), key=lambda r: r["ts"]))


def test_a_checkpoint_from_before_long_answers_restores_members_as_popular_as_their_prompts() -> None:
    """A member written before long answers were counted reads its long answers as popular as its
    prompts were (no crowd out of an upgrade), and the group's crowd flags come back as flags."""
    st = CampaignState(T0)
    st.members["old"] = [T0, T0, 9.0, 0.0, 0.8, 1.0, 6.0, 0.0, 0.0, 0.4, 0.0]  # eleven fields
    state = st.to_state()
    del state["crowd"], state["crowd_only"]
    back = CampaignState.from_state(state)
    assert back.members["old"][11:13] == [1.0, 0.4]
    assert long_popular(back.members["old"]) == 0.4
    assert back.crowd is False
    assert back.crowd_only is False
    st.crowd = True
    assert CampaignState.from_state(st.to_state()).crowd is True


def test_developers_bursting_on_the_crowds_client_are_not_its_members() -> None:
    """Twelve developers on the crowd's client, each at home bursting twelve to twenty terse
    prompts of its own seconds apart (500-700-token answers), while the crowd is taken: steady,
    harvest-shaped and asking what no one else asks, they are still no members of the crowd,
    which asks at a reader's pace (a burst is not a steady account)."""
    crowd = _crowd("qa")
    devs = developer_bursts(
        "dev", 12, "qa-collector/2.1", "t13d1715h2_5b57614c22b0",
        start=lambda rng, a: T0 + 3 * 3600.0 + 300.0 * a, ip=lambda a, i: f"98.{a}.20.30",
        sizes=(12, 20), answer=(500, 700), seed="dev",
    )  # fmt: skip
    first = _first_actions(sorted(crowd + devs, key=lambda r: r["ts"]))
    assert len([a for a in first if a.startswith("qa-")]) >= 20
    assert not [a for a in first if a.startswith("dev-")]


def _casual(
    prefix: str, accounts: int, questions: tuple[int, int], answer: tuple[int, int], arrivals_s: float = 3600.0
) -> list[dict[str, Any]]:
    """``accounts`` people trying a new command-line tool (a user agent no one else has sent yet)
    from home, arriving over ``arrivals_s``, each asking a few how-to questions of its own,
    minutes apart, for answers of a few hundred tokens, no system prompt."""
    rng = random.Random(prefix)
    out = []
    for a in range(accounts):
        t = T0 + rng.uniform(0, arrivals_s)
        for i in range(rng.randint(*questions)):
            own = " ".join(f"w{rng.randrange(100_000)}" for _ in range(10))
            ip = f"{rng.choice((24, 47, 68, 73, 98))}.{a}.{rng.randrange(256)}.9"
            asn = rng.choice((7922, 7018, 701, 20115))
            inp, out_tokens = rng.randint(15, 60), rng.randint(*answer)
            out.append(
                _ask(
                    prefix,
                    a,
                    i,
                    t,
                    f"How do I {own}?",
                    inp,
                    out_tokens,
                    ip=ip,
                    asn=asn,
                    user_agent="notes-cli/0.3.1",
                    tls="t13d1812h1_85036bcba153",
                )
            )
            t += rng.uniform(180.0, 720.0)
    return sorted(out, key=lambda r: r["ts"])


def test_casual_users_of_a_new_client_asking_a_few_questions_each_are_no_crowd() -> None:
    """Forty people on a client no one used before, each asking three to five questions of its own
    for 400-900-token answers, minutes apart: harvest-shaped by every request and each question
    its own, but none of them steady. A crowd needs steady members (``TIE_EVIDENCE`` requests):
    a few questions each is what people trying a tool ask, and a sweep spread that thin takes
    little. (A crowd of 24 such accounts at three requests each was measured and withdrawn: it
    took these people whole.)"""
    assert not _first_actions(_casual("cli", 40, (3, 5), (400, 900)))
    assert not _first_actions(_casual("cli-long", 30, (3, 4), (600, 1200)))


def test_chatty_users_of_a_new_client_each_in_one_sitting_are_no_crowd() -> None:
    """Forty-five and eighty people arriving at a new client over its first hours, each asking six
    to ten questions of its own in one sitting, minutes apart: steady by their count and
    harvest-shaped, but most sittings are over within the hour. On a client alone, a steady member at
    a reader's pace must have been asking for ``STEADY_SPAN_S`` (``dg-28`` counted requests alone
    and acted on every one of them)."""
    assert not _first_actions(_casual("cli-chatty", 45, (6, 10), (400, 900), arrivals_s=4 * 3600.0))
    assert not _first_actions(_casual("cli-c3", 80, (6, 9), (500, 1000), arrivals_s=3 * 3600.0))


def test_people_on_a_sweeps_client_are_taken_only_once_they_have_asked_for_an_hour() -> None:
    """The forty-five people of a new client's launch, on the very client a sweep spread thin is
    using: the sweep is still taken, and of the people only those whose sitting ran an hour or
    more can be (the crowd is real, and a steady member at a reader's pace needs the hour); a
    sitting under an hour keeps a person out whatever crowd shares the client."""
    sweep = _crowd("qa")
    people = _casual("cli-chatty", 45, (6, 10), (400, 900), arrivals_s=4 * 3600.0)
    for r in people:
        r["user_agent"], r["tls_fingerprint"] = sweep[0]["user_agent"], sweep[0]["tls_fingerprint"]
    times = _times(people)
    sat_an_hour = {a for a, ts in times.items() if ts[-1] - ts[0] >= STEADY_SPAN_S}
    first = _first_actions(sorted(sweep + people, key=lambda r: r["ts"]))
    assert sum(a.startswith("qa-") for a in first) >= 20
    taken = {a for a in first if a.startswith("cli-")}
    assert taken <= sat_an_hour
    assert len(sat_an_hour) < len(times) / 2
