"""A campaign that sits on a few /24s takes no member that shares only its client from a /24 of
its own (linkage needs several independent ties); one of its own accounts, or one behind
rotating exits, it takes. A campaign that rotates through a pool's exits takes no member that
keeps to its own /24 and shares only its client."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, TEMPLATE, developer_bursts, hydra, replay


def _bursts(prefix: str, n: int, ua: str, tls: str, ip: Any, t0: float = T0 + 1800.0) -> list[dict[str, Any]]:
    """Accounts on the campaign's client, four minutes apart, each a burst of five terse prompts
    of its own seconds apart, for answers of 1,200-1,600 tokens; ``ip(a, i)``: the address of
    account ``a``'s ``i``-th request."""
    return developer_bursts(
        prefix, n, ua, tls, start=lambda _rng, a: t0 + 240.0 * a, ip=ip, sizes=(5, 5), words=(10, 30),
        answer=(1200, 1600), seed=prefix,
    )  # fmt: skip


def _acted(records: list[dict[str, Any]]) -> set[str]:
    return {d["subject"] for d in replay(sorted(records, key=lambda r: r["ts"])) if d["action"] != "allow"}


def test_developers_at_home_on_a_hydras_client_are_not_its_members() -> None:
    """Forty accounts sweeping one template from three cloud /24s, and twelve developers on the
    same SDK, each at home on its own /24, as fast and as long-winded: the hydra is taken
    whole, no developer is."""
    campaign = hydra("h", 40, 10)
    ua, tls = str(campaign[0]["user_agent"]), str(campaign[0]["tls_fingerprint"])
    devs = _bursts("dev", 12, ua, tls, lambda a, i: f"98.{a}.20.{30 + i}")
    acted = _acted(campaign + devs)
    assert len({a for a in acted if a.startswith("h-")}) >= 38
    assert not {a for a in acted if a.startswith("dev-")}


def test_accounts_on_the_hydras_own_network_or_behind_rotating_exits_are_its_members() -> None:
    """The same bursts from the hydra's own /24s belong to it; so do bursts from a rotating
    pool of exits (a new /24 on every request), whatever /24 they happen to come from."""
    campaign = hydra("h", 40, 10)
    ua, tls = str(campaign[0]["user_agent"]), str(campaign[0]["tls_fingerprint"])
    own = _bursts("own", 8, ua, tls, lambda a, i: f"34.91.{a % 3}.{200 + i}")
    rotating = _bursts("rot", 8, ua, tls, lambda a, i: f"77.{a}.{i}.9", t0=T0 + 2000.0)
    acted = _acted(campaign + own + rotating)
    assert len({a for a in acted if a.startswith("own-")}) >= 7
    assert len({a for a in acted if a.startswith("rot-")}) >= 7


def test_developers_at_home_on_a_roaming_swarms_client_are_not_its_members() -> None:
    """Forty accounts sweeping one template behind a rotating pool of exits (a new /24 on every
    request) and twelve developers at home on the same SDK, all as fast and as long-winded:
    linked by the client alone, the swarm is taken whole; a developer who keeps to its /24 while
    the swarm rotates shares only the client with it, and is not (without the rule, all twelve
    are, at their second request)."""
    ua, tls = "anthropic-python/0.40.0", "t13d1516h2_8daaf6152771_02713d6af862"
    swarm = _bursts("sw", 40, ua, tls, lambda a, i: f"77.{a}.{i}.9", t0=T0)
    rng = random.Random(1)
    for r in swarm:
        r["prompt_simhash"] = prompt_simhash(TEMPLATE.format(f"topic{rng.randint(0, 10**6)}", "swarm"))
    devs = _bursts("dev", 12, ua, tls, lambda a, i: f"98.{a}.20.{30 + i}", t0=T0 + 600.0)
    acted = _acted(swarm + devs)
    assert len({a for a in acted if a.startswith("sw-")}) >= 38
    assert not {a for a in acted if a.startswith("dev-")}
