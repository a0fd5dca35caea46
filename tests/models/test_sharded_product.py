"""A product sharded over accounts shares every tie a campaign can: one client, one NAT /24 on
one cloud, one template around its users' questions, a system prompt on every request. What it
does not do is harvest: its answers are about as long as its prompts. It is no campaign, however
tight its ties (a candidate that let a tied member of a group behind a few /24s count as
harvesting from the verdict level took all twelve accounts)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.factories import hydra, replay


def _sharded_product(accounts: int = 12, per_account: int = 60, system: bool = True) -> list[dict[str, Any]]:
    """``accounts`` (twelve) of one product behind one /24, each request its template around a user's
    question (300-850 prompt tokens with the system prompt, 400-900 answer tokens), now and then
    a follow-up in a conversation."""
    records = hydra("shop", accounts, per_account, gap_s=30.0)
    rng = random.Random(11)
    for r in records:
        r["ip"] = f"40.253.150.{rng.randrange(1, 255)}"
        r["asn"] = 8075
        r["user_agent"] = "shopcopy/1.27.8"
        r["tls_fingerprint"] = "t13d1812h2_66e63e6a4444_92fd9e091654"
        r["n_messages"] = rng.choice([1, 1, 1, 3])
        r["input_tokens"] = rng.randint(300, 850)
        r["output_tokens"] = rng.randint(400, 900)
        r["has_system_prompt"] = system
    return records


@pytest.mark.parametrize("system", [True, False])
def test_a_product_sharded_over_accounts_behind_one_nat_is_no_campaign(system: bool) -> None:
    """With its instructions in a system prompt or in the user's turn (a candidate that spared
    products by their system prompt took the second)."""
    decisions = replay(_sharded_product(system=system))
    assert not {d["subject"] for d in decisions if d["subject_type"] == "account" and d["action"] != "allow"}
