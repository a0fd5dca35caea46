"""Per-IP-cluster state: who is behind one /24 (or /48), and how alike they behave."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from distillguard.models.account_features import TAU_HOUR
from distillguard.models.policy import SubjectPolicy

MAX_ACCOUNTS = 64
"""Accounts remembered per cluster (the most recent); enough to judge a majority."""
MAX_FINGERPRINTS = 16
STATE_VERSION = 2
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
    """Bounded memory of one IP cluster: who is behind it, and which of them are flagged.

    (Cross-account templating is the campaign stage's business: it links accounts by what they
    share wherever they come from, instead of by the /24 they happen to pass through.)
    """

    __slots__ = ("accounts", "count_hour", "first_ts", "fps", "last_ts", "n", "new_account_share", "part", "policy")

    def __init__(self, ts: float) -> None:
        self.first_ts = ts
        self.last_ts = ts
        self.n = 0
        self.count_hour = 0.0
        self.accounts: dict[str, list[float]] = {}
        """account -> [last seen, score, flagged]."""
        self.fps: dict[str, float] = {}
        self.new_account_share = 0.0
        self.policy: SubjectPolicy | None = None
        self.part = 0

    def update(self, o: ClusterObservation) -> None:
        """Fold one observation in."""
        self.n += 1
        dt = o.ts - self.last_ts
        if dt > 0:
            self.last_ts = o.ts
            self.count_hour *= math.exp(-dt / TAU_HOUR)
        self.count_hour += 1.0
        a = max(ALPHA, 1.0 / self.n)
        acc = self.accounts
        rec = acc.get(o.account)
        if rec is not None:
            rec[0], rec[1], rec[2] = o.ts, o.score, float(o.suspect)
        else:
            if len(acc) >= MAX_ACCOUNTS:
                # The oldest flagged account goes first: the unflagged ones are the cluster's
                # honest neighbours, the evidence against throttling it (a rotating campaign's
                # stream of new accounts must not push them out of memory).
                flagged = [k for k, r in acc.items() if r[2] > 0]
                del acc[min(flagged or acc, key=lambda k: acc[k][0])]
            acc[o.account] = [o.ts, o.score, float(o.suspect)]
        self.new_account_share += ((o.account_age_s < NEW_ACCOUNT_S) - self.new_account_share) * a
        # Fingerprint counts, halved when they grow: recent requests weigh more, in O(1).
        fps = self.fps
        fps[o.fingerprint] = fps.get(o.fingerprint, 0.0) + 1.0
        if self.n % 256 == 0:
            for k in list(fps):
                fps[k] *= 0.5
        if len(fps) > MAX_FINGERPRINTS:
            del fps[min(fps, key=fps.__getitem__)]

    def features(self, ts: float) -> dict[str, float]:
        """Cluster features in [0, 1] (for reasons and the views)."""
        n_active, n_flagged = self.n_active(ts)
        total = sum(self.fps.values()) or 1.0
        rph = self.count_hour * math.exp(-max(0.0, ts - self.last_ts) / TAU_HOUR)
        return {
            "active_accounts": n_active / (n_active + 10.0),
            "flagged_share": n_flagged / n_active if n_active else 0.0,
            "new_account_share": self.new_account_share,
            "fingerprint_concentration": max(self.fps.values(), default=0.0) / total,
            "volume": rph / (rph + 600.0),
        }

    def n_active(self, ts: float) -> tuple[int, int]:
        """``(active accounts, of which flagged)`` in the last hour."""
        horizon = ts - ACTIVE_S
        n = k = 0
        for r in self.accounts.values():
            if r[0] >= horizon:
                n += 1
                k += r[2] > 0
        return n, k

    def n_flagged(self) -> tuple[int, int]:
        """``(accounts remembered, of which flagged)``, whenever they were last seen."""
        return len(self.accounts), sum(r[2] > 0 for r in self.accounts.values())

    def to_state(self) -> dict[str, Any]:
        """A JSON-able, named, versioned snapshot."""
        return {
            "v": STATE_VERSION,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "n": self.n,
            "count_hour": self.count_hour,
            "accounts": self.accounts,
            "fps": self.fps,
            "new_account_share": self.new_account_share,
            "policy": self.policy.to_state() if self.policy is not None else None,
        }

    @classmethod
    def from_state(cls, s: dict[str, Any] | list[Any]) -> ClusterState:
        """Inverse of :meth:`to_state`; a version-1 (positional) snapshot is migrated."""
        st = cls(0.0)
        if isinstance(s, list):  # version 1
            st.first_ts, st.last_ts, st.n, st.count_hour = float(s[0]), float(s[1]), int(s[2]), float(s[3])
            st.accounts, st.fps, st.new_account_share = dict(s[4]), dict(s[5]), float(s[10])
            st.policy = SubjectPolicy.from_state(s[11]) if s[11] is not None else None
            return st
        st.first_ts, st.last_ts, st.n, st.count_hour = (
            float(s["first_ts"]),
            float(s["last_ts"]),
            int(s["n"]),
            float(s["count_hour"]),
        )
        st.accounts, st.fps, st.new_account_share = dict(s["accounts"]), dict(s["fps"]), float(s["new_account_share"])
        st.policy = SubjectPolicy.from_state(s["policy"]) if s["policy"] is not None else None
        return st
