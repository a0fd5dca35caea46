"""A campaign that sits on a few /24s takes no member that shares only its client from a /24 of
its own (linkage needs several independent ties); one of its own accounts, or one behind
rotating exits, it takes. A campaign that rotates through a pool's exits takes no member that
keeps to its own /24 and shares only its client; nor does one that spreads over one cloud's /24s
take a member from a network (an ASN) of its own."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, TEMPLATE, developer_bursts, hydra, replay


def _bursts(
    prefix: str, n: int, ua: str, tls: str, ip: Any, t0: float = T0 + 1800.0, asn: int | None = None
) -> list[dict[str, Any]]:
    """Accounts on the campaign's client, four minutes apart, each a burst of five terse prompts
    of its own seconds apart, for answers of 1,200-1,600 tokens; ``ip(a, i)``: the address of
    account ``a``'s ``i``-th request, in network ``asn`` (None: each at home with an ISP of its own)."""
    return developer_bursts(
        prefix, n, ua, tls, start=lambda _rng, a: t0 + 240.0 * a, ip=ip, sizes=(5, 5), words=(10, 30),
        answer=(1200, 1600), seed=prefix, **({} if asn is None else {"asn": lambda _a: asn}),
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
    own = _bursts("own", 8, ua, tls, lambda a, i: f"34.91.{a % 3}.{200 + i}", asn=396982)
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


def _untemplated(records: list[dict[str, Any]], release: bool) -> list[dict[str, Any]]:
    """``records`` with prompts of their own (no template ties them), and with ``release`` each
    account on its own release of the campaign's SDK (one TLS stack)."""
    rng = random.Random(4)
    for r in records:
        a = int(r["account_id"].split("-")[1])
        if release:
            r["user_agent"] = f"python-httpx/0.{20 + a % 12}.{a % 3}"
        r["prompt_simhash"] = prompt_simhash(" ".join(f"w{rng.randrange(5000)}" for _ in range(12)))
    return records


def test_a_hydra_is_one_client_whichever_release_each_account_installed() -> None:
    """Sixty accounts of eight requests, prompts with no template, one cloud network and TLS
    stack: the client is their tie. Each account on a release of the SDK of its own (what a
    campaign draws per account for nothing, and what installs drift to anyway) ties them as well
    as one release does: the same accounts are acted on."""
    same = _acted(_untemplated(hydra("h", 60, 8), release=False))
    drifted = _acted(_untemplated(hydra("h", 60, 8), release=True))
    assert len(same) >= 50
    assert drifted == same


def test_releases_of_one_client_share_its_key_on_one_network_only() -> None:
    """On one network, releases of one client are one fleet's drift; across every network, the
    release stays in the key: one SDK's users everywhere are too many to be one group."""
    from distillguard.models.campaigns import linkage_keys
    from distillguard.models.event import parse_event
    from tests.factories import event

    def keys(ua: str, asn: int) -> list[str]:
        return linkage_keys(parse_event(event(user_agent=ua, asn=asn, tls_fingerprint="t13d1812h1_85036bcba153")))

    a, b = keys("python-httpx/0.27.2", 396982), keys("python-httpx/0.28.1", 396982)
    assert a[0] == b[0]  # the client on its network
    assert a[1] != b[1]  # the client across every network
    assert not set(keys("python-httpx/0.28.1", 7922)) & set(a)


def _cloud_hydra() -> list[dict[str, Any]]:
    """Forty accounts sweeping one template, each from a /24 of its own in one cloud's network."""
    campaign = hydra("h", 40, 10)
    for r in campaign:
        a = int(r["account_id"].split("-")[1])
        r["ip"] = f"34.{100 + a // 20}.{a}.{r['ip'].rsplit('.', 1)[1]}"
    return campaign


def test_developers_at_home_on_the_client_of_a_campaign_spread_over_one_clouds_blocks_are_not_its_members() -> None:
    """Forty accounts sweeping one template, each from a /24 of its own in one cloud's network
    (an ASN), and twelve developers on the same SDK, each at home with an ISP of its own, as fast
    and as long-winded: the /24s tell them apart from no one (every member sits on a /24 of its
    own), the networks do. The campaign is taken whole, no developer is (at ``dg-35``, all twelve
    were, at their second request). The same bursts from the cloud's network, each from a /24 of
    its own there, belong to it."""
    campaign = _cloud_hydra()
    ua, tls = str(campaign[0]["user_agent"]), str(campaign[0]["tls_fingerprint"])
    devs = _bursts("dev", 12, ua, tls, lambda a, i: f"98.{a}.20.{30 + i}")
    acted = _acted(campaign + devs)
    assert len({a for a in acted if a.startswith("h-")}) >= 38
    assert not {a for a in acted if a.startswith("dev-")}
    inside = _bursts("in", 6, ua, tls, lambda a, i: f"34.99.{a}.{30 + i}", asn=396982, t0=T0 + 2000.0)
    acted = _acted(campaign + inside)
    assert len({a for a in acted if a.startswith("in-")}) >= 5


def test_a_members_network_travels_with_its_observations_and_checkpoints() -> None:
    """The network rides the observation's 14th element and the member's record; observations
    written before it (13 elements) and members restored from a checkpoint written before it
    (13 fields) read as network unknown."""
    from distillguard.models.campaigns import MEMBER_FIELDS, CampaignObservation, CampaignState

    o = CampaignObservation(T0, "fp:x", "a", "a-1", 7, 40, 1500, 4096, 1, "34.1.2.0/24", False, network_hash=396)
    assert CampaignObservation.from_list(o.to_list()).network_hash == 396
    assert CampaignObservation.from_list(o.to_list()[:13]).network_hash == 0
    st = CampaignState(T0)
    st.update(o, 0.8)
    assert len(st.members["a"]) == MEMBER_FIELDS
    assert st.members["a"][13] == 396.0
    state = st.to_state()
    state["members"]["a"] = state["members"]["a"][:13]
    back = CampaignState.from_state(state).members["a"]
    assert len(back) == MEMBER_FIELDS
    assert back[13] == 0.0


def test_members_of_unknown_networks_are_no_few_networks_to_be_apart_from() -> None:
    """Members restored from a checkpoint written before networks were kept (unknown: 0) are
    none of a newcomer's neighbours and no few networks of their own: a newcomer from a network
    of its own is apart only from members whose networks are known to sit on a few."""
    from distillguard.models.campaigns import CampaignState
    from distillguard.models.detector import _network_apart, _network_counts

    st = CampaignState(T0)
    st.members = {a: [0.0] * 13 + [0.0] for a in "abcdefgh"}  # restored: networks unknown
    st.members["new"] = [0.0] * 13 + [7.0]
    assert not _network_apart(st.members["new"], _network_counts(st))
    for a in "abcd":
        st.members[a][13] = 396.0  # four of them seen since, on one cloud's network
    assert _network_apart(st.members["new"], _network_counts(st))


def test_a_network_of_its_own_sets_no_one_apart_once_the_group_sits_on_many() -> None:
    """Beside forty accounts of one cloud (each on a /24 of its own), sixty accounts on the same
    client, each from an ISP of its own: the first ones are apart, but as they multiply the group
    no longer sits on a few networks (two accounts to one, on average), and those that come then
    are judged as before ``dg-36``, as members of the campaign (a pool spread over many ISPs is
    apart from no one). Without that test of the group, a network of its own would set every one
    of them apart."""
    campaign = _cloud_hydra()
    ua, tls = str(campaign[0]["user_agent"]), str(campaign[0]["tls_fingerprint"])
    spread = _bursts("sp", 60, ua, tls, lambda a, i: f"98.{a}.20.{30 + i}")
    acted = _acted(campaign + spread)
    assert len({a for a in acted if a.startswith("h-")}) >= 38
    assert len({a for a in acted if a.startswith("sp-")}) >= 15
