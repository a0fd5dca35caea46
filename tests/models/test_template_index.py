"""The template index: siblings across accounts take one template id."""

from __future__ import annotations

from distillguard.models.template_index import TemplateIndex

P1 = 0xFFFF_1234_5678_9ABC
BAND0 = 0x03FF_0000_0000_0000  # ten bits inside the first band
BAND1 = 0x0000_03FF_0000_0000  # ten inside the second


def test_a_prompt_between_two_ids_of_one_template_takes_the_smaller_and_passes_it_on() -> None:
    """Fills of one template that first met no sibling start ids of their own. A later fill that
    is a sibling of both joins them under the smaller id and writes it into its band slots, so
    the template's requests gather under one key instead of staying split (a slow campaign's
    members each had a request or two in each of several groups)."""
    idx = TemplateIndex()
    p2 = P1 ^ BAND0 ^ BAND1  # 20 bits from P1: not its sibling, an id of its own
    assert idx.key(P1, 1, 0.0) is None
    assert idx.key(p2, 2, 1.0) is None
    smaller = min((P1 >> 32) | 1, (p2 >> 32) | 1)
    assert smaller != (P1 >> 32) | 1  # the first band's sibling holds the larger id
    p3 = P1 ^ BAND1  # a sibling of P1 on the first band, of p2 on the other three
    assert idx.key(p3, 3, 2.0) == f"tpl:{smaller:08x}"
    q = p3 ^ (1 << 40) ^ (1 << 20) ^ 1  # agrees with p3 on the first band only
    assert idx.key(q, 4, 3.0) == f"tpl:{smaller:08x}"  # the first band's slot now carries it


def test_a_prompt_with_no_recent_sibling_of_another_account_has_no_key() -> None:
    idx = TemplateIndex()
    assert idx.key(P1, 1, 0.0) is None
    assert idx.key(P1 ^ 0b11, 1, 10.0) is None  # the same account
    assert idx.key(P1 ^ 0b11, 2, 10.0 + 4000.0) is None  # an hour later
