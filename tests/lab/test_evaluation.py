"""The yardstick itself: enforcement replay and metrics on tiny hand-made traffic."""

from __future__ import annotations

import orjson
import pytest

from distillguard.lab.evaluation import AccountTally, EvalResult, evaluate, summarize
from distillguard.models.config import DetectorConfig
from distillguard.streams.gateway.enforcement import Enforcer, StaticLimit, TokenBucket
from tests.factories import chat_user, event, firehose


def test_a_known_throttle_serves_a_known_number_of_requests() -> None:
    """limit 6 rpm, one request a second at t = 0..119 s: a burst of 6, then 0.1 token a second
    for 119 s (11.9 tokens): 6 + 11 = 17 served."""
    e = Enforcer()
    e.apply({"subject": "a", "action": "throttle", "limit_rpm": 6, "ts": 0.0, "ttl_s": 900, "reasons": []}, 0.0)
    served = sum(e.admit("a", "c", float(t))[0] for t in range(120))
    assert served == 6 + 11


def test_block_ttl_and_allow() -> None:
    """A block refuses until its TTL; an allow lifts it at once."""
    e = Enforcer()
    e.apply({"subject": "a", "action": "block", "ts": 0.0, "ttl_s": 100, "reasons": []}, 0.0)
    assert [e.admit("a", "c", t)[0] for t in (1.0, 99.0, 100.0)] == [False, False, True]
    e.apply({"subject": "a", "action": "block", "ts": 200.0, "ttl_s": 100, "reasons": []}, 200.0)
    e.apply({"subject": "a", "action": "allow", "ts": 210.0, "ttl_s": 100, "reasons": []}, 210.0)
    assert e.admit("a", "c", 211.0) == (True, False)


def test_cluster_decision_applies_to_its_accounts() -> None:
    """A block on a /24 refuses every account behind it, and marks them as under action."""
    e = Enforcer()
    e.apply({"subject": "1.2.3.0/24", "action": "block", "ts": 0.0, "ttl_s": 100, "reasons": []}, 0.0)
    assert e.admit("x", "1.2.3.0/24", 5.0) == (False, True)
    assert e.admit("x", "1.2.4.0/24", 5.0) == (True, False)


def test_static_limit_is_a_token_bucket_per_key() -> None:
    """A static 60 rpm limit: a burst of 60, then one a second, per account."""
    s = StaticLimit(60, "account")
    assert sum(s.admit("a", "c", 0.0) for _ in range(100)) == 60
    assert s.admit("b", "c", 0.0)
    assert TokenBucket(60, 60, 0.0).take(0.0)


def test_summarize_arithmetic() -> None:
    """Recall, harvest, delays and honest collateral from hand-made tallies."""
    tallies = {
        "att1": AccountTally(requests=100, served=10, actioned_at=12, actioned_after_s=60.0),
        "att2": AccountTally(requests=50, served=50),
        "ben1": AccountTally(requests=1000, served=999, actioned_at=500, actioned_after_s=10.0),
        "ben2": AccountTally(requests=1000, served=1000),
    }
    for t in tallies.values():
        t.static_served = {"static 10 rpm/account": t.requests // 2}
    labels = {
        "att1": {"label": "attack", "scenario": "fh"},
        "att2": {"label": "attack", "scenario": "fh"},
        "ben1": {"label": "benign", "scenario": "chat"},
        "ben2": {"label": "benign", "scenario": "chat"},
    }
    m = summarize(EvalResult(tallies, [], 2150, 0, 1.0, ["static 10 rpm/account"]), labels)
    o = m["overall"]
    assert o["recall"] == 0.5
    assert o["harvest"] == round(60 / 150, 4)
    assert o["requests_to_action_median"] == 12
    assert o["benign_accounts_actioned_pct"] == 50.0
    assert o["benign_requests_rejected_pct"] == 0.05
    assert m["scenarios"]["fh"]["benign_accounts"] == 0
    assert m["static"]["static 10 rpm/account"] == {"harvest": 0.5, "benign_requests_rejected_pct": 50.0}
    assert m["best_static"] is None  # 50 % honest rejected is over the 0.1 % bar


@pytest.mark.parametrize("delay", [0.0, 1.0])
def test_evaluate_end_to_end_on_a_small_campaign(delay: float) -> None:
    """A scripted campaign beside honest users: acted on, most of it refused, nobody honest hurt."""
    records = firehose("fh", 200, rpm=60) + chat_user("u1", 60) + chat_user("u2", 60)
    records.sort(key=lambda r: r["ts"])
    lines = [orjson.dumps(r) for r in records] + [b"{broken", orjson.dumps(event(event_id="x", ts=-1.0))]
    res = evaluate(lines, DetectorConfig(), delay_s=delay)
    labels = {
        "fh": {"label": "attack", "scenario": "firehose"},
        "u1": {"label": "benign", "scenario": "chat"},
        "u2": {"label": "benign", "scenario": "chat"},
        "acct-1": {"label": "benign", "scenario": "x"},
    }
    m = summarize(res, labels)
    fh = res.tallies["fh"]
    assert fh.actioned_at == DetectorConfig().min_events
    assert m["overall"]["harvest"] == pytest.approx(fh.served / 200)
    assert fh.served < 40
    assert m["overall"]["benign_requests_rejected_pct"] == 0.0
    assert res.rejected == 2  # the broken line, and the late event (after being judged by the gateway)
