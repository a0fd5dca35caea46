"""Which members a campaign acts on (``_verdict_due``): the rules for ties, pace and doubt."""

from __future__ import annotations

import math

from distillguard.models.campaigns import member_harvest
from distillguard.models.detector import MEMBER_LEVEL, VERDICT_LEVEL, _verdict_due

FP = "fp:0a1b2c3d"
"""A linkage key by client fingerprint alone (every network)."""
FP_NET = "fp:0a1b2c3d|as7018"
"""The same fingerprint on one network."""


def member(requests: float, shape: float, gap_s: float, tie: float, system: float = 0.0) -> list[float]:
    """A member record: requests, harvest shape, mean gap between requests, content tie."""
    return [0.0, 0.0, requests, 0.0, shape, 0.0, math.log(gap_s + 1.0), tie, system]


def pure() -> float:
    return 1.0


def mixed() -> float:
    return 0.5


def test_a_fast_untied_account_on_a_templated_fingerprint_group_is_not_its_member() -> None:
    """An evaluation harness on a popular SDK: fast and long-winded like the campaign's
    accounts, but none of its prompts is the campaign's template. After a few requests it is
    no member of a templated group linked by the fingerprint alone."""
    harness = member(5, 0.9, 20.0, 0.0)
    assert member_harvest(harness) >= MEMBER_LEVEL  # it looks like a harvester by itself
    assert not _verdict_due(harness, pure, FP, templated=True)
    # Its first two requests are not enough to tell (a new member may not have matched yet),
    assert _verdict_due(member(2, 0.9, 20.0, 0.0), pure, FP, templated=True)
    # a group that shares no template takes fast accounts as before,
    assert _verdict_due(harness, pure, FP, templated=False)
    # and on the fingerprint and one network the network is a second tie.
    assert _verdict_due(harness, pure, FP_NET, templated=True)


def test_a_member_that_sweeps_the_template_gets_the_benefit_of_the_doubt() -> None:
    """A slow account whose answers are only partly long, sweeping the group's template on
    most of its requests, belongs to a templated campaign even in a mixed group."""
    thin = member(12, 0.55, 700.0, 0.75)
    h = member_harvest(thin)
    assert VERDICT_LEVEL <= h < MEMBER_LEVEL
    assert _verdict_due(thin, mixed, FP, templated=True)
    # Not without the shared template (the group is not templated, or the member does not share it),
    assert not _verdict_due(thin, mixed, FP, templated=False)
    assert not _verdict_due(member(12, 0.55, 700.0, 0.3), mixed, FP, templated=True)
    # nor after too few requests for a tie to be a habit,
    assert not _verdict_due(member(4, 0.55, 700.0, 0.75), mixed, FP_NET, templated=True)
    # nor when its requests are not harvest-shaped at all.
    assert not _verdict_due(member(12, 0.2, 700.0, 0.9), mixed, FP, templated=True)


def test_plain_harvesters_and_young_members_of_pure_groups_are_unchanged() -> None:
    """The rules above take nothing from the old ones: a plain harvester is a member, and so is
    a young, partly shaped member of a group that is nearly all harvesters."""
    assert _verdict_due(member(30, 0.9, 30.0, 0.6), mixed, FP, templated=True)
    young = member(6, 0.45, 60.0, 0.0)
    assert VERDICT_LEVEL <= member_harvest(young) < MEMBER_LEVEL
    assert _verdict_due(young, pure, FP_NET)
    assert not _verdict_due(young, mixed, FP_NET)


def test_a_busy_untied_member_belongs_to_a_fleet_only() -> None:
    """A busy account with its own history and no tie is judged on its own evidence, even with a
    harvest shape (a product's service, its answers long); in a fleet (busy accounts on one client
    and network that all harvest alike) it is a member, and an unshaped one still is not."""
    busy = member(200, 0.75, 60.0, 0.0, system=1.0)
    assert not _verdict_due(busy, pure, FP_NET)
    assert _verdict_due(busy, pure, FP_NET, fleet=lambda: True)
    assert not _verdict_due(member(200, 0.3, 60.0, 0.0, system=1.0), pure, FP_NET, fleet=lambda: True)
    assert not _verdict_due(member(30, 0.75, 60.0, 0.0, system=1.0), pure, FP_NET, fleet=lambda: True)


def test_a_busy_account_on_a_fingerprint_group_belongs_only_if_it_sweeps_the_template() -> None:
    """An evaluation harness with chain-of-thought on a campaign's SDK: 600 requests at a
    script's pace, long answers, a third of its benchmark's questions template siblings of the
    campaign's by chance. On the fingerprint alone it is judged on its own evidence; an account
    that sweeps the template on most of its requests, or the same harness on the campaign's
    network too, is a member."""
    harness = member(600, 0.7, 1.0, 0.33)
    assert member_harvest(harness) >= MEMBER_LEVEL
    assert not _verdict_due(harness, mixed, FP, templated=True)
    assert not _verdict_due(harness, pure, FP, templated=False)
    assert _verdict_due(member(600, 0.7, 1.0, 0.6), mixed, FP, templated=True)
    assert _verdict_due(harness, mixed, FP_NET, templated=True)
    # A young account tied as loosely is still a member: its tie may yet grow.
    assert _verdict_due(member(30, 0.7, 1.0, 0.33), mixed, FP, templated=True)


ORG = "org:org-5e11c0a7"
"""A linkage key by organisation id (one customer's accounts)."""


def test_a_slow_account_under_a_system_prompt_belongs_to_an_organisation_of_harvesters() -> None:
    """A sweep spread over shell organisations: twelve requests, 15 minutes apart, long answers
    under a system prompt of its own. Its pace and its mark keep its own harvest under the
    benefit of the doubt; in an organisation nearly all harvesters it is a member all the same.
    In an organisation only half harvesters (an agency's writers beside one heavy account), or
    with answers of ordinary length, or busy (judged on its own evidence), it is not."""
    slow = member(12, 0.7, 900.0, 0.0, system=1.0)
    assert member_harvest(slow) < VERDICT_LEVEL
    assert _verdict_due(slow, pure, ORG)
    assert not _verdict_due(slow, mixed, ORG)
    assert not _verdict_due(member(12, 0.4, 900.0, 0.0, system=1.0), pure, ORG)
    assert not _verdict_due(member(80, 0.7, 900.0, 0.0, system=1.0), pure, ORG)
    # The same account linked by its client and network only is judged by pace and mark as before.
    assert not _verdict_due(slow, pure, FP_NET, tie_pace=False)
