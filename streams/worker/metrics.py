"""The worker's Prometheus metrics, in a registry of its own (one per app, so tests and tools can
build several apps in one process; nothing goes to ``prometheus_client``'s global registry).

The stages keep plain counters (they import no metrics library); :class:`StageCollector`
reads them at each scrape. The only metric updated on the hot path is the decision latency
histogram, observed once per decision (decisions are rare next to events).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, GCCollector, Histogram, PlatformCollector, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from distillguard.streams.worker.stages import Stages

CONTENT_TYPE = "text/plain; version=0.0.4"
"""The text format every Prometheus server reads (the web server adds ``charset=utf-8``)."""

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class StageCollector(Collector):
    """Counters and gauges of the stages, read at scrape time; per-partition lag from ``app``'s
    consumer when the worker runs."""

    def __init__(self, s: Stages, rate: Any, app: Any = None) -> None:
        self.s, self.rate, self.app = s, rate, app

    def collect(self) -> Iterator[Metric]:
        """Every distillguard series, as of now."""
        s = self.s
        c = s.account.counters
        yield CounterMetricFamily("distillguard_events", "Valid events processed (api-requests).", value=c.events)
        yield CounterMetricFamily(
            "distillguard_redelivered",
            "Records skipped as redeliveries of offsets this process already handled.",
            value=c.redelivered,
        )
        dlq = CounterMetricFamily(
            "distillguard_dlq", "Records dead-lettered, by reason (all stages).", labels=["reason"]
        )
        for reason, n in sorted((c.dead_letters + s.cluster.dead_letters + s.campaign.dead_letters).items()):
            dlq.add_metric([reason], n)
        yield dlq
        dec = CounterMetricFamily(
            "distillguard_decisions",
            "Decisions emitted, by subject type, action and reason (the first reason's evidence).",
            labels=["subject_type", "action", "reason"],
        )
        for subject_type, counts in (("account", c.decisions), ("ip_cluster", s.cluster.decisions)):
            for (action, reason), n in sorted(counts.by_reason.items()):
                dec.add_metric([subject_type, action, reason], n)
        yield dec
        yield CounterMetricFamily(
            "distillguard_campaign_verdicts",
            "Campaign verdicts sent to member accounts.",
            value=s.campaign.verdicts,
        )
        yield GaugeMetricFamily(
            "distillguard_events_per_second",
            "Events per second, over the last second or more.",
            value=self.rate(c.events),
        )
        yield GaugeMetricFamily(
            "distillguard_lag_seconds",
            "Wall clock minus the event time of the last event processed.",
            value=round(c.last_lag_s, 3),
        )
        tracked = GaugeMetricFamily("distillguard_tracked_subjects", "Subjects held in memory.", labels=["type"])
        tracked.add_metric(["account"], len(s.account.detector.states))
        tracked.add_metric(["ip_cluster"], len(s.cluster.detector.states))
        tracked.add_metric(["campaign"], len(s.campaign.detector.states))
        yield tracked
        refused = CounterMetricFamily(
            "distillguard_subjects_not_admitted",
            "First sightings at the subject cap, scored but not tracked (DISTILLGUARD_MAX_SUBJECTS).",
            labels=["type"],
        )
        capped = CounterMetricFamily(
            "distillguard_subjects_cap_evicted",
            "Subjects evicted to make room at the subject cap (least recently active first).",
            labels=["type"],
        )
        for kind, det in (
            ("account", s.account.detector),
            ("ip_cluster", s.cluster.detector),
            ("campaign", s.campaign.detector),
        ):
            refused.add_metric([kind], det.not_admitted)
            capped.add_metric([kind], det.cap_evicted)
        yield refused
        yield capped
        score = GaugeMetricFamily(
            "distillguard_account_score", "Quantiles of the current account scores.", labels=["quantile"]
        )
        for q, v in score_quantiles(s).items():
            score.add_metric([f"0.{q[1:]}"], v)
        yield score
        lag = GaugeMetricFamily(
            "distillguard_partition_lag_records",
            "Records of an assigned events partition not yet handled (high watermark minus next offset).",
            labels=["topic", "partition"],
        )
        for (topic, partition), n in sorted(partition_lag(self.app, s).items()):
            lag.add_metric([topic, str(partition)], n)
        yield lag


def score_quantiles(s: Stages) -> dict[str, float]:
    """p50/p90/p99 of the current account scores."""
    scores = sorted(st.score for st in s.account.detector.states.values())
    if not scores:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0}
    return {f"p{q}": round(scores[min(len(scores) - 1, int(q / 100 * len(scores)))], 4) for q in (50, 90, 99)}


def partition_lag(app: Any, s: Stages) -> dict[tuple[str, int], int]:
    """Unhandled records per assigned events partition that this process has handled records of.

    From the consumer's high watermark (known from the last fetch, no broker call) and the
    stage's last handled offset; empty while the worker is not running.
    """
    if app is None or not app.started or app.should_stop:
        return {}
    consumer = app.consumer
    assigned = {(tp.topic, tp.partition): tp for tp in consumer.assignment()}
    out: dict[tuple[str, int], int] = {}
    for key, offset in s.account.handled.items():
        tp = assigned.get(key)
        high = consumer.highwater(tp) if tp is not None else None
        if high is not None:
            out[key] = max(0, high - offset - 1)
    return out


def metrics_registry(s: Stages, rate: Any, app: Any = None) -> CollectorRegistry:
    """A registry with the stages' metrics, the decision latency histogram (wired to the stages)
    and the process, platform and garbage-collector metrics of this process."""
    registry = CollectorRegistry(auto_describe=True)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    registry.register(StageCollector(s, rate, app))
    latency = Histogram(
        "distillguard_decision_latency_seconds",
        "Wall clock when a decision is emitted minus the event time of the event that triggered it.",
        labelnames=["subject_type"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    s.account.counters.decisions.latency = latency.labels("account").observe
    s.cluster.decisions.latency = latency.labels("ip_cluster").observe
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The registry in Prometheus text format."""
    return generate_latest(registry)
