"""The SimHash contract: every vector in contracts/ is reproduced exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from distillguard.models.simhash import hamming, prompt_simhash

VECTORS = json.loads((Path(__file__).parents[2] / "contracts" / "simhash_vectors.json").read_text())


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["text"][:30] or "<empty>")
def test_contract_vectors(vector: dict[str, str]) -> None:
    """prompt_simhash(text) equals the contract's expected hash."""
    assert prompt_simhash(vector["text"]) == vector["simhash"]


def test_templated_prompts_are_near_and_unrelated_prompts_far() -> None:
    """The property detection relies on: a template sweep differs in few bits, new text in ~32."""
    a = int(prompt_simhash("Explain step by step how photosynthesis works in biology, in detail."), 16)
    b = int(prompt_simhash("Explain step by step how transistors works in biology, in detail."), 16)
    c = int(prompt_simhash("my cat refuses to eat the new food, what should I try first"), 16)
    assert hamming(a, b) <= 16 < hamming(a, c)
