"""Browser user agents out of place on their TLS stack: learned per stack, linked as a campaign."""

from __future__ import annotations

import random

from distillguard.models.client_stack import MIN_ACCOUNTS, ClientStacks, browser_alpn, browser_family
from distillguard.models.config import DetectorConfig
from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, chat_user, event, replay

PYTHON_TLS = "t13d1812h1_85036bcba153"
CHROME_TLS = "t13d1516h2_8daaf6152771"
HTTP2_SDK_TLS = "t13d1712h2_d6c269f52ed6"
"""An SDK's stack that offers HTTP/2: only what its accounts claim tells it from a browser's."""
SDK_UA = "anthropic-python/0.40.0"
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.{v} Safari/605.1.15",
)


def test_a_browser_claim_is_out_of_place_on_a_stack_that_sdk_clients_use() -> None:
    stacks = ClientStacks()
    chrome = BROWSERS[0].format(v=126)
    for i in range(MIN_ACCOUNTS):
        assert not stacks.observe(PYTHON_TLS, SDK_UA, f"sdk-{i}")  # an SDK names itself: never out of place
        assert not stacks.observe(CHROME_TLS, chrome, f"web-{i}")  # a browser on its own stack
    assert stacks.observe(PYTHON_TLS, chrome, "spoof-1")
    assert not stacks.observe(CHROME_TLS, chrome, "web-new")


def test_a_browser_claim_is_proven_only_on_a_judged_stack_its_family_holds() -> None:
    """``genuine``: no fingerprint, a stack too new to judge, one that offers HTTP/1.1 alone, or
    one whose accounts mostly claim another family proves no browser."""
    stacks = ClientStacks()
    chrome, firefox = BROWSERS[0].format(v=126), BROWSERS[1].format(v=128)
    for i in range(MIN_ACCOUNTS - 1):
        stacks.observe(CHROME_TLS, chrome, f"web-{i}")
        stacks.observe(PYTHON_TLS, chrome, f"spoof-{i}")
    assert not stacks.genuine(CHROME_TLS, chrome)  # one account short of judged
    stacks.observe(CHROME_TLS, chrome, "web-last")
    stacks.observe(PYTHON_TLS, chrome, "spoof-last")
    assert stacks.genuine(CHROME_TLS, chrome)
    assert not stacks.genuine(CHROME_TLS, firefox)
    assert not stacks.genuine(CHROME_TLS, SDK_UA)
    assert not stacks.genuine(PYTHON_TLS, chrome)  # HTTP/1.1 alone: however many claim it
    assert not stacks.genuine(None, chrome)


def test_a_stack_is_judged_only_once_enough_accounts_used_it() -> None:
    stacks = ClientStacks()
    for i in range(MIN_ACCOUNTS - 2):
        stacks.observe(HTTP2_SDK_TLS, SDK_UA, f"sdk-{i}")
    assert not stacks.observe(HTTP2_SDK_TLS, BROWSERS[1].format(v=128), "spoof-1")


def test_a_stack_whose_browser_claims_disagree_is_no_browser_of_either_kind() -> None:
    """A campaign's own TLS stack under a rotation of browser user agents: no browser's stack
    carries another engine's user agents, so every claim on it is out of place."""
    stacks = ClientStacks()
    kinds = (0, 0, 0, 0, 1, 2)  # mostly Chrome, as user agent lists are
    flags = [stacks.observe("t13d_own", BROWSERS[kinds[i % 6]].format(v=120 + i), f"spoof-{i}") for i in range(30)]
    assert all(flags[-10:])


def test_user_agents_name_their_engine() -> None:
    assert [browser_family(b.format(v=1)) for b in BROWSERS] == ["chromium", "firefox", "webkit"]
    assert browser_family(None) is None
    assert browser_family("curl/8.4.0") is None


def _spoof_wave(accounts: int, per_account: int, t0: float) -> list[dict[str, object]]:
    """Short-lived accounts, each with its own browser user agent and network, all on an SDK's
    TLS stack, asking novel questions for long answers at a script's pace."""
    rng = random.Random(7)
    out = []
    for a in range(accounts):
        ua = BROWSERS[a % 3].format(v=100 + a)
        for i in range(per_account):
            text = " ".join(f"w{rng.randrange(5000)}" for _ in range(12))
            out.append(
                event(
                    event_id=f"wave-{a}-{i}",
                    account_id=f"wave-{a:03d}",
                    ts=t0 + a * 90.0 + i * 30.0 * rng.uniform(0.8, 1.2),
                    ip=f"{80 + a}.{a}.7.{i + 1}",
                    asn=64600 + a,
                    user_agent=ua,
                    tls_fingerprint=PYTHON_TLS,
                    input_tokens=rng.randint(20, 40),
                    output_tokens=rng.randint(1200, 2000),
                    max_tokens=4096,
                    prompt_simhash=prompt_simhash(text),
                )
            )
    return out


def _sdk_users() -> list[dict[str, object]]:
    out = []
    for i in range(24):
        out += [dict(r, user_agent=SDK_UA, tls_fingerprint=PYTHON_TLS) for r in chat_user(f"sdk-{i}", 15, T0 - 3600)]
    return out


def test_a_wave_of_browser_user_agents_on_an_sdk_stack_is_acted_on_as_one_campaign() -> None:
    """Each wave account sends fewer requests than any account is judged alone on, with its own
    user agent and network: only the stack they all share links them."""
    records = _sdk_users() + _spoof_wave(20, 10, T0)
    decisions = replay(records)
    acted = {d["subject"] for d in decisions if d["action"] == "block"}
    assert len({a for a in acted if str(a).startswith("wave-")}) >= 14
    assert not {a for a in acted if str(a).startswith("sdk-")}
    reason = next(d["reasons"][0] for d in decisions if str(d["subject"]).startswith("wave-"))
    assert "TLS stack" in str(reason)
    unlinked = replay(records, DetectorConfig(ablate=frozenset({"client_stack"})))
    assert not [d for d in unlinked if str(d["subject"]).startswith("wave-")]


def _costumed(accounts: int, office: bool) -> list[dict[str, object]]:
    """Accounts of every browser family on one TLS stack, each in sessions of a few turns.

    ``office=False``: a campaign in costume, on an SDK's stack behind residential networks, in
    threads that never were: each turn follows the last but carries a few hundred tokens of
    made-up history a turn, not the answers of thousands it got; it asks again within a minute or
    two. ``office=True``: an office behind a proxy
    that inspects TLS (one stack of its own, one /24), writers asking for long pieces and revising
    them with the real history, reading each answer for many minutes."""
    rng = random.Random(11)
    out: list[dict[str, object]] = []
    for a in range(accounts):
        ua = BROWSERS[a % 3].format(v=100 + a)
        t = T0 + a * 120.0
        for s in range(3):
            history = 0
            for turn in range(6):
                text = " ".join(f"w{rng.randrange(5000)}" for _ in range(12))
                answer = rng.randint(2000, 3500)
                inp = rng.randint(20, 40) + (history if office else 2 * turn * rng.randint(200, 600))
                out.append(
                    event(
                        event_id=f"{'office' if office else 'costume'}-{a}-{s}-{turn}",
                        account_id=f"{'office' if office else 'costume'}-{a:03d}",
                        ts=t,
                        ip=f"62.10.4.{10 + a % 4}" if office else f"{80 + a}.{a}.9.{s + 1}",
                        asn=3356 if office else 64600 + a,
                        user_agent=ua,
                        tls_fingerprint="t13d1714h1_proxy" if office else PYTHON_TLS,
                        input_tokens=inp,
                        output_tokens=answer,
                        max_tokens=8192,
                        n_messages=2 * turn + 1,
                        prompt_simhash=prompt_simhash(text),
                    )
                )
                history = inp + answer
                t += rng.uniform(420.0, 900.0) if office else rng.uniform(30.0, 120.0)
            t += rng.uniform(1800.0, 3600.0)
    return out


def test_a_campaign_in_costume_is_not_a_person_for_its_history_or_its_pauses() -> None:
    """Browser user agents on an SDK's stack, each account padding its turns with a history it
    never received: its depth does not soften its answers' shape, and without a template in
    common the costume is the tie. An office behind a TLS-inspecting proxy, its writers reading
    long answers for many minutes and revising them, is out of place on its stack too, and left
    alone."""
    costume = replay(_sdk_users() + _costumed(24, office=False))
    acted = {d["subject"] for d in costume if d["action"] != "allow" and str(d["subject"]).startswith("costume-")}
    assert len(acted) >= 18
    assert "TLS stack" in str(next(d["reasons"][0] for d in costume if d["subject"] in acted))
    office = replay(_sdk_users() + _costumed(24, office=True))
    assert not [d for d in office if d["action"] != "allow" and str(d["subject"]).startswith("office-")]


def _chatter_in_costume(accounts: int, office: bool) -> list[dict[str, object]]:
    """Accounts claiming one browser on a TLS stack that offers HTTP/1.1 only (no browser does),
    chatting at a person's pace, for a few hundred tokens on most answers and a long one now and then.

    ``office=False``: a campaign that owns its stack (so its browser is the stack's majority
    family), each request from another residential exit, with ten turns of made-up history on
    every request. ``office=True``: an office behind a proxy that inspects TLS (one /24), people
    chatting with the history they built."""
    rng = random.Random(13)
    out: list[dict[str, object]] = []
    chrome = BROWSERS[0]
    for a in range(accounts):
        name = f"{'office' if office else 'camo'}-{a:03d}"
        t = T0 + a * 60.0
        history = 0
        for i in range(40):
            text = " ".join(f"w{rng.randrange(5000)}" for _ in range(12))
            answer = rng.randint(150, 450) if i % 3 else rng.randint(1200, 2400)
            turn = i % 5
            if office:
                history = 0 if turn == 0 else history
                inp, messages = rng.randint(20, 60) + history, 2 * turn + 1
            else:
                inp, messages = rng.randint(500, 700), 9 + 2 * rng.randrange(3)
            out.append(
                event(
                    event_id=f"{name}-{i}",
                    account_id=name,
                    ts=t,
                    ip=f"62.10.4.{10 + a}" if office else f"{70 + (a + i) % 60}.{(7 * a + i) % 250}.{i}.{a + 1}",
                    asn=3356 if office else 64600 + (a + i) % 40,
                    user_agent=chrome.format(v=120 + a % 3),
                    tls_fingerprint="t13d1714h1_proxy" if office else "t13d1811h1_camo",
                    input_tokens=inp,
                    output_tokens=answer,
                    max_tokens=4096,
                    n_messages=messages,
                    prompt_simhash=prompt_simhash(text),
                )
            )
            history = inp + answer
            t += rng.lognormvariate(4.0, 0.6)
    return out


def test_no_browser_offers_http1_only_whatever_its_stack_s_majority() -> None:
    """A JA4 fingerprint names the first protocol the client offers (ALPN); every browser offers
    HTTP/2. A campaign that owns its stack outnumbers anyone else on it, so the family learned
    there is its own: the protocol still gives it away. A fingerprint that is not JA4 says
    nothing of the protocol."""
    offered = ("t13d1516h2_8daaf6", "q13d0312h3_55b375", "t13d1811h1_31c9", "t12d120700_e5f1")
    assert [browser_alpn(t) for t in offered] == [True, True, False, False]
    assert all(browser_alpn(t) for t in ("t13d00_nolabel", "f3a9c1", ""))  # not JA4: says nothing
    stacks = ClientStacks()
    chrome = BROWSERS[0].format(v=126)
    flags = [stacks.observe("t13d1811h1_own", chrome, f"camo-{i}") for i in range(MIN_ACCOUNTS * 2)]
    assert all(flags)
    assert not any(stacks.observe("t13d1811h2_own", chrome, f"camo-{i}") for i in range(MIN_ACCOUNTS * 2))


def test_a_costumed_campaign_of_moderate_answers_from_rotating_exits_is_acted_on() -> None:
    """Padded chat at a person's pace, most answers a few hundred tokens: no member is a harvester
    by its shape, but every one of them dresses a script as a browser and asks from another
    residential exit each time. The office behind its TLS-inspecting proxy chats at the same pace
    with the same answers, from its own /24: it is left alone."""
    campaign = replay(_sdk_users() + _chatter_in_costume(24, office=False))
    acted = {d["subject"] for d in campaign if d["action"] != "allow" and str(d["subject"]).startswith("camo-")}
    assert len(acted) >= 18
    assert "TLS stack" in str(next(d["reasons"][0] for d in campaign if d["subject"] in acted))
    office = replay(_sdk_users() + _chatter_in_costume(24, office=True))
    assert not [d for d in office if d["action"] != "allow" and str(d["subject"]).startswith("office-")]
