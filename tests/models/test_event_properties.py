"""Property-based tests of the decoder: no input crashes it, and the fast path agrees with the
field-by-field validator on every record."""

from __future__ import annotations

import math
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.models.event import Event, InvalidEvent, _parse_slow, decode_event, parse_event
from tests.factories import event

FIELDS = list(event().keys())
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=140),
    st.sampled_from(["1.2.3.4", "::1", "0123456789abcdef", "fedcba9876543210", "", "x" * 600]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _outcome(fn: Any, d: object) -> tuple[str, object]:
    try:
        e: Event = fn(d, now=2_000_000_000.0)
    except InvalidEvent as err:
        return "rejected", str(err).split(" ")[0]
    return "accepted", (e.event_id, e.ts, e.cluster, e.simhash, e.input_tokens, e.status)


@settings(max_examples=400, deadline=None)
@given(mutations=st.dictionaries(st.sampled_from(FIELDS), values, max_size=4), drop=st.sets(st.sampled_from(FIELDS)))
def test_fast_path_agrees_with_the_validator(mutations: dict[str, object], drop: set[str]) -> None:
    """Whatever is changed or removed, parse_event accepts exactly what the slow validator accepts."""
    d = event(**mutations)
    for k in drop:
        d.pop(k, None)
    fast, slow = _outcome(parse_event, d), _outcome(_parse_slow, dict(d))
    assert fast[0] == slow[0]
    if fast[0] == "accepted":
        assert fast == slow


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_another_exception(raw: bytes) -> None:
    """Random bytes either decode to a valid event or raise InvalidEvent with a reason."""
    _assert_judged(raw)


@settings(max_examples=200, deadline=None)
@given(
    obj=st.recursive(
        values, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3), max_leaves=12
    )
)
def test_arbitrary_json_values_are_handled(obj: object) -> None:
    """Any JSON document (finite numbers) is judged without crashing."""
    try:
        raw = orjson.dumps(obj)
    except TypeError:  # integers beyond 64 bits cannot be JSON-encoded by orjson
        return
    _assert_judged(raw)


def _assert_judged(raw: bytes) -> None:
    """Accepted with every guarantee the detector relies on, or rejected with a reason."""
    try:
        ev = decode_event(raw)
    except InvalidEvent as err:
        reason = str(err)
    else:
        reason = ""
        _assert_valid(ev)
    if reason:
        assert reason.strip() == reason, "a rejection reason is one clean line"


def _assert_valid(ev: Event) -> None:
    """What every accepted event guarantees to the detector."""
    assert isinstance(ev, Event)
    for field in (ev.event_id, ev.account_id, ev.api_key_id, ev.model):
        assert field
    assert math.isfinite(ev.ts)
    assert min(ev.input_tokens, ev.output_tokens, ev.max_tokens) >= 0
    assert ev.n_messages >= 1
    assert 0 <= ev.simhash < 2**64
    assert 100 <= ev.status <= 599


def test_valid_floats_and_ints_for_ts_agree() -> None:
    """Integer and float timestamps are both numbers; NaN and infinities are not."""
    assert parse_event(event(ts=10)).ts == 10.0
    for bad in (math.nan, math.inf, -math.inf):
        assert _outcome(parse_event, event(ts=bad))[0] == "rejected"
