"""Per-IP-cluster state: who is behind one /24 (or /48), and how alike they behave."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from typing import Any

from distillguard.models.account_features import TAU_HOUR, TEMPLATE_BITS

MAX_ACCOUNTS = 64
"""Accounts remembered per cluster (the most recent); enough to judge a majority."""
MAX_FINGERPRINTS = 16
RING = 16
ALPHA = 0.05
ACTIVE_S = 3600.0
NEW_ACCOUNT_S = 3600.0


@dataclass(slots=True)
class ClusterObservation:
    """What the account side tells the cluster side about one request (repartitioned by cluster)."""

    ts: float
    cluster: str
    account: str
    event_id: str
    simhash: int
    fingerprint: str
    score: float
    suspect: bool
    account_age_s: float

    def to_list(self) -> list[Any]:
        """Compact wire form (a JSON array)."""
        return [
            self.ts,
            self.cluster,
            self.account,
            self.event_id,
            f"{self.simhash:016x}",
            self.fingerprint,
            self.score,
            self.suspect,
            self.account_age_s,
        ]

    @classmethod
    def from_list(cls, v: list[Any]) -> ClusterObservation:
        """Inverse of :meth:`to_list`."""
        return cls(float(v[0]), v[1], v[2], v[3], int(v[4], 16), v[5], float(v[6]), bool(v[7]), float(v[8]))


class ClusterState:
    """Bounded memory of one IP cluster."""

    __slots__ = (
        "accounts",
        "c_hour",
        "first_ts",
        "fps",
        "last_ts",
        "m_cross",
        "m_new",
        "n",
        "part",
        "policy",
        "ring",
        "ring_acct",
        "ring_i",
    )

    def __init__(self, ts: float) -> None:
        self.first_ts = ts
        self.last_ts = ts
        self.n = 0
        self.c_hour = 0.0
        self.accounts: dict[str, list[float]] = {}
        self.fps: dict[str, float] = {}
        self.ring = array("Q", [0]) * RING
        self.ring_acct: list[str] = [""] * RING
        self.ring_i = 0
        self.m_cross = 0.0
        self.m_new = 0.0
        self.policy: Any = None
        self.part = 0

    def update(self, o: ClusterObservation) -> None:
        """Fold one observation in."""
        self.n += 1
        dt = o.ts - self.last_ts
        if dt > 0:
            self.last_ts = o.ts
            self.c_hour *= math.exp(-dt / TAU_HOUR)
        self.c_hour += 1.0
        a = max(ALPHA, 1.0 / self.n)
        acc = self.accounts
        if o.account in acc:
            rec = acc[o.account]
            rec[0], rec[1], rec[2] = o.ts, o.score, float(o.suspect)
        else:
            if len(acc) >= MAX_ACCOUNTS:
                del acc[min(acc, key=lambda k: acc[k][0])]
            acc[o.account] = [o.ts, o.score, float(o.suspect)]
        self.m_new += ((o.account_age_s < NEW_ACCOUNT_S) - self.m_new) * a
        # Fingerprint counts, halved when they grow: recent requests weigh more, in O(1).
        fps = self.fps
        fps[o.fingerprint] = fps.get(o.fingerprint, 0.0) + 1.0
        if self.n % 256 == 0:
            for k in list(fps):
                fps[k] *= 0.5
        if len(fps) > MAX_FINGERPRINTS:
            del fps[min(fps, key=fps.__getitem__)]
        # Cross-account templating: the nearest in-band prompt came from another account.
        cross = 0
        best = 65
        for i in range(min(self.n - 1, RING)):
            d = (o.simhash ^ self.ring[i]).bit_count()
            if d < best:
                best, cross = d, self.ring_acct[i] != o.account
        self.m_cross += ((best <= TEMPLATE_BITS and bool(cross)) - self.m_cross) * a
        self.ring[self.ring_i] = o.simhash
        self.ring_acct[self.ring_i] = o.account
        self.ring_i = (self.ring_i + 1) % RING

    def features(self, ts: float) -> dict[str, float]:
        """Cluster features in [0, 1]."""
        active = [r for r in self.accounts.values() if ts - r[0] <= ACTIVE_S]
        n_active = len(active)
        suspect = sum(r[2] for r in active) / n_active if n_active else 0.0
        total = sum(self.fps.values()) or 1.0
        rph = self.c_hour * math.exp(-max(0.0, ts - self.last_ts) / TAU_HOUR)
        return {
            "active_accounts": n_active / (n_active + 10.0),
            "suspect_share": suspect,
            "mean_account_score": sum(r[1] for r in active) / n_active if n_active else 0.0,
            "new_account_share": self.m_new,
            "fingerprint_concentration": max(self.fps.values(), default=0.0) / total,
            "cross_account_templates": self.m_cross,
            "volume": rph / (rph + 600.0),
        }

    def n_active(self, ts: float) -> tuple[int, int]:
        """``(active accounts, of which suspect)`` in the last hour."""
        horizon = ts - ACTIVE_S
        n = k = 0
        for r in self.accounts.values():
            if r[0] >= horizon:
                n += 1
                k += r[2] > 0
        return n, k

    def to_state(self) -> list[Any]:
        """A JSON-able snapshot."""
        return [
            self.first_ts,
            self.last_ts,
            self.n,
            self.c_hour,
            self.accounts,
            self.fps,
            list(self.ring),
            self.ring_acct,
            self.ring_i,
            self.m_cross,
            self.m_new,
            self.policy.to_state() if self.policy is not None else None,
        ]

    @classmethod
    def from_state(cls, s: list[Any]) -> ClusterState:
        """Inverse of :meth:`to_state`."""
        from distillguard.models.policy import SubjectPolicy

        st = cls(float(s[0]))
        st.last_ts, st.n, st.c_hour = float(s[1]), int(s[2]), float(s[3])
        st.accounts, st.fps = dict(s[4]), dict(s[5])
        st.ring, st.ring_acct, st.ring_i = array("Q", s[6]), list(s[7]), int(s[8])
        st.m_cross, st.m_new = float(s[9]), float(s[10])
        st.policy = SubjectPolicy.from_state(s[11]) if s[11] is not None else None
        return st
