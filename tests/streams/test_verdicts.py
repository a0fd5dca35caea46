"""Analysts' verdicts: the record, the book of verdicts in force, and the account stage honouring them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import orjson
import pytest

from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.streams.worker.stages import AccountStage, ClusterStage
from distillguard.streams.worker.verdicts import (
    AnalystVerdict,
    InvalidVerdict,
    VerdictBook,
    new_verdict,
    verdict_decision,
)
from tests.factories import firehose

ROOT = Path(__file__).parents[2]
NOW = 1_800_000_000.0


def schema() -> dict[str, object]:
    return json.loads((ROOT / "contracts" / "analyst_verdict.schema.json").read_text())


def test_a_new_verdict_follows_the_contract_and_round_trips() -> None:
    v = new_verdict("alice", "account", "acct-9", "release", "customer's eval harness", hours=2, now=NOW)
    assert v.verdict_id.startswith("v-")
    assert len(v.verdict_id) == 14
    assert v.expires_at == NOW + 7200
    key, value = v.encode()
    assert key == b"account:acct-9"
    jsonschema.validate(orjson.loads(value), schema())
    assert AnalystVerdict.decode(value) == v


@pytest.mark.parametrize(
    "raw",
    [
        None,
        b"not json",
        b"[]",
        b'{"verdict_id": "v-1"}',
        orjson.dumps({**new_verdict("a", "account", "x", "release", now=NOW).to_dict(), "verdict": "pardon"}),
        orjson.dumps({**new_verdict("a", "account", "x", "release", now=NOW).to_dict(), "subject_type": "user"}),
        orjson.dumps({**new_verdict("a", "account", "x", "release", now=NOW).to_dict(), "analyst": ""}),
    ],
)
def test_records_that_are_not_verdicts_are_refused(raw: bytes | None) -> None:
    with pytest.raises(InvalidVerdict):
        AnalystVerdict.decode(raw)
    book = VerdictBook()
    assert book.apply_records([raw], now=NOW) == []
    assert book.rejected == 1


def test_a_release_sends_an_allow_naming_the_verdict_and_exempts_until_it_expires() -> None:
    book = VerdictBook()
    v = new_verdict("alice", "account", "acct-9", "release", "known customer", hours=1, now=NOW)
    (d,) = book.apply(v, now=NOW)
    assert (d.action, d.subject_type, d.subject) == ("allow", "account", "acct-9")
    assert d.reasons == (f"analyst release {v.verdict_id}: alice: known customer",)
    assert d.trigger_event_id == v.verdict_id
    assert d.ttl_s == 3600
    assert book.released("account", "acct-9", NOW + 3599)
    assert not book.released("account", "acct-9", NOW + 3600)
    assert not book.released("account", "acct-10", NOW)
    # The same verdict read again sends the same decision (same id): idempotent for gateways.
    assert VerdictBook().apply(v, now=NOW + 5)[0].decision_id == d.decision_id


def test_an_escalation_blocks_and_holds_back_the_detectors_lifting_it() -> None:
    book = VerdictBook()
    v = new_verdict("bob", "ip_cluster", "34.90.1.0/24", "escalate", "same operator as case 12", hours=24, now=NOW)
    (d,) = book.apply(v, now=NOW)
    assert (d.action, d.score) == ("block", 1.0)
    assert d.reasons[0].startswith(f"analyst escalate {v.verdict_id}: bob")

    def detector(action: str) -> Decision:
        return Decision(NOW, "ip_cluster", "34.90.1.0/24", action, 600, 0.5, ("flagged_accounts 3",), "e-1", NOW)

    assert not book.admits(detector("allow"), NOW + 10)
    assert not book.admits(detector("throttle"), NOW + 10)
    assert book.admits(detector("block"), NOW + 10)
    assert book.admits(detector("allow"), NOW + 24 * 3600 + 1)


def test_a_confirmation_is_a_record_only_and_ends_an_earlier_release() -> None:
    book = VerdictBook()
    book.apply(new_verdict("alice", "account", "a", "release", hours=5, now=NOW), now=NOW)
    assert book.apply(new_verdict("carol", "account", "a", "confirm", now=NOW + 1), now=NOW + 1) == []
    assert not book.released("account", "a", NOW + 2)
    # An older record read after a newer one (out of order) does not undo it.
    assert book.apply(new_verdict("alice", "account", "a", "release", hours=5, now=NOW - 5), now=NOW + 3) == []
    assert book.by_subject["account", "a"].verdict == "confirm"


def test_in_force_resends_only_unexpired_releases_and_escalations() -> None:
    book = VerdictBook()
    raws = [
        new_verdict("a", "account", "r1", "release", hours=1, now=NOW).encode()[1],
        new_verdict("a", "account", "r2", "release", hours=1, now=NOW - 7200).encode()[1],
        new_verdict("a", "account", "e1", "escalate", hours=1, now=NOW).encode()[1],
        new_verdict("a", "account", "c1", "confirm", hours=1, now=NOW).encode()[1],
    ]
    assert book.apply_records(raws, now=NOW, emit=False) == []
    assert sorted((d.subject, d.action) for d in book.in_force(NOW + 1)) == [("e1", "block"), ("r1", "allow")]
    assert verdict_decision(book.by_subject["account", "r2"], NOW) is None


def stage_run(stage: AccountStage, events: list[dict[str, object]], start: int) -> list[dict[str, object]]:
    recs = [(orjson.dumps(e), "t", 0, start + i) for i, e in enumerate(events)]
    out = stage.process(recs, live=False, now=1e12)
    return [orjson.loads(v) for _, v in out.decisions]


def test_a_release_of_a_throttled_account_sends_its_allow() -> None:
    stage = AccountStage(DetectorConfig())
    events = firehose("harvester", 400, rpm=60)
    first = stage_run(stage, events[:200], 0)
    assert [d["action"] for d in first][:1] == ["throttle"]
    v = new_verdict("alice", "account", "harvester", "release", "false positive", hours=0.5)
    out = stage.apply_analyst_verdicts([v.encode()[1]])
    (allow,) = [orjson.loads(x) for _, x in out.decisions]
    assert allow["action"] == "allow"
    assert allow["reasons"][0].startswith(f"analyst release {v.verdict_id}")
    assert allow["trigger_event_id"] == v.verdict_id
    assert allow["reason_codes"][0] == "released"


def test_a_released_account_is_not_rethrottled_while_released() -> None:
    stage = AccountStage(DetectorConfig())
    events = firehose("harvester", 400, rpm=60)
    assert any(d["action"] == "throttle" for d in stage_run(stage, events[:200], 0))
    v = new_verdict("alice", "account", "harvester", "release", "false positive", hours=10_000_000)
    stage.apply_analyst_verdicts([v.encode()[1]])
    later = stage_run(stage, events[200:], 200)
    assert later == []
    assert stage.detector.allow.account("harvester")


def test_without_a_release_the_same_account_is_acted_on_again() -> None:
    stage = AccountStage(DetectorConfig())
    events = firehose("harvester", 400, rpm=60)
    stage_run(stage, events[:200], 0)
    v = new_verdict("alice", "account", "harvester", "release", hours=0, now=1.0)  # long expired
    stage.apply_analyst_verdicts([v.encode()[1]])
    stage.detector.states["harvester"].policy = None  # as if the earlier throttle had lapsed
    assert any(d["action"] in ("throttle", "block") for d in stage_run(stage, events[200:], 200))


def test_a_release_teaches_the_stage_to_leave_look_alikes_alone() -> None:
    """The worker learns from a release: another account scripted the same way is not actioned."""
    stage = AccountStage(DetectorConfig())
    assert any(d["action"] == "throttle" for d in stage_run(stage, firehose("batch-a", 200, rpm=60), 0))
    v = new_verdict("alice", "account", "batch-a", "release", "a customer's nightly job", hours=10_000_000)
    stage.apply_analyst_verdicts([v.encode()[1]])
    assert stage.detector.lookalikes.labelled.keys() == {"batch-a"}
    t1 = firehose("batch-a", 1)[0]["ts"] + 7200
    assert stage_run(stage, firehose("batch-b", 200, t0=t1, rpm=60, ip="34.91.7.9"), 200) == []


def test_the_cluster_stage_shares_the_account_stages_verdicts() -> None:
    acc, clu = AccountStage(DetectorConfig()), ClusterStage(DetectorConfig())
    clu.share_verdicts(acc.verdicts)
    v = new_verdict("alice", "ip_cluster", "34.90.1.0/24", "release", hours=1)
    acc.apply_analyst_verdicts([v.encode()[1]])
    assert clu.detector.allow.cluster("34.90.1.0/24")
    assert not clu.detector.allow.cluster("34.90.2.0/24")


def test_the_configured_allowlist_still_holds_beside_the_releases() -> None:
    cfg = DetectorConfig(allowlist=frozenset({"vip", "10.0.0.0/8"}))
    acc, clu = AccountStage(cfg), ClusterStage(cfg)
    clu.share_verdicts(acc.verdicts)
    assert acc.detector.allow.account("vip")
    assert not acc.detector.allow.account("other")
    assert clu.detector.allow.cluster("10.1.2.0/24")
    acc.apply_analyst_verdicts([new_verdict("a", "account", "other", "release", hours=1).encode()[1]])
    assert acc.detector.allow.account("other")
    assert acc.detector.allow.account("vip")
