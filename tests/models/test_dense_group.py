"""A hydra in made-up threads, packed behind one /24: each request a later turn of an invented
conversation (a few hundred tokens of history per message, never the long answers it got), so
each account's answers are only partly long for its prompts. Its accounts sweep one template
together on one client from one /24: tied by what they ask, in threads thinner than their
answers, they count as harvesting from the verdict level (``_dense_level``), with or without a
system prompt. The same fleet in threads that carry their answers is judged as before."""

from __future__ import annotations

import random
from typing import Any

import pytest

from distillguard.models import detector
from distillguard.models.campaigns import MEMBER_FIELDS, CampaignObservation, CampaignState
from distillguard.models.detector import THIN_MEMBER, TIE_EVIDENCE, _dense_level, thin_history
from tests.factories import hydra, replay

T0 = 1_750_000_000.0


def _threads(system: bool, carried: bool = False, accounts: int = 30, per_account: int = 40) -> list[dict[str, Any]]:
    """``accounts`` (thirty) of one sweep behind one cloud /24, four minutes or so between
    requests, each a turn of five to nine messages asking for 900-1,800 tokens: invented history
    (700-1,500 prompt tokens), or with ``carried`` a real one (each earlier exchange a question
    and its answer, 1,000-2,000 tokens)."""
    records = hydra("thread", accounts, per_account, gap_s=240.0)
    rng = random.Random(5)
    for r in records:
        r["ip"] = f"34.91.7.{rng.randrange(1, 255)}"
        r["n_messages"] = n = rng.choice([5, 7, 9])
        r["input_tokens"] = rng.randint(1000, 2000) * (n // 2) if carried else rng.randint(700, 1500)
        r["output_tokens"] = rng.randint(900, 1800)
        r["has_system_prompt"] = system
    return records


def _acted_on(decisions: list[dict[str, Any]]) -> set[str]:
    return {d["subject"] for d in decisions if d["subject_type"] == "account" and d["action"] != "allow"}


@pytest.mark.parametrize("system", [False, True])
def test_a_hydra_in_made_up_threads_behind_one_nat_is_taken(system: bool) -> None:
    acted = _acted_on(replay(_threads(system)))
    assert len(acted) >= 27  # nine in ten of its thirty accounts


def test_without_the_rule_the_same_hydra_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule is what takes it: with no group packed enough for it (``dg-36``), none is."""
    monkeypatch.setattr(detector, "DENSE_GROUP", float("inf"))
    assert not _acted_on(replay(_threads(system=False)))


def test_the_same_fleet_in_threads_that_carry_their_answers_is_judged_as_before() -> None:
    """Conversations that resend their answers (a product's users, a person) are not padding."""
    assert not _acted_on(replay(_threads(system=False, carried=True)))


def test_a_history_thinner_than_the_answers_is_a_made_up_one() -> None:
    assert thin_history(7, 1200, 1400.0)  # 400 tokens an exchange after answers of 1,400
    assert not thin_history(7, 3000, 1400.0)  # a question and its answer an exchange
    assert not thin_history(2, 10, 1400.0)  # a first turn carries no history
    assert not thin_history(7, 1200, 0.0)  # no answer to compare with


def test_a_tied_member_counts_from_the_verdict_level_only_in_thin_threads() -> None:
    tied = [0.0] * MEMBER_FIELDS
    tied[2], tied[4], tied[7], tied[14] = 12.0, 0.3, 0.9, THIN_MEMBER
    assert _dense_level(tied) == 0.25
    assert _dense_level([*tied[:14], THIN_MEMBER - 0.01]) == 0.5
    assert _dense_level([*tied[:7], 0.4, *tied[8:]]) == 0.5  # a tie now and then is no habit
    assert _dense_level([*tied[:2], TIE_EVIDENCE - 1, *tied[3:]]) == 0.5  # too few requests to tell


def test_a_members_thin_threads_travel_with_its_observations_and_checkpoints() -> None:
    """The flag rides the observation's 15th element and the member's 15th field; observations
    and members written before it read as no thin history."""
    o = CampaignObservation(T0, "fp:x", "a", "a-1", 7, 900, 1500, 4096, 7, "34.1.2.0/24", False, thin=True)
    assert CampaignObservation.from_list(o.to_list()).thin is True
    assert CampaignObservation.from_list(o.to_list()[:14]).thin is False
    st = CampaignState(T0)
    st.update(o, 0.5)
    assert st.members["a"][14] == 1.0
    state = st.to_state()
    state["members"]["a"] = state["members"]["a"][:14]
    assert CampaignState.from_state(state).members["a"][14] == 0.0
