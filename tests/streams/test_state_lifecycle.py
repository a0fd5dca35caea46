"""The state lifecycle without Kafka: idle eviction of tracked *and* only-stored subjects, with
tombstones, in bounded slices; the cap's admission rule and least-recently-active eviction."""

from __future__ import annotations

import orjson
import pytest

from distillguard.models.account_features import AccountState
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import AccountDetector
from distillguard.models.event import parse_event
from distillguard.models.policy import SubjectPolicy
from distillguard.streams.worker.state import Sweeper, checkpoint, drop_evicted
from tests.factories import event

T0 = 1_700_000_000.0


class Store(dict[str, bytes]):
    """Faust's memory store as far as the worker uses it: a mapping with ``_key_partition``."""

    def __init__(self) -> None:
        super().__init__()
        self._key_partition: dict[str, int] = {}


class Table:
    """A table double that records what goes to its changelog."""

    def __init__(self) -> None:
        self.data = Store()
        self.changelog: list[tuple[int, str, bytes | None]] = []

    def send_changelog(self, partition: int, key: str, value: bytes | None) -> None:
        self.changelog.append((partition, key, value))

    def recover(self, key: str, partition: int, st: AccountState) -> None:
        """As Faust's recovery does: the stored value, and the key's partition."""
        self.data[key] = orjson.dumps(st.to_state())
        self.data._key_partition[key] = partition


def _state(account: str, ts: float, n: int = 3) -> AccountState:
    det = AccountDetector(DetectorConfig())
    for i in range(n):
        det.observe(parse_event(event(event_id=f"{account}-{i}", ts=ts + i, account_id=account)))
    return det.states[account]


def _tombstones(table: Table) -> dict[str, int]:
    return {k: p for p, k, v in table.changelog if v is None}


def test_recovered_subjects_that_never_return_are_evicted_and_tombstoned() -> None:
    """Subjects recovered into the table at start and never seen again are deleted from the table
    and from the changelog (a None value on their own partition); recent ones, and an idle one
    with a block in force, stay."""
    cfg = DetectorConfig(idle_evict_s=3600, record_keep_s=86400)
    det = AccountDetector(cfg)
    table = Table()
    for i in range(500):
        table.recover(f"idle-{i}", i % 4, _state(f"idle-{i}", T0))
    table.recover("recent", 2, _state("recent", T0 + 9000))
    blocked = _state("blocked", T0)
    blocked.policy = SubjectPolicy()
    blocked.policy.action, blocked.policy.until, blocked.policy.strikes = "block", T0 + 1e6, 2
    table.recover("blocked", 1, blocked)
    det.loader = lambda key: None  # nothing is loaded: these subjects never send again

    sweeper = Sweeper(table, det, AccountState.from_state, slice_n=100)
    evicted = [sweeper.sweep(T0 + 10_000) for _ in range(8)]
    assert max(evicted) <= 100  # a bounded slice per call
    assert sum(evicted) == 500
    assert set(table.data) == {"recent", "blocked"}
    tomb = _tombstones(table)
    assert len(tomb) == 500
    assert all(tomb[f"idle-{i}"] == i % 4 for i in range(500))
    assert set(table.data._key_partition) == {"recent", "blocked"}


def test_standby_copies_of_other_workers_partitions_are_left_to_their_owners() -> None:
    """Only the partitions this worker owns are swept: a standby copy is never tombstoned here."""
    det = AccountDetector(DetectorConfig(idle_evict_s=3600))
    det.max_subjects = 1
    table = Table()
    for i in range(8):
        table.recover(f"idle-{i}", i % 4, _state(f"idle-{i}", T0))
    sweeper = Sweeper(table, det, AccountState.from_state, active=lambda: {0, 1})
    assert sweeper.sweep(T0 + 10_000) == 4
    assert set(_tombstones(table).values()) == {0, 1}
    assert set(table.data) == {f"idle-{i}" for i in range(8) if i % 4 >= 2}


def test_tracked_idle_subjects_are_evicted_from_the_front_in_slices() -> None:
    """In memory, the sweep reads only the least recently active end, ``slice_n`` at a time, and
    deletes the checkpoints of what it evicts."""
    det = AccountDetector(DetectorConfig(idle_evict_s=100))
    table = Table()
    for i in range(50):
        det.observe(parse_event(event(event_id=f"e{i}", ts=T0 + i, account_id=f"a{i}")), partition=i % 4)
    det.observe(parse_event(event(event_id="late", ts=T0 + 500, account_id="busy")))
    checkpoint(table, det)
    assert len(table.data) == 51
    sweeper = Sweeper(table, det, AccountState.from_state, slice_n=20)
    assert sweeper.sweep(T0 + 500) == 20
    assert sweeper.sweep(T0 + 500) == 20
    assert sweeper.sweep(T0 + 500) == 10
    assert sweeper.sweep(T0 + 500) == 0
    assert list(det.states) == ["busy"]
    assert set(table.data) == {"busy"}
    assert _tombstones(table)["a3"] == 3


def test_the_sweep_deletes_stored_subjects_over_the_cap() -> None:
    """More stored subjects than the cap (a restart with a lower cap): stored subjects not seen
    since are deleted, whatever their age, until the table is within the cap."""
    det = AccountDetector(DetectorConfig())
    det.max_subjects = 100
    table = Table()
    for i in range(300):
        table.recover(f"s-{i}", 0, _state(f"s-{i}", T0))
    sweeper = Sweeper(table, det, AccountState.from_state, slice_n=1000)
    assert sweeper.sweep(T0 + 10) == 200
    assert len(table.data) == 100
    assert len(_tombstones(table)) == 200


def test_at_the_cap_a_subject_is_admitted_at_its_second_sighting() -> None:
    """At the cap, one-shot subjects are not tracked; a subject seen twice is, and the least
    recently active subject makes room, its checkpoint deleted; an actioned one is never evicted
    by the cap while its decision is in force."""
    det = AccountDetector(DetectorConfig())
    det.max_subjects = 3
    table = Table()

    def see(account: str, ts: float) -> None:
        det.observe(parse_event(event(event_id=f"{account}-{ts}", ts=ts, account_id=account)))

    for i, a in enumerate(["blocked", "a", "b"]):
        see(a, T0 + i)
    p = det.states["blocked"].policy = SubjectPolicy()
    p.action, p.until = "block", T0 + 3600
    checkpoint(table, det)
    see("x", T0 + 10)
    assert "x" not in det.states
    assert det.not_admitted == 1
    assert "x" not in det.dirty
    see("x", T0 + 11)
    assert list(det.states) == ["b", "blocked", "x"]  # "a" made room; "blocked" moved to the end
    assert drop_evicted(table, det) == 1
    assert _tombstones(table) == {"a": 0}
    assert "a" not in table.data
    see("b", T0 + 12)  # a touch makes it the most recently active
    see("y", T0 + 13)
    see("y", T0 + 14)
    assert list(det.states) == ["b", "blocked", "y"]  # "x" made room; "blocked" skipped again
    assert det.cap_evicted == 2


def test_the_cap_is_a_setting() -> None:
    """``DISTILLGUARD_MAX_SUBJECTS`` is read and checked, and the worker's stages get it."""
    from distillguard.streams.settings import Settings, SettingsError
    from distillguard.streams.worker.app import faust_app
    from distillguard.streams.worker.state import build_stages
    from distillguard.streams.worker.topics import declare_topics

    assert Settings().max_subjects == 1_000_000
    s = Settings.from_env({"DISTILLGUARD_MAX_SUBJECTS": "50000", "DISTILLGUARD_WEB_ENABLED": "false"})
    assert s.max_subjects == 50_000
    with pytest.raises(SettingsError, match="DISTILLGUARD_MAX_SUBJECTS"):
        Settings.from_env({"DISTILLGUARD_MAX_SUBJECTS": "0"})
    stages = build_stages(s, declare_topics(faust_app(s), s))
    assert {st.detector.max_subjects for st in (stages.account, stages.cluster, stages.campaign)} == {50_000}


def test_the_cap_is_counted_in_the_metrics() -> None:
    """First sightings not admitted and evictions by the cap are exported, per subject type."""
    from distillguard.streams.worker.metrics import exposition, metrics_registry
    from distillguard.streams.worker.stages import AccountStage, CampaignStage, ClusterStage, Stages
    from distillguard.streams.worker.views import EventRate

    cfg = DetectorConfig()
    s = Stages(AccountStage(cfg), ClusterStage(cfg), CampaignStage(cfg))
    s.account.detector.max_subjects = 1
    records = [orjson.dumps(event(event_id=f"e{i}", ts=T0 + i, account_id=f"a{i % 3}")) for i in range(5)]
    s.account.process([(r, "api-requests", 0, i) for i, r in enumerate(records)], now=T0 + 10)
    # a0 tracked; a1 and a2 refused at their first sighting; a0 (the only one) evicted for a1 at its second
    text = exposition(metrics_registry(s, EventRate(lambda: 0.0))).decode()
    assert 'distillguard_subjects_not_admitted_total{type="account"} 2.0' in text
    assert 'distillguard_subjects_cap_evicted_total{type="account"} 1.0' in text
    assert 'distillguard_subjects_cap_evicted_total{type="campaign"} 0.0' in text


def test_the_test_crash_point_is_read_from_its_variable() -> None:
    from distillguard.streams.worker.crashpoint import ENV, from_env

    assert from_env({}) is None
    cp = from_env({ENV: "checkpoint:3"})
    assert cp is not None
    assert (cp.place, cp.n) == ("checkpoint", 3)
    cp.reached("commit")  # another place: not counted, and no kill
    assert cp.seen == 0
    for bad in ("commit", "commit:0", "flush:1"):
        with pytest.raises(ValueError, match=ENV):
            from_env({ENV: bad})
