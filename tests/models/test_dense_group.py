"""A hydra in made-up threads, packed behind one /24: each request a later turn of an invented
conversation (a few hundred tokens of history per message, never the long answers it got), so
each account's answers are only partly long for its prompts. Its accounts sweep one template
together on one client from one /24, with no system prompt: tied by what they ask, they count
as harvesting from the verdict level (``_dense_level``), and the campaign takes them. The same
fleet under a product's system prompt is judged as before (``test_sharded_product``)."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.detector import PRODUCT_MEMBER, _dense_level
from tests.factories import hydra, replay


def _threads(system: bool, accounts: int = 30, per_account: int = 40) -> list[dict[str, Any]]:
    """``accounts`` (thirty) of one sweep behind one cloud /24, four minutes or so between
    requests, each a turn of five to nine messages of invented history (700-1,500 prompt
    tokens) asking for 900-1,800 tokens."""
    records = hydra("thread", accounts, per_account, gap_s=240.0)
    rng = random.Random(5)
    for r in records:
        r["ip"] = f"34.91.7.{rng.randrange(1, 255)}"
        r["n_messages"] = rng.choice([5, 7, 9])
        r["input_tokens"] = rng.randint(700, 1500)
        r["output_tokens"] = rng.randint(900, 1800)
        r["has_system_prompt"] = system
    return records


def _acted_on(decisions: list[dict[str, Any]]) -> set[str]:
    return {d["subject"] for d in decisions if d["subject_type"] == "account" and d["action"] != "allow"}


def test_a_hydra_in_made_up_threads_behind_one_nat_is_taken() -> None:
    acted = _acted_on(replay(_threads(system=False)))
    assert len(acted) >= 27  # nine in ten of its thirty accounts


def test_the_same_fleet_under_a_system_prompt_is_judged_as_before() -> None:
    """A system prompt on every request keeps the fleet below the group's bar, as before the rule
    (a product sharded over accounts sends its own): the evasion this leaves open to a campaign
    that sends one, and the price of sparing the product."""
    assert not _acted_on(replay(_threads(system=True)))


def test_a_tied_member_counts_from_the_verdict_level_only_without_a_product_mark() -> None:
    tied = [0.0, 0.0, 12.0, 0.0, 0.3, 0.0, 0.0, 0.9, PRODUCT_MEMBER - 0.1]
    assert _dense_level(tied) == 0.25
    assert _dense_level([*tied[:8], PRODUCT_MEMBER]) == 0.5
    assert _dense_level([*tied[:7], 0.4, 0.0]) == 0.5  # a tie now and then is no habit
