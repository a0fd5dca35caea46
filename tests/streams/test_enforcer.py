"""The gateway's verdict logic, without Kafka: TTLs, throttle buckets, allow, clusters, staleness."""

from __future__ import annotations

import pytest

from distillguard.streams.gateway.enforcer import EnforcementClient
from distillguard.streams.settings import Settings

NOW = 1_800_000_000.0


def decision(
    subject: str, action: str, ts: float = NOW, ttl: int = 600, limit: int | None = None, subject_type: str = "account"
) -> dict[str, object]:
    return {
        "decision_id": f"{subject}-{action}-{ts}",
        "ts": ts,
        "subject_type": subject_type,
        "subject": subject,
        "action": action,
        "limit_rpm": limit,
        "ttl_s": ttl,
        "score": 0.9,
        "reasons": ["why"],
        "trigger_event_id": "e",
        "trigger_event_ts": ts,
    }


@pytest.fixture
def client() -> EnforcementClient:
    c = EnforcementClient(Settings(), stale_after_s=3600)
    c.last_contact = NOW
    return c


def test_block_refuses_until_its_ttl_then_lifts(client: EnforcementClient) -> None:
    """A block refuses with Retry-After = time left; after the TTL the account is served."""
    client.apply(decision("a", "block", ttl=600), now=NOW)
    v = client.check("a", "98.1.2.3", now=NOW + 100)
    assert (v.allowed, v.retry_after_s) == (False, 500.0)
    assert "block a" in v.reason
    client.last_contact = NOW + 601
    assert client.check("a", "98.1.2.3", now=NOW + 601).allowed


def test_throttle_admits_limit_rpm_through_a_token_bucket(client: EnforcementClient) -> None:
    """limit_rpm=6: a burst of 6, then one request per 10 s, with Retry-After until the next token."""
    client.apply(decision("a", "throttle", limit=6), now=NOW)
    served = [client.check("a", "98.1.2.3", now=NOW + 1).allowed for _ in range(8)]
    assert served == [True] * 6 + [False] * 2
    refused = client.check("a", "98.1.2.3", now=NOW + 1)
    assert 1.0 <= refused.retry_after_s <= 10.0
    assert client.check("a", "98.1.2.3", now=NOW + 11.5).allowed
    assert not client.check("a", "98.1.2.3", now=NOW + 11.6).allowed


def test_allow_lifts_an_earlier_decision(client: EnforcementClient) -> None:
    """An explicit allow ends a block before its TTL."""
    client.apply(decision("a", "block"), now=NOW)
    client.apply(decision("a", "allow", ts=NOW + 10), now=NOW + 10)
    assert client.check("a", "98.1.2.3", now=NOW + 11).allowed


def test_an_account_is_subject_to_its_ip_cluster(client: EnforcementClient) -> None:
    """A cluster throttle applies to every account behind that /24, not to other clusters."""
    client.apply(decision("203.0.113.0/24", "throttle", limit=1, subject_type="ip_cluster"), now=NOW)
    assert client.check("x", "203.0.113.9", now=NOW).allowed
    v = client.check("y", "203.0.113.77", now=NOW)
    assert not v.allowed
    assert "203.0.113.0/24" in v.reason
    assert client.check("y", "203.0.114.77", now=NOW).allowed


def test_stale_state_fails_open_by_default_and_closed_when_asked(client: EnforcementClient) -> None:
    """No contact with the broker for longer than stale_after_s: allow (default) or refuse."""
    client.apply(decision("a", "block", ttl=100_000), now=NOW)
    assert not client.check("a", "98.1.2.3", now=NOW + 10).allowed
    assert client.check("a", "98.1.2.3", now=NOW + 3601).allowed
    closed = EnforcementClient(Settings(), fail_open=False, stale_after_s=60)
    closed.last_contact = NOW
    v = closed.check("anyone", "98.1.2.3", now=NOW + 61)
    assert not v.allowed
    assert "stale" in v.reason


def test_renewed_throttle_keeps_its_bucket(client: EnforcementClient) -> None:
    """A renewal of the same limit does not refill the bucket (no burst on every renewal)."""
    client.apply(decision("a", "throttle", limit=2), now=NOW)
    assert [client.check("a", "1.1.1.1", now=NOW).allowed for _ in range(3)] == [True, True, False]
    client.apply(decision("a", "throttle", ts=NOW + 1, limit=2), now=NOW + 1)
    assert not client.check("a", "1.1.1.1", now=NOW + 1).allowed
