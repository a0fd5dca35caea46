"""Per-account features in event time, updated in O(1) per request.

All shares and means are exponentially weighted per request (bias-corrected until the memory
fills); rates are exponentially decayed counters in event time. The prompt stream is seen only
through ``prompt_simhash``: a ring of the account's recent hashes gives, for each new prompt,
the Hamming distance to its nearest recent predecessor (as PRADA does with query distances).

Distance bands (64-bit SimHash of token bigrams): 0-2 bits is the same prompt again, 3-16 is
one template with a few words swapped (a systematic sweep), 17+ is a genuinely new prompt.
"""

from __future__ import annotations

import math
import zlib
from array import array
from typing import Any

from distillguard.models.event import Event

RING = 16
"""Recent prompt hashes kept per account."""
ALPHA = 0.08
"""Per-request weight of the newest observation in shares and means (memory ~12 requests)."""
TAU_MIN = 60.0
TAU_HOUR = 3600.0
DUP_BITS = 2
TEMPLATE_BITS = 16
SHALLOW_MESSAGES = 3
"""A request with at most this many messages is shallow: single-turn, or a second turn."""

_FLOATS = (
    "first_ts",
    "last_ts",
    "c_min",
    "c_hour",
    "m_in",
    "m_out",
    "m_shallow",
    "m_single",
    "m_templ",
    "m_dup",
    "m_ldt",
    "v_ldt",
    "m_rot",
    "m_err",
    "m_sys",
    "score",
    "learn_ts",
)


def stable_hash(s: str) -> int:
    """A 32-bit hash that is the same in every process (``hash()`` is salted per process)."""
    return zlib.crc32(s.encode("utf-8", "surrogatepass"))


def _decay(count: float, dt: float, tau: float) -> float:
    return count * math.exp(-dt / tau) if dt > 0 else count


class AccountState:
    """Everything distillguard remembers about one account (a few hundred bytes)."""

    __slots__ = (*_FLOATS, "n", "ring", "ring_i", "clusters", "hours", "policy", "baseline", "part")

    def __init__(self, ts: float) -> None:
        self.first_ts = ts
        self.last_ts = ts
        self.c_min = 0.0
        self.c_hour = 0.0
        self.m_in = 0.0
        self.m_out = 0.0
        self.m_shallow = 0.0
        self.m_single = 0.0
        self.m_templ = 0.0
        self.m_dup = 0.0
        self.m_ldt = 0.0
        self.v_ldt = 0.0
        self.m_rot = 0.0
        self.m_err = 0.0
        self.m_sys = 0.0
        self.score = 0.0
        self.learn_ts = 0.0
        """Event time the population model last learned from this account."""
        self.n = 0
        self.ring = array("Q", [0]) * RING
        self.ring_i = 0
        self.clusters = array("I", [0]) * 4
        self.hours = array("I", [0]) * 24
        self.policy: Any = None
        self.baseline: Any = None
        self.part = 0
        """The source partition (not checkpointed: known from where the state is read)."""

    def update(self, e: Event) -> int:
        """Fold one request into the state; returns the nearest-prompt Hamming distance."""
        n = self.n + 1
        self.n = n
        a = ALPHA if n * ALPHA > 1.0 else 1.0 / n
        ts = e.ts
        dt = ts - self.last_ts
        if dt > 0:
            self.last_ts = ts
        self.c_min = _decay(self.c_min, dt, TAU_MIN) + 1.0
        self.c_hour = _decay(self.c_hour, dt, TAU_HOUR) + 1.0
        self.m_in += (e.input_tokens - self.m_in) * a
        self.m_out += (e.output_tokens - self.m_out) * a
        self.m_shallow += ((e.n_messages <= SHALLOW_MESSAGES) - self.m_shallow) * a
        self.m_single += ((e.n_messages == 1) - self.m_single) * a
        self.m_sys += (e.has_system_prompt - self.m_sys) * a
        self.m_err += ((e.status == 429 or e.status >= 500) - self.m_err) * a
        if n > 1:
            # Inter-arrival regularity: EW mean/variance of log(dt); out-of-order counts as 0.
            ldt = math.log(dt + 0.05) if dt > 0 else math.log(0.05)
            b = ALPHA if n * ALPHA > 2.0 else 1.0 / (n - 1)
            diff = ldt - self.m_ldt
            self.m_ldt += diff * b
            self.v_ldt = (1.0 - b) * (self.v_ldt + b * diff * diff)
        # Prompt stream: nearest recent predecessor.
        sh = e.simhash
        ring = self.ring
        k = min(n - 1, RING)
        nearest = 64
        if k:
            # C-level loop over the ring (map of int methods): the hottest line of the detector.
            nearest = min(map(int.bit_count, map(sh.__xor__, ring if k == RING else ring[:k])))
            self.m_dup += ((nearest <= DUP_BITS) - self.m_dup) * a
            self.m_templ += ((DUP_BITS < nearest <= TEMPLATE_BITS) - self.m_templ) * a
        ring[self.ring_i] = sh
        self.ring_i = (self.ring_i + 1) % RING
        # Infrastructure: a request from a cluster not among the last four is a rotation.
        ch = stable_hash(e.cluster)
        cl = self.clusters
        if n > 1:
            self.m_rot += ((ch not in cl) - self.m_rot) * a
        if cl[0] != ch:
            cl[3], cl[2], cl[1], cl[0] = cl[2], cl[1], cl[0], ch
        self.hours[int(ts // 3600) % 24] = int(ts)
        return nearest

    # --- derived features ------------------------------------------------------------------
    def rpm(self, ts: float) -> float:
        """Requests per minute over the last minute or so (decayed)."""
        return _decay(self.c_min, ts - self.last_ts, TAU_MIN) / (TAU_MIN / 60.0)

    def rph(self, ts: float) -> float:
        """Requests per hour over the last hour or so (decayed)."""
        return _decay(self.c_hour, ts - self.last_ts, TAU_HOUR)

    def active_hours(self, ts: float) -> int:
        """Distinct clock hours with activity in the last 24 hours."""
        return sum(map((ts - 86400.0).__lt__, self.hours))  # empty slots hold 0, never > ts - 1 day

    def features(self, ts: float) -> dict[str, float]:
        """The account's feature values, each in [0, 1]; higher = more distillation-like."""
        ratio = self.m_out / (self.m_in + 1.0)
        sd = math.sqrt(max(self.v_ldt, 0.0))
        rph = self.rph(ts)
        return {
            "answer_ratio": ratio / (ratio + 3.0),
            "answer_length": self.m_out / (self.m_out + 600.0),
            "template_share": self.m_templ,
            "duplicate_share": self.m_dup,
            "shallow_share": self.m_shallow,
            "single_turn_share": self.m_single,
            "timing_regularity": 1.0 / (1.0 + (sd / 0.5) ** 2) if self.n > 3 else 0.0,
            "ip_rotation": self.m_rot,
            "round_the_clock": max(0.0, (self.active_hours(ts) - 16) / 8.0),
            "error_share": self.m_err,
            "volume": rph / (rph + 120.0),
        }

    def raw(self, ts: float) -> dict[str, float]:
        """Human-readable raw values behind the features, for reasons and ``explain``."""
        return {
            "output_tokens": self.m_out,
            "input_tokens": self.m_in,
            "output_input_ratio": self.m_out / (self.m_in + 1.0),
            "rpm": self.rpm(ts),
            "rph": self.rph(ts),
            "active_hours": float(self.active_hours(ts)),
        }

    # --- checkpoint ------------------------------------------------------------------------
    def to_state(self) -> list[Any]:
        """A JSON-able snapshot (no pickle: a changelog must never carry code)."""
        return [
            [getattr(self, f) for f in _FLOATS],
            self.n,
            list(self.ring),
            self.ring_i,
            list(self.clusters),
            list(self.hours),
            self.policy.to_state() if self.policy is not None else None,
            self.baseline,
        ]

    @classmethod
    def from_state(cls, s: list[Any]) -> AccountState:
        """Rebuild a state from :meth:`to_state` output."""
        from distillguard.models.policy import SubjectPolicy

        st = cls(0.0)
        for f, v in zip(_FLOATS, s[0], strict=True):
            setattr(st, f, float(v))
        st.n = int(s[1])
        st.ring = array("Q", s[2])
        st.ring_i = int(s[3])
        st.clusters = array("I", s[4])
        st.hours = array("I", s[5])
        st.policy = SubjectPolicy.from_state(s[6]) if s[6] is not None else None
        st.baseline = s[7]
        return st
