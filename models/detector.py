"""The detection core: events in, decisions out. Pure, event time only, deterministic.

:class:`AccountDetector` sees every request of its accounts (the worker partitions by
``account_id``); :class:`ClusterDetector` sees every request of its IP clusters (the worker
repartitions compact :class:`~models.cluster_features.ClusterObservation` records by cluster).
:class:`Detector` chains the two in one process for ``distillguard replay``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from river import stats

from distillguard.models.account_features import AccountState
from distillguard.models.cluster_features import ClusterObservation, ClusterState
from distillguard.models.config import DetectorConfig
from distillguard.models.decision import Decision
from distillguard.models.event import Event, InvalidEvent
from distillguard.models.policy import SubjectPolicy
from distillguard.models.recent import RecentIds
from distillguard.models.scoring import (
    Baseline,
    PopulationModel,
    combine,
    evidence_z,
    harvest_evidence,
    population_can_matter,
)

SEEN_IDS = 200_000
"""Recent event ids remembered per detector to drop duplicates (at least half of them)."""
CLUSTER_LEARN_EVERY = 8
"""The cluster population model learns from one cluster evaluation in this many."""
REASON_FEATURES = (
    "answer_ratio",
    "answer_length",
    "template_share",
    "shallow_share",
    "timing_regularity",
    "ip_rotation",
    "round_the_clock",
    "error_share",
    "volume",
)

Trace = Callable[[str, float, dict[str, Any]], None]


class LateEvent(InvalidEvent):
    """Older than the watermark by more than the lateness allowance."""


class DuplicateEvent(InvalidEvent):
    """An ``event_id`` seen recently: counted once."""


class AccountDetector:
    """Per-account features, population and baseline models, and the account policy."""

    def __init__(self, cfg: DetectorConfig | None = None, trace: Trace | None = None) -> None:
        self.cfg = cfg or DetectorConfig()
        self.states: dict[str, AccountState] = {}
        self.dirty: dict[str, int] = {}
        """Accounts changed since the last checkpoint, with their partition."""
        self.loader: Callable[[str], AccountState | None] | None = None
        self.population = PopulationModel(self.cfg.hst_trees, self.cfg.hst_height, self.cfg.hst_window, self.cfg.seed)
        self.medians = {k: stats.Quantile(0.5) for k in (*REASON_FEATURES, "output_input_ratio", "rpm")}
        self.watermarks: dict[int, float] = {}
        self.seen = RecentIds(SEEN_IDS)
        self.n_evals = 0
        self.trace = trace

    def check_order(self, e: Event, partition: int) -> None:
        """Raise for late or duplicate events; advance the partition's watermark."""
        wm = self.watermarks.get(partition)
        if wm is None or e.ts > wm:
            self.watermarks[partition] = e.ts
        elif e.ts < wm - self.cfg.lateness_s:
            raise LateEvent(
                f"late event: ts {e.ts:.3f} is {wm - e.ts:.0f} s behind the watermark "
                f"(allowance {self.cfg.lateness_s:.0f} s)"
            )
        if not self.seen.add(e.event_id):
            raise DuplicateEvent(f"duplicate event_id {e.event_id!r}: counted once")

    def observe(self, e: Event, partition: int = 0) -> tuple[list[Decision], ClusterObservation]:
        """Fold one valid event in; return the decisions it triggers and its cluster observation.

        Raises :class:`LateEvent` or :class:`DuplicateEvent` (both :class:`InvalidEvent`)
        for records that must be dead-lettered instead.
        """
        self.check_order(e, partition)
        acct = e.account_id
        st = self.states.get(acct)
        if st is None:
            st = self.loader(acct) if self.loader is not None else None
            if st is None:
                st = AccountState(e.ts)
            self.states[acct] = st
        st.update(e)
        st.part = partition
        self.dirty[acct] = partition
        decisions: list[Decision] = []
        cfg = self.cfg
        if st.n >= cfg.min_events and (st.n - cfg.min_events) % cfg.eval_every == 0:
            d = self._evaluate(acct, st, e)
            if d is not None:
                decisions.append(d)
        policy = st.policy
        suspect = st.score >= cfg.throttle_score or (policy is not None and policy.in_force(e.ts))
        obs = ClusterObservation(
            e.ts,
            e.cluster,
            acct,
            e.event_id,
            e.simhash,
            f"{e.user_agent or ''}|{e.tls_fingerprint or ''}",
            st.score,
            suspect,
            e.ts - st.first_ts,
        )
        return decisions, obs

    def _evaluate(self, acct: str, st: AccountState, e: Event) -> Decision | None:
        cfg = self.cfg
        ts = e.ts
        f = st.features(ts)
        core, auto = harvest_evidence(f)
        drift = Baseline.drift(st.baseline, core)
        policy = st.policy
        needed = population_can_matter(evidence_z(core, auto, drift), min(cfg.throttle_score, cfg.release_score))
        pop = self.population.percentile(f) if needed or (policy is not None and policy.active) else 0.0
        score = combine(core, auto, pop, drift)
        st.score = score
        if policy is None:
            policy = st.policy = SubjectPolicy()
        raw = st.raw(ts)
        self.n_evals += 1
        if not policy.active and score < cfg.throttle_score:
            # Learn only from traffic we are not acting against.
            st.baseline = Baseline.update(st.baseline, core, raw["rpm"])
            if ts - st.learn_ts >= cfg.population_learn_s:
                st.learn_ts = ts
                self.population.learn_one(f)
                for k, q in self.medians.items():
                    q.update(f[k] if k in f else raw[k])
        if self.trace is not None:
            self.trace(
                acct,
                ts,
                {"score": score, "core": core, "automation": auto, "population": pop, "drift": drift, **f, **raw},
            )
        if acct in cfg.allowlist:
            return None
        base_rpm = st.baseline[3] if st.baseline is not None else raw["rpm"]
        limit = int(min(cfg.max_limit_rpm, max(cfg.min_limit_rpm, round(0.1 * base_rpm))))
        change = policy.step(score, ts, limit, cfg)
        if change is None:
            return None
        return Decision(
            ts=ts,
            subject_type="account",
            subject=acct,
            action=change.action,
            ttl_s=change.ttl_s,
            score=score,
            reasons=self._reasons(f, raw, core, auto, pop, drift),
            trigger_event_id=e.event_id,
            trigger_event_ts=ts,
            limit_rpm=change.limit_rpm,
        )

    def _reasons(
        self, f: dict[str, float], raw: dict[str, float], core: float, auto: float, pop: float, drift: float
    ) -> tuple[str, ...]:
        med = {k: (q.get() or 0.0) for k, q in self.medians.items()}
        ranked = sorted(REASON_FEATURES, key=lambda k: f[k] - med[k], reverse=True)
        out = [f"harvest_signature {core:.2f} (answer shape x template sweep x shallow turns)"]
        for k in ranked[:3]:
            out.append(f"{k} {f[k]:.2f} vs population median {med[k]:.2f}")
        out.append(
            f"output_input_ratio {raw['output_input_ratio']:.1f} vs population median "
            f"{med['output_input_ratio']:.1f}; rpm {raw['rpm']:.1f} vs median {med['rpm']:.1f}"
        )
        if auto >= 0.3:
            out.append(f"automation_cues {auto:.2f}")
        if pop >= 0.5:
            out.append(f"population_anomaly_percentile_score {pop:.2f}")
        if drift > 0:
            out.append(f"drift_from_own_baseline {drift:.2f}")
        return tuple(out)

    def evict(self, now_ts: float) -> list[tuple[str, int]]:
        """Forget accounts idle for ``idle_evict_s`` with nothing in force.

        Returns ``(account, partition)`` pairs so the worker can delete their checkpoints.
        """
        return _evict(self.states, self.dirty, now_ts - self.cfg.idle_evict_s, now_ts)


class ClusterDetector:
    """Per-IP-cluster state and policy; acts only on clusters whose accounts are mostly suspect."""

    def __init__(self, cfg: DetectorConfig | None = None) -> None:
        self.cfg = cfg or DetectorConfig()
        self.states: dict[str, ClusterState] = {}
        self.dirty: dict[str, int] = {}
        self.loader: Callable[[str], ClusterState | None] | None = None
        self.population = PopulationModel(
            self.cfg.hst_trees, self.cfg.hst_height, self.cfg.hst_window, self.cfg.seed + 1
        )
        self.n_evals = 0

    def observe(self, o: ClusterObservation, partition: int = 0) -> list[Decision]:
        """Fold one observation in; return the cluster decisions it triggers."""
        st = self.states.get(o.cluster)
        if st is None:
            st = self.loader(o.cluster) if self.loader is not None else None
            if st is None:
                st = ClusterState(o.ts)
            self.states[o.cluster] = st
        st.update(o)
        st.part = partition
        self.dirty[o.cluster] = partition
        if st.n % self.cfg.eval_every:
            return []
        d = self._evaluate(o, st)
        return [d] if d is not None else []

    def _evaluate(self, o: ClusterObservation, st: ClusterState) -> Decision | None:
        cfg = self.cfg
        n_active, n_suspect = st.n_active(o.ts)
        policy = st.policy
        if policy is None:
            policy = st.policy = SubjectPolicy()
        self.n_evals += 1
        share = n_suspect / n_active if n_active else 0.0
        # The NAT rule: never act on a cluster whose active accounts are not mostly suspect.
        eligible = n_active >= cfg.cluster_min_accounts and share >= cfg.cluster_suspect_share
        learn = not policy.active and self.n_evals % CLUSTER_LEARN_EVERY == 0
        if not eligible and not policy.active and not learn:
            return None  # nothing in force, nothing to act on, nothing to learn: skip the models
        f = st.features(o.ts)
        pop = self.population.percentile(f) if eligible else 0.0
        z = (
            8.0 * (share - cfg.cluster_suspect_share)
            + 1.5 * f["fingerprint_concentration"]
            + 1.5 * f["cross_account_templates"]
            + 1.0 * f["new_account_share"]
            + pop
            - 1.0
        )
        score = 1.0 / (1.0 + math.exp(-z))
        if not eligible:
            score = min(score, cfg.release_score - 0.01)
        if learn and score < cfg.release_score:
            self.population.learn_one(f)
        if o.cluster in cfg.allowlist:
            return None
        honest = n_active - n_suspect
        limit = int(min(cfg.max_limit_rpm, max(cfg.min_limit_rpm, 2 * honest)))
        # Clusters are throttled, never blocked: honest accounts may share the addresses.
        change = policy.step(min(score, cfg.block_score - 1e-6), o.ts, limit, cfg)
        if change is None:
            return None
        reasons = (
            f"suspect_accounts {n_suspect} of {n_active} active ({share:.0%}) vs threshold "
            f"{cfg.cluster_suspect_share:.0%}",
            f"fingerprint_concentration {f['fingerprint_concentration']:.2f}",
            f"cross_account_templates {f['cross_account_templates']:.2f}",
            f"new_account_share {f['new_account_share']:.2f}",
        )
        return Decision(
            ts=o.ts,
            subject_type="ip_cluster",
            subject=o.cluster,
            action=change.action,
            ttl_s=change.ttl_s,
            score=score,
            reasons=reasons,
            trigger_event_id=o.event_id,
            trigger_event_ts=o.ts,
            limit_rpm=change.limit_rpm,
        )

    def evict(self, now_ts: float) -> list[tuple[str, int]]:
        """Forget idle clusters with nothing in force; returns ``(cluster, partition)`` pairs."""
        return _evict(self.states, self.dirty, now_ts - self.cfg.idle_evict_s, now_ts)


def _evict(states: dict[str, Any], dirty: dict[str, int], horizon: float, now_ts: float) -> list[tuple[str, int]]:
    gone = [
        (k, st.part)
        for k, st in states.items()
        if st.last_ts < horizon and not (st.policy is not None and st.policy.in_force(now_ts))
    ]
    for k, _ in gone:
        del states[k]
        dirty.pop(k, None)
    return gone


class Detector:
    """Account and cluster detection in one process (replay, tests, explain)."""

    def __init__(self, cfg: DetectorConfig | None = None, trace: Trace | None = None) -> None:
        self.cfg = cfg or DetectorConfig()
        self.accounts = AccountDetector(self.cfg, trace)
        self.clusters = ClusterDetector(self.cfg)
        self._since_evict = 0

    def observe(self, e: Event) -> list[Decision]:
        """Fold one valid event in and return every decision it triggers."""
        decisions, obs = self.accounts.observe(e)
        decisions.extend(self.clusters.observe(obs))
        self._since_evict += 1
        if self._since_evict >= 50_000:
            self._since_evict = 0
            self.accounts.evict(e.ts)
            self.clusters.evict(e.ts)
        return decisions
