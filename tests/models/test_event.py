"""Validation of API request events against the contract."""

from __future__ import annotations

import orjson
import pytest

from distillguard.models.event import InvalidEvent, decode_event, parse_event
from tests.factories import event

REQUIRED = [
    "event_id",
    "ts",
    "account_id",
    "api_key_id",
    "ip",
    "model",
    "input_tokens",
    "output_tokens",
    "max_tokens",
    "n_messages",
    "prompt_simhash",
    "status",
]
WRONG_TYPES = {
    "event_id": 5,
    "ts": "now",
    "account_id": None,
    "api_key_id": ["k"],
    "ip": 1234,
    "model": 3.5,
    "input_tokens": 1.5,
    "output_tokens": "10",
    "max_tokens": True,
    "n_messages": None,
    "prompt_simhash": 123,
    "status": "200",
    "user_agent": 7,
    "org_id": 1,
    "asn": "AS1",
    "temperature": "hot",
    "stream": "yes",
    "has_system_prompt": 1,
    "latency_ms": [],
}


def test_valid_event_parses_with_cluster_and_hash() -> None:
    """A valid record yields typed fields, its /24 and the hash as an int."""
    e = parse_event(event())
    assert (e.account_id, e.cluster, e.simhash) == ("acct-1", "203.0.113.0/24", 0x0123456789ABCDEF)


@pytest.mark.parametrize("name", REQUIRED)
def test_each_required_field_missing_is_rejected(name: str) -> None:
    """Every required field, when absent, is named in the error."""
    d = event()
    del d[name]
    with pytest.raises(InvalidEvent, match=f"missing field '{name}'"):
        parse_event(d)


@pytest.mark.parametrize(("name", "value"), sorted(WRONG_TYPES.items()))
def test_each_wrong_type_is_rejected(name: str, value: object) -> None:
    """A mistyped field (bools are not integers, strings are not numbers) is rejected by name."""
    with pytest.raises(InvalidEvent, match=f"'{name}'"):
        parse_event(event(**{name: value}))


def test_unknown_fields_are_kept() -> None:
    """additionalProperties is true: unknown fields pass and stay on the record."""
    e = parse_event(event(region="eu-west", extra={"a": 1}))
    assert e.data["region"] == "eu-west"
    assert e.data["extra"] == {"a": 1}


@pytest.mark.parametrize(
    ("over", "fragment"),
    [
        ({"input_tokens": -1}, "input_tokens"),
        ({"output_tokens": 10**12}, "output_tokens"),
        ({"n_messages": 0}, "n_messages"),
        ({"status": 700}, "status"),
        ({"prompt_simhash": "0123456789ABCDEF"}, "prompt_simhash"),
        ({"prompt_simhash": "abc"}, "prompt_simhash"),
        ({"ip": "999.1.1.1"}, "ip"),
        ({"ip": "not-an-ip"}, "ip"),
        ({"event_id": ""}, "event_id"),
        ({"account_id": "x" * 129}, "account_id"),
        ({"temperature": -0.5}, "temperature"),
        ({"ts": -5.0}, "'ts'"),
        ({"ts": 2.0**32}, "'ts'"),
    ],
)
def test_absurd_values_are_rejected(over: dict[str, object], fragment: str) -> None:
    """Out-of-range values are rejected with the field named."""
    with pytest.raises(InvalidEvent, match=fragment):
        parse_event(event(**over))


def test_future_timestamps_are_rejected_but_old_ones_are_not() -> None:
    """Only the future is implausible: historical traffic is valid input."""
    now = 2_000_000_000.0
    with pytest.raises(InvalidEvent, match="in the future"):
        parse_event(event(ts=now + 3600), now=now, future_allowance_s=300)
    assert parse_event(event(ts=now + 100), now=now, future_allowance_s=300).ts == now + 100
    assert parse_event(event(ts=1.0), now=now).ts == 1.0


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b'{"ts": NaN}', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object, got list"),
        (b"null", "got null"),
        (b"[" * 5000 + b"]" * 5000, "not valid JSON"),
    ],
)
def test_undecodable_records_are_rejected(raw: bytes, fragment: str) -> None:
    """Bytes that are not a JSON object are rejected with a reason, never an exception leak."""
    with pytest.raises(InvalidEvent, match=fragment):
        decode_event(raw)


def test_decode_roundtrip() -> None:
    """orjson bytes decode to the same event as the dict."""
    assert decode_event(orjson.dumps(event())).event_id == "e-1"


def test_a_negative_time_is_dead_lettered_before_any_state_changes() -> None:
    """A negative ``ts`` used to pass validation and fail half-way through the account update."""
    from distillguard.models.detector import Detector

    det = Detector()
    with pytest.raises(InvalidEvent, match="'ts'"):
        det.observe(parse_event(event(ts=-3600.0)))
    assert not det.accounts.states
