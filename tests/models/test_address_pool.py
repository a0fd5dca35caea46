"""An account behind a rotating pool of hundreds of addresses is judged by its answers' length."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from distillguard.models.account_features import HOSTS_WINDOW_S, AccountState
from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.models.detector import Detector
from distillguard.models.event import parse_event
from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, event


def _agent(
    account: str,
    ip: Callable[[int], str],
    steps: int = 360,
    every: float = 30.0,
    context: tuple[int, int] = (8000, 2000),
    answer: tuple[int, int] = (1200, 400),
) -> list[dict[str, Any]]:
    """Agent runs of twelve steps, one request every ``every`` seconds (120 an hour): a growing
    context under a system prompt (``context``: its first step's tokens, and what each step adds),
    a new tool result each step, answers of ``answer[0]`` tokens and up to ``answer[1]`` more
    (about 1,400 in all)."""
    return [
        event(
            event_id=f"{account}-{i}",
            account_id=account,
            ts=T0 + i * every,
            ip=ip(i),
            asn=16509,
            user_agent="anthropic-typescript/0.32",
            input_tokens=context[0] + context[1] * (i % 12),
            output_tokens=answer[0] + (i * 53) % answer[1],
            max_tokens=8192,
            n_messages=1 + 2 * (i % 12),
            has_system_prompt=True,
            prompt_simhash=prompt_simhash(f"tool result {i} of run {i // 12}: file{i * 7} line{i * 13} ok{i % 5}"),
        )
        for i in range(steps)
    ]


def _terse_agent(account: str, ip: Callable[[int], str], output_tokens: int) -> list[dict[str, Any]]:
    """An agent's tool loop at about 160 requests an hour whose answers are ``output_tokens`` long
    (up to 60 more), under a context of 6,000-16,000 tokens."""
    return _agent(account, ip, steps=720, every=22.0, context=(6000, 900), answer=(output_tokens, 60))


def _proxy(i: int) -> str:
    return f"198.51.{100 + i % 2}.{(i * 37) % 250 + 1}"  # any host of two /24s


def _runners(i: int) -> str:
    return f"20.{40 + i % 150}.{(i * 11) % 256}.{(i * 37) % 250 + 1}"  # a new runner VM in another /24 each time


def _nat(i: int) -> str:
    return f"198.51.100.{(i * 7) % 48 + 1}"  # a NAT gateway's 48 addresses, spread per connection


def _v6_home(i: int) -> str:
    return f"2001:db8:41e1:1807:{(i * 7919) % 65536:x}:{(i * 104729) % 65536:x}:1c52:{i:x}"  # a new temporary address each time


def _v6_pool(i: int) -> str:
    return f"2001:db8:41e1:{(i * 37) % 250 + 1:x}::{i % 7 + 1:x}"  # any of 250 /64s (households) of one /48


def _run(records: list[dict[str, Any]], cfg: DetectorConfig | None = None) -> tuple[Detector, list[Decision]]:
    det = Detector(cfg)
    out = []
    for r in records:
        out += [d for d in det.observe(parse_event(r)) if d.subject_type == "account" and d.action != "allow"]
    return det, out


def test_an_agent_behind_a_pool_of_hundreds_of_hosts_is_acted_on_and_the_same_agent_at_home_is_not() -> None:
    _, pooled = _run(_agent("pooled", _proxy))
    _, nat = _run(_agent("nat", _nat))
    _, home = _run(_agent("home", lambda _i: "198.51.100.7"))
    _, runners = _run(_agent("runners", _runners))
    assert not home
    assert not nat  # a NAT gateway's tens of addresses are not a rotating pool
    assert not runners  # nor are a CI fleet's hundreds, one or two in each of many blocks
    assert pooled
    first = pooled[0]
    assert any(r.startswith("address_pool ") for r in first.reasons)
    assert int(first.trigger_event_id.rsplit("-", 1)[1]) < 120  # within its first hour


def test_an_ipv6_host_picking_a_new_address_in_its_64_each_request_is_one_host() -> None:
    """A /64 is one link: a laptop on IPv6 picks new interface ids in it as it likes (temporary
    addresses). Counted per /64, the agent at home is one host and is not acted on; an agent whose
    requests come from a different household's /64 each time is a pool, as over IPv4."""
    _, home = _run(_agent("home6", _v6_home))
    _, pooled = _run(_agent("pooled6", _v6_pool))
    assert not home
    assert pooled
    assert any(r.startswith("address_pool ") for r in pooled[0].reasons)
    st = AccountState(T0)
    for r in _agent("home6", _v6_home, steps=200):
        st.update(parse_event(r))
    hosts, blocks = st.addresses(T0 + 200 * 30.0)
    assert round(hosts) == 1
    assert round(blocks) == 1


def test_the_pool_carries_the_decision() -> None:
    _, ablated = _run(_agent("pooled", _proxy), DetectorConfig(ablate=frozenset({"address_pool"})))
    assert not ablated


def test_an_accounts_addresses_survive_a_checkpoint_and_are_forgotten_after_two_windows() -> None:
    det, _ = _run(_agent("pooled", _proxy, steps=100))
    st = det.accounts.states["pooled"]
    now = st.last_ts
    hosts, blocks = st.addresses(now)
    assert 80 <= hosts <= 130  # 100 hosts, by linear counting over 64 bits
    assert 1.5 <= blocks <= 2.5
    again = AccountState.from_state(orjson.loads(orjson.dumps(st.to_state())))
    assert again.addresses(now) == (hosts, blocks)
    assert st.addresses(now + 2 * HOSTS_WINDOW_S) == (0.0, 0.0)
    old = {k: v for k, v in st.to_state().items() if k != "hosts"}  # a checkpoint from before
    assert AccountState.from_state(old).addresses(now) == (0.0, 0.0)


def test_an_agent_on_a_carriers_pool_getting_short_answers_is_not_acted_on_for_its_addresses() -> None:
    """A phone's carrier hands out a new address of a few busy blocks on nearly every request, as
    a residential proxy pool does. An agent loop there whose answers are about 200 tokens is not
    acted on; the same loop asking for answers of about 1,300 tokens is."""
    det, terse = _run(_terse_agent("terse", _proxy, 190))
    assert not terse
    assert det.accounts.states["terse"].score < 0.3
    assert det.accounts.states["terse"].addresses(T0 + 720 * 22.0)[0] > 100  # a pool all the same
    _, wordy = _run(_terse_agent("wordy", _proxy, 1300))
    assert wordy
    assert any(r.startswith("address_pool ") for r in wordy[0].reasons)


def test_answers_between_short_and_long_let_the_pool_lift_in_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers of about 480 tokens: within the band of ``EVASION_LENGTH`` once the account is past
    its first 200 requests (before them a long answer must be longer still). The pool lifts it
    over the threshold there, and nothing without the lift."""
    mid = _terse_agent("mid", _proxy, 450)
    _, acted = _run(mid)
    assert acted
    first = int(acted[0].trigger_event_id.rsplit("-", 1)[1])
    assert 195 <= first < 220
    monkeypatch.setattr("distillguard.models.detector.evasion_lift", lambda rotation, _length: min(rotation, 0.5))
    _, unlifted = _run(mid)
    assert not unlifted
