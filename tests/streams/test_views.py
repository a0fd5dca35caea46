"""The worker's web views: what ``/dg/stats/``, ``/dg/subjects/{subject}/`` and ``/metrics/`` show
for a known state of the stages, directly and over HTTP through Faust's web server. The metrics
are read back with ``prometheus_client``'s own parser."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from distillguard.models.config import DetectorConfig
from distillguard.streams.settings import Settings
from distillguard.streams.worker.app import faust_app
from distillguard.streams.worker.metrics import exposition, metrics_registry
from distillguard.streams.worker.stages import AccountStage, CampaignStage, ClusterStage, Stages
from distillguard.streams.worker.views import EventRate, add_views, score_quantiles, stats, subject_body
from tests.factories import chat_user, event, firehose, hydra

N_FIREHOSE, N_CHAT, HYDRA_ACCOUNTS, HYDRA_EACH = 120, 30, 30, 8
N_EVENTS = N_FIREHOSE + N_CHAT + HYDRA_ACCOUNTS * HYDRA_EACH


def _stages() -> Stages:
    cfg = DetectorConfig()
    return Stages(AccountStage(cfg), ClusterStage(cfg), CampaignStage(cfg))


Families = dict[str, Any]


def _families(text: str) -> Families:
    """Metric families by name, parsed as a Prometheus server would."""
    return {f.name: f for f in text_string_to_metric_families(text)}


def _value(families: Families, name: str, **labels: str) -> float:
    """The value of the one sample ``name`` with exactly ``labels`` (in any family: a counter's
    samples add ``_total``, a histogram's ``_bucket``, ``_count`` and ``_sum``)."""
    found = [x.value for f in families.values() for x in f.samples if x.name == name and x.labels == labels]
    assert len(found) == 1, (name, labels, found)
    return float(found[0])


def _by_action(families: Families, subject_type: str) -> dict[str, float]:
    """Decisions of one subject type by action, summed over reasons."""
    out: dict[str, float] = {}
    for x in families["distillguard_decisions"].samples:
        if x.name == "distillguard_decisions_total" and x.labels["subject_type"] == subject_type:
            out[x.labels["action"]] = out.get(x.labels["action"], 0.0) + x.value
    return out


def _run(s: Stages, events: list[dict[str, Any]], batch: int = 40) -> None:
    """The worker's route, in one process: accounts -> clusters, campaigns -> verdicts -> accounts."""
    records = [(orjson.dumps(e), "api-requests", 0, i) for i, e in enumerate(events)]
    for i in range(0, len(records), batch):
        out = s.account.process(records[i : i + batch])
        s.cluster.process([(v, "obs", p, j) for j, (p, v) in enumerate(out.observation_messages())])
        camp = s.campaign.process([(v, "camp", p, j) for j, (p, v) in enumerate(out.campaign_messages())])
        s.account.apply_verdicts([(v, "verdicts", 0, j) for j, (_, v) in enumerate(camp.verdicts)])


@pytest.fixture(scope="module")
def worked() -> Stages:
    """Stages that have seen a firehose, an honest chat user and a hydra campaign."""
    s = _stages()
    events = [*firehose("fh", N_FIREHOSE), *chat_user("u", N_CHAT), *hydra("hy", HYDRA_ACCOUNTS, HYDRA_EACH)]
    _run(s, sorted(events, key=lambda e: e["ts"]))
    return s


class Clock:
    """A settable clock for :class:`EventRate`."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_account_shows_its_state_policy_and_own_decisions(worked: Stages) -> None:
    st = worked.account.detector.states["fh"]
    status, body = subject_body(worked, "fh")
    assert status == 200
    assert body["subject"] == "fh"
    assert body["known"] is True
    assert body["type"] == "account"
    assert body["requests"] == N_FIREHOSE == st.n
    assert body["score"] == st.score
    assert body["features"] == worked.account.detector.evidence(st, st.last_ts)[1]
    assert body["features"]["answer_ratio"] >= 0.0
    assert body["raw"] == st.raw(st.last_ts)
    assert st.policy is not None
    assert body["policy"] == st.policy.to_state()
    assert body["recent_decisions"], "the firehose was acted on"
    assert body["recent_decisions"] == [d for d in worked.account.recent if d["subject"] == "fh"]
    assert {d["action"] for d in body["recent_decisions"]} <= {"throttle", "block", "allow"}
    assert orjson.loads(orjson.dumps(body)) == body  # plain JSON, no custom types


def test_an_honest_account_has_nothing_in_force_and_no_decisions(worked: Stages) -> None:
    st = worked.account.detector.states["u"]
    status, body = subject_body(worked, "u")
    assert status == 200
    assert body["requests"] == N_CHAT
    assert st.policy is None or st.policy.action == "none"
    assert body["policy"] == (st.policy.to_state() if st.policy else None)
    assert body["recent_decisions"] == []


def test_a_campaign_member_shows_the_block_that_came_from_its_campaign(worked: Stages) -> None:
    """A hydra member's page carries the campaign stage's verdict as its account decision."""
    members = [f"hy-{a:03d}" for a in range(HYDRA_ACCOUNTS)]
    blocked = [m for m in members if (p := worked.account.detector.states[m].policy) and p.action == "block"]
    assert len(blocked) >= HYDRA_ACCOUNTS // 2
    pages = [subject_body(worked, m)[1] for m in blocked]
    from_campaign = [
        b
        for b in pages
        if any(
            r.startswith("campaign c-") for d in b["recent_decisions"] if d["action"] == "block" for r in d["reasons"]
        )
    ]
    assert from_campaign, "no member's block names its campaign"
    for b in pages:
        assert b["type"] == "account"
        assert b["requests"] <= HYDRA_EACH
        assert all(d["subject"] == b["subject"] for d in b["recent_decisions"])


def test_an_ip_cluster_is_asked_for_with_an_underscore_for_the_slash(worked: Stages) -> None:
    cluster = worked.cluster.detector.states["34.90.1.0/24"]
    status, body = subject_body(worked, "34.90.1.0_24")
    assert status == 200
    assert body["subject"] == "34.90.1.0/24"
    assert body["type"] == "ip_cluster"
    assert body["features"] == cluster.features(cluster.last_ts)
    assert body["policy"] == (cluster.policy.to_state() if cluster.policy else None)
    assert "requests" not in body
    assert "score" not in body
    assert body["recent_decisions"] == [d for d in worked.account.recent if d["subject"] == "34.90.1.0/24"]


@pytest.mark.parametrize(
    ("asked", "named"),
    [
        ("nobody", "nobody"),
        ("acct_1", "acct_1"),  # an account id keeps its underscores
        ("198.51.100.0_24", "198.51.100.0/24"),
        ("2001:db8::_48", "2001:db8::/48"),
    ],
)
def test_an_unknown_subject_is_404_with_its_name(worked: Stages, asked: str, named: str) -> None:
    assert subject_body(worked, asked) == (404, {"subject": named, "known": False})


def test_stats_count_events_and_decisions_and_rank_the_top_accounts(worked: Stages) -> None:
    acc, cl = worked.account, worked.cluster
    body = stats(worked, EventRate(Clock()))
    assert body["events"] == N_EVENTS
    assert body["rejected"] == 0
    assert body["redelivered"] == 0
    assert body["events_per_s"] == 0.0  # no second has passed on the clock
    assert body["decisions"] == {a: acc.counters.decisions[a] + cl.decisions[a] for a in ("allow", "throttle", "block")}
    assert body["decisions"]["block"] > 0
    assert body["accounts"] == len(acc.detector.states) == 2 + HYDRA_ACCOUNTS
    assert body["clusters"] == len(cl.detector.states)
    assert body["recent"] == acc.recent[-20:]
    top = body["top"]
    assert 0 < len(top) <= 10
    assert [t["score"] for t in top] == sorted((t["score"] for t in top), reverse=True)
    assert "u" not in {t["subject"] for t in top[:3]}
    for t in top:
        st = acc.detector.states[t["subject"]]
        assert t["score"] == round(st.score, 3) > 0
        assert t["requests"] == st.n
        assert t["action"] == (st.policy.action if st.policy is not None else "none")
        last = [d for d in acc.recent if d["subject"] == t["subject"]]
        assert t["reasons"] == (last[-1]["reasons"] if last else [])


def test_decisions_add_the_account_and_cluster_counts_and_metrics_keep_them_apart() -> None:
    s = _stages()
    s.account.counters.decisions.update(allow=1, throttle=2, block=3)
    s.cluster.decisions.update(allow=0, throttle=5, block=7)
    assert stats(s, EventRate(Clock()))["decisions"] == {"allow": 1, "throttle": 7, "block": 10}
    s.account.counters.decisions.by_reason.update({("throttle", "harvest_signature"): 2, ("block", "campaign"): 3})
    s.cluster.decisions.by_reason.update({("throttle", "flagged_accounts"): 5})
    fam = _families(exposition(metrics_registry(s, EventRate(Clock()))).decode())
    assert fam["distillguard_decisions"].type == "counter"
    kw = {"name": "distillguard_decisions_total"}
    assert _value(fam, **kw, subject_type="account", action="throttle", reason="harvest_signature") == 2
    assert _value(fam, **kw, subject_type="account", action="block", reason="campaign") == 3
    assert _value(fam, **kw, subject_type="ip_cluster", action="throttle", reason="flagged_accounts") == 5
    assert _by_action(fam, "ip_cluster") == {"throttle": 5}


def test_score_quantiles_are_ordered_and_zero_without_accounts(worked: Stages) -> None:
    q = score_quantiles(worked)
    assert set(q) == {"p50", "p90", "p99"}
    assert 0.0 <= q["p50"] <= q["p90"] <= q["p99"]
    assert q["p99"] == round(max(st.score for st in worked.account.detector.states.values()), 4)
    assert score_quantiles(_stages()) == {"p50": 0.0, "p90": 0.0, "p99": 0.0}


def test_the_event_rate_is_measured_over_at_least_a_second() -> None:
    clock = Clock()
    rate = EventRate(clock)
    clock.now += 0.5
    assert rate(100) == 0.0  # under a second: the last rate (none yet)
    clock.now += 1.5
    assert rate(300) == 150.0  # 300 events in 2 s
    clock.now += 0.5
    assert rate(10_000) == 150.0
    clock.now += 1.0
    assert rate(450) == pytest.approx((450 - 300) / 1.5)


def test_metrics_are_prometheus_text_with_every_series(worked: Stages) -> None:
    acc, cl = worked.account, worked.cluster
    text = exposition(metrics_registry(worked, EventRate(Clock()))).decode()
    fam = _families(text)
    for name, kind in [
        ("distillguard_events", "counter"),
        ("distillguard_dlq", "counter"),
        ("distillguard_redelivered", "counter"),
        ("distillguard_decisions", "counter"),
        ("distillguard_campaign_verdicts", "counter"),
        ("distillguard_events_per_second", "gauge"),
        ("distillguard_lag_seconds", "gauge"),
        ("distillguard_tracked_subjects", "gauge"),
        ("distillguard_account_score", "gauge"),
        ("distillguard_partition_lag_records", "gauge"),
        ("distillguard_decision_latency_seconds", "histogram"),
    ]:
        assert fam[name].type == kind, name
        assert fam[name].documentation, f"{name} has no help text"
    assert _value(fam, "distillguard_events_total") == N_EVENTS
    assert fam["distillguard_dlq"].samples == []  # nothing dead-lettered
    assert _value(fam, "distillguard_campaign_verdicts_total") == worked.campaign.verdicts > 0
    assert _value(fam, "distillguard_tracked_subjects", type="account") == len(acc.detector.states)
    assert _value(fam, "distillguard_tracked_subjects", type="ip_cluster") == len(cl.detector.states)
    assert _by_action(fam, "account") == {a: n for a, n in acc.counters.decisions.items() if n}
    assert _by_action(fam, "ip_cluster") == {a: n for a, n in cl.decisions.items() if n}
    reasons = {x.labels["reason"] for x in fam["distillguard_decisions"].samples if x.labels["action"] == "block"}
    assert "campaign" in reasons  # the hydra's members, blocked as a campaign
    assert reasons <= {"campaign", "harvest_signature", "flagged_accounts"}
    q = score_quantiles(worked)
    assert _value(fam, "distillguard_account_score", quantile="0.99") == q["p99"]
    assert fam["distillguard_partition_lag_records"].samples == []  # no running consumer
    # this process's own metrics, in the app's registry
    assert _value(fam, "process_resident_memory_bytes") > 0
    assert _value(fam, "process_cpu_seconds_total") >= 0
    assert fam["python_info"].samples[0].labels["implementation"] == "CPython"
    assert "python_gc_objects_collected" in fam


def test_dead_letters_are_counted_by_reason() -> None:
    s = _stages()
    good = firehose("fh", 3)
    bad = [b"{nope", b"[1]", orjson.dumps({"event_id": "x"}), orjson.dumps({**good[0], "ip": "999.1.1.1"})]
    recs = [(orjson.dumps(e), "api-requests", 0, i) for i, e in enumerate(good)]
    recs += [(v, "api-requests", 0, 10 + i) for i, v in enumerate(bad)]
    recs += [(orjson.dumps(good[1]), "api-requests", 1, 0)]  # the same event id again
    recs += [(orjson.dumps(event(ts=good[0]["ts"] + 10**6)), "api-requests", 2, 0)]
    s.account.process(recs, now=good[-1]["ts"])
    s.cluster.process([(b"{not an array", "obs", 0, 0)])
    fam = _families(exposition(metrics_registry(s, EventRate(Clock()))).decode())
    got = {x.labels["reason"]: x.value for x in fam["distillguard_dlq"].samples if x.name == "distillguard_dlq_total"}
    assert got == {
        "invalid_json": 1,
        "not_an_object": 1,
        "missing_field": 1,
        "invalid_field": 1,
        "duplicate": 1,
        "future": 1,
        "internal_error": 1,
    }


def test_live_decisions_are_timed_from_their_trigger_event() -> None:
    """The latency histogram counts each live decision once, by subject type."""
    s = _stages()
    fam0 = _families(exposition(registry := metrics_registry(s, EventRate(Clock()))).decode())
    assert _value(fam0, "distillguard_decision_latency_seconds_count", subject_type="account") == 0
    _run(s, firehose("fh", N_FIREHOSE))
    fam = _families(exposition(registry).decode())
    n = sum(s.account.counters.decisions.values())
    assert n > 0
    assert _value(fam, "distillguard_decision_latency_seconds_count", subject_type="account") == n
    # the factories' events are from a fixed past time: every decision is in the top bucket
    assert _value(fam, "distillguard_decision_latency_seconds_bucket", subject_type="account", le="300.0") == 0
    assert _value(fam, "distillguard_decision_latency_seconds_bucket", subject_type="account", le="+Inf") == n


def test_each_app_has_its_own_registry() -> None:
    """Two apps in one process register the same metric names without a clash."""
    for _ in range(2):
        add_views(faust_app(Settings()), _stages())


def test_the_views_over_http(worked: Stages) -> None:
    """The same bodies through the Faust app's web server: status codes and content types."""
    app = faust_app(Settings())
    add_views(app, worked)

    async def fetch() -> dict[str, tuple[int, str, bytes]]:
        out = {}
        async with TestClient(TestServer(app.web.web_app)) as client:
            for path in (
                "/dg/stats/",
                "/dg/subjects/fh/",
                "/dg/subjects/34.90.1.0_24/",
                "/dg/subjects/nobody/",
                "/metrics/",
            ):
                r = await client.get(path)
                out[path] = (r.status, r.headers["Content-Type"], await r.read())
        return out

    got = asyncio.run(fetch())
    status, ctype, raw = got["/dg/subjects/fh/"]
    assert (status, ctype.split(";")[0]) == (200, "application/json")
    assert orjson.loads(raw) == subject_body(worked, "fh")[1]
    assert orjson.loads(got["/dg/subjects/34.90.1.0_24/"][2])["type"] == "ip_cluster"
    assert got["/dg/subjects/nobody/"][0] == 404
    assert orjson.loads(got["/dg/subjects/nobody/"][2]) == {"subject": "nobody", "known": False}
    assert got["/dg/stats/"][0] == 200
    assert orjson.loads(got["/dg/stats/"][2])["events"] == N_EVENTS
    status, ctype, raw = got["/metrics/"]
    assert status == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    assert _value(_families(raw.decode()), "distillguard_events_total") == N_EVENTS
