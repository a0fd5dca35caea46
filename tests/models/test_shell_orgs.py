"""A sweep spread over a shell organisation: slow accounts under system prompts of their own."""

from __future__ import annotations

import random
from typing import Any

from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, TEMPLATE, event, replay


def _organisation(
    prefix: str, accounts: int, per_account: int, gap_s: tuple[float, float] = (1200.0, 2400.0)
) -> list[dict[str, Any]]:
    """One org id, one office /24, one SDK: each account asks ``per_account`` questions, ``gap_s``
    (20-40 minutes) apart, for long answers, the first from the campaign's template and the rest in
    wording of its own, every other account under a system prompt (it costs a harvester nothing
    and marks a product)."""
    rng = random.Random(prefix)
    out = []
    for a in range(accounts):
        t = T0 + rng.uniform(0, 600)
        for i in range(per_account):
            out.append(
                event(
                    event_id=f"{prefix}-{a}-{i}",
                    account_id=f"{prefix}-{a:03d}",
                    org_id=f"org-{prefix}",
                    ts=t,
                    ip=f"81.2.69.{10 + a % 4}",
                    asn=20712,
                    user_agent="OpenAI/Python 1.45.3",
                    tls_fingerprint="t13d1516h2_8daaf6152771",
                    input_tokens=rng.randint(30, 60),
                    output_tokens=rng.randint(1500, 2500),
                    max_tokens=4096,
                    has_system_prompt=a % 2 == 1,
                    prompt_simhash=prompt_simhash(TEMPLATE.format(f"topic{a}", "org"))
                    if i == 0
                    else f"{rng.getrandbits(64):016x}",
                )
            )
            t += rng.uniform(*gap_s)
    return sorted(out, key=lambda r: r["ts"])


def test_an_organisation_of_slow_harvesters_is_acted_on_whole_system_prompts_or_not() -> None:
    """Sixteen accounts of one organisation, each a question every half hour or so for a long
    answer: once the organisation is judged a campaign (nearly all its steady accounts
    harvest-shaped), its accounts under a system prompt are acted on as well as the others,
    however slowly they ask."""
    decisions = replay(_organisation("shell", 16, 14))
    acted = {d["subject"] for d in decisions if d["action"] != "allow"}
    assert acted == {f"shell-{a:03d}" for a in range(16)}
    first: dict[str, str] = {}
    for d in decisions:
        if d["action"] != "allow":
            first.setdefault(d["subject"], str(d["reasons"][0]))
    # Judged as the organisation first; once its accounts have asked a few questions each, the
    # steady crowd on their client names them too (``CampaignDetector._steady_crowd``).
    assert all("organisation" in r for r in first.values())


def test_an_organisations_accounts_in_one_sitting_each_are_still_one_harvest() -> None:
    """Sixteen accounts of one organisation, each asking eight questions three to seven minutes
    apart and never again: a sitting each, under an hour. An hour's asking is required of a steady
    member only on a client alone (``STEADY_SPAN_S``): an organisation is one customer, and its
    accounts, all harvest-shaped, are one harvest however short each one's life."""
    decisions = replay(_organisation("sitting", 16, 8, gap_s=(180.0, 400.0)))
    acted = {d["subject"] for d in decisions if d["action"] != "allow"}
    assert acted == {f"sitting-{a:03d}" for a in range(16)}
