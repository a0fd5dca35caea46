"""A cardinality attack against the worker's stages without Kafka: 200,000 one-shot accounts
(each from its own /24, with its own client fingerprint) with a cap of 50,000 subjects. The
tracked subjects stay within the cap, memory stays bounded, and the accounts with real
traffic among them are still scored and throttled."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import orjson

from distillguard.models.config import DetectorConfig
from distillguard.streams.worker.stages import AccountStage, CampaignStage, ClusterStage
from tests.factories import T0, event, firehose

ONE_SHOT = 200_000
CAP = 50_000
BATCH = 2000


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _records(harvesters: list[str]) -> Iterator[bytes]:
    """One-shot accounts over 200 s, with the harvesters' requests (one a second) among them;
    the last harvester starts after the account cap is reached."""
    real = [r for a in harvesters[:-1] for r in firehose(a, 180, t0=T0)]
    real += firehose(harvesters[-1], 135, t0=T0 + 60)
    real.sort(key=lambda r: r["ts"])
    j = 0
    for i in range(ONE_SHOT):
        ts = T0 + i * 200.0 / ONE_SHOT
        while j < len(real) and real[j]["ts"] <= ts:
            yield orjson.dumps(real[j])
            j += 1
        ip = f"{10 + i // 65536}.{i // 256 % 256}.{i % 256}.9"
        yield orjson.dumps(
            event(event_id=f"one-{i}", ts=ts, account_id=f"one-{i}", ip=ip, user_agent=f"ua-{i}", org_id=None)
        )
    for r in real[j:]:
        yield orjson.dumps(r)


def _run(
    stages: tuple[AccountStage, ClusterStage, CampaignStage], raw: Iterator[bytes], offset: int
) -> list[dict[str, Any]]:
    account, cluster, campaign = stages
    decisions: list[dict[str, Any]] = []
    batch: list[tuple[bytes | None, str, int, int]] = []

    def flush() -> None:
        out = account.process(batch, now=T0 + 1000)
        internal = [(v, "obs", p, 0) for p, v in out.observation_messages()]
        decisions.extend(orjson.loads(v) for _, v in out.decisions)
        decisions.extend(orjson.loads(v) for _, v in cluster.process(internal).decisions)
        camp = campaign.process([(v, "camp", p, 0) for p, v in out.campaign_messages()])
        verdicts = account.apply_verdicts([(v, "verdicts", 0, 0) for _, v in camp.verdicts])
        decisions.extend(orjson.loads(v) for _, v in verdicts.decisions)
        batch.clear()

    for value in raw:
        batch.append((value, "api-requests", 0, offset))
        offset += 1
        if len(batch) == BATCH:
            flush()
    flush()
    return decisions


def test_a_cardinality_attack_degrades_detection_gracefully_not_memory() -> None:
    cfg = DetectorConfig()
    stages = (AccountStage(cfg), ClusterStage(cfg), CampaignStage(cfg))
    for s in stages:
        s.detector.max_subjects = CAP
    harvesters = [f"harvester-{k}" for k in range(5)]
    gc.collect()
    before = _rss_mb()
    peak = 0
    decisions: list[dict[str, Any]] = []
    records = _records(harvesters)
    offset = 0
    half = 0.0
    while True:
        chunk = [r for _, r in zip(range(20_000), records, strict=False)]
        if not chunk:
            break
        decisions += _run(stages, iter(chunk), offset)
        offset += len(chunk)
        peak = max(peak, *(len(s.detector.states) for s in stages))
        if offset >= ONE_SHOT // 2 and not half:
            half = _rss_mb()
    growth, second_half = _rss_mb() - before, _rss_mb() - half
    account = stages[0].detector
    print(
        f"tracked accounts {len(account.states)}, clusters {len(stages[1].detector.states)}, "
        f"campaign keys {len(stages[2].detector.states)}; peak {peak}; not admitted {account.not_admitted}; "
        f"evicted by the cap {account.cap_evicted}; RSS growth {growth:.0f} MB, {second_half:.0f} MB in the second half"
    )
    assert peak <= CAP
    assert account.not_admitted > 100_000
    # Uncapped, the same traffic grows RSS by ~1,460 MB (200,000 accounts and IP clusters, 400,000
    # campaign keys); capped, by ~550 MB, all of it before the cap is reached.
    assert growth < 800, f"RSS grew {growth:.0f} MB"
    assert second_half < 100, f"RSS grew {second_half:.0f} MB after the cap was reached"
    throttled = {d["subject"] for d in decisions if d["action"] in ("throttle", "block")}
    assert set(harvesters) <= throttled, f"actioned: {sorted(throttled)[:20]}"
    assert all(a in account.states for a in harvesters)
    assert account.cap_evicted >= 1  # the late harvester made room at its second request
    assert not {s for s in throttled if s.startswith("one-")}
