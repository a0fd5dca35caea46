"""A campaign that pads its single questions with made-up history is still shallow to its group."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from tests.factories import T0, chat_user, developer_bursts, event, hydra, replay


def _padded(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each request dressed as the 2nd, 3rd or 4th turn of a thread: a few hundred tokens of
    made-up turns per message, never the answers of thousands the account got."""
    rng = random.Random(5)
    turns: dict[str, int] = {}
    for r in records:
        k = turns.get(r["account_id"], 0)
        turns[r["account_id"]] = k + 1
        r["n_messages"] = 3 + 2 * (k % 3)
        r["input_tokens"] = 40 + (r["n_messages"] - 1) * rng.randint(100, 250)
    return records


def test_a_template_swept_in_padded_threads_is_acted_on_as_a_campaign() -> None:
    """Thirty accounts of ten requests each, one template swept across them: the same campaign
    is acted on whether or not it dresses its questions as turns of a conversation."""
    plain = {d["subject"] for d in replay(hydra("h", 30, 10)) if d["action"] != "allow"}
    assert len(plain) == 30
    decisions = replay(_padded(hydra("h", 30, 10)))
    padded = {d["subject"] for d in decisions if d["action"] != "allow"}
    assert len(padded) >= 27
    assert str(next(d["reasons"][0] for d in decisions if d["action"] != "allow")).startswith("campaign c-")


def _told(turns: list[tuple[int, int, int, bool]]) -> list[int]:
    """The messages the campaign stage is told of each request of one account:
    ``(messages, input tokens, output tokens, system prompt)`` per request."""
    det = Detector()
    out = []
    for i, (m, inp, answer, system) in enumerate(turns):
        e = parse_event(
            event(
                event_id=f"t-{i}",
                ts=T0 + 60.0 * i,
                n_messages=m,
                input_tokens=inp,
                output_tokens=answer,
                has_system_prompt=system,
            )
        )
        camp = det.accounts.observe(e)[2]
        out.append(camp[0].n_messages)
    return out


def test_a_group_is_told_the_depth_of_a_thread_the_account_built_and_one_message_for_padding() -> None:
    built = [(1, 30, 2500, False), (3, 2600, 2400, False), (5, 5100, 2000, False)]
    assert _told(built) == [1, 3, 5]
    padding = [(1, 30, 2500, False), (3, 400, 2400, False), (5, 800, 2000, False)]
    assert _told(padding) == [1, 1, 1]
    # A product's system prompt marks its users' conversations, interleaved on one account: the
    # group is told their depth (the mark is weighed per member, against its ties).
    product = [(1, 30, 2500, True), (3, 400, 2400, True), (5, 800, 2000, True)]
    assert _told(product) == [1, 3, 5]


def _developers(n: int, ua: str, tls: str) -> list[dict[str, Any]]:
    """People trying the API from home on a popular SDK: a burst of two to five terse prompts
    seconds apart, answers of 700-900 tokens, each from their own address."""
    return developer_bursts(
        "dev",
        n,
        ua,
        tls,
        start=lambda rng, _a: T0 + rng.uniform(0, 3 * 3600),
        ip=lambda a, i: f"{90 + a % 60}.{a}.{i % 3}.7",
    )


def test_developers_who_share_only_a_popular_sdk_with_a_slow_campaign_are_no_members_of_it() -> None:
    """A slow padded sweep (one request per account every ten minutes or so, one template) runs
    on a popular SDK among twenty people chatting through it and twelve developers trying it in
    bursts: the developers share the client with it and nothing else (no template, no network),
    and fast harvesters are no majority of the group. The campaign is acted on; no developer
    and no person chatting is."""
    campaign = _padded(hydra("h", 40, 10, gap_s=600.0))
    ua, tls = str(campaign[0]["user_agent"]), str(campaign[0]["tls_fingerprint"])
    crowd = []
    for i in range(20):
        person = chat_user(f"sdk-{i}", 20, T0 - 1800 + 60 * i, ip=f"98.{i}.20.30")
        crowd += [dict(r, user_agent=ua, tls_fingerprint=tls, asn=7000 + i) for r in person]
    acted = {d["subject"] for d in replay(campaign + crowd + _developers(12, ua, tls)) if d["action"] != "allow"}
    assert len({a for a in acted if a.startswith("h-")}) >= 36
    assert not {a for a in acted if a.startswith(("dev-", "sdk-"))}
