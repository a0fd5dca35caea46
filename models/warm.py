"""Snapshots of the account stage's population scales, so that a restarted worker starts warm.

A snapshot is plain JSON (a changelog must never carry code): a format version, the River
version that wrote it, and the scales' learned count ``n``, current ``cuts`` (the quantile
values that :meth:`PopulationScales.rank` and the reasons' medians read) and each running
quantile's P² state (River's own serialization of its five markers, base64).

Restored with the same River version, the estimators continue exactly where the writer's
stopped. With another version (whose P² state may not read alike), only ``n`` and the cuts are
restored, and the cuts are held until fresh estimators have seen ``WARMUP`` values.

Not snapshotted: the Half-Space Trees of :class:`~distillguard.models.scoring.PopulationModel`
and their calibration (calibration quantiles are meaningless without the trees' masses, which
are River internals), the prompt popularity table (~12 MB, and minutes-old news), the browser families per TLS stack
(:mod:`distillguard.models.client_stack`, relearned from a stack's next accounts), recent event
ids and watermarks (per partition, rebuilt by the events themselves).
"""

from __future__ import annotations

import base64
from typing import Any

import river
from river import stats

from distillguard.models.evidence import QS, WARMUP, PopulationScales

SNAPSHOT_VERSION = 1
"""Bumped whenever the snapshot's layout changes; a snapshot of another version is ignored."""
KIND = "account-scales"


class UnknownSnapshot(ValueError):
    """A snapshot this code cannot read (another kind, version or set of scales)."""


def snapshot(scales: PopulationScales) -> dict[str, Any]:
    """The scales as JSON-ready data."""
    return {
        "kind": KIND,
        "v": SNAPSHOT_VERSION,
        "river": river.__version__,
        "qs": list(QS),
        "n": scales.n,
        "cuts": {k: list(c) for k, c in scales.cuts.items()},
        "p2": {k: [_p2_state(q) for q in qs] for k, qs in scales.q.items()},
    }


def restore(scales: PopulationScales, snap: dict[str, Any]) -> bool:
    """Load ``snap`` into ``scales``; returns whether the estimators themselves were restored.

    Raises :class:`UnknownSnapshot` (leaving ``scales`` untouched) for a snapshot it cannot read.
    """
    cuts = _checked(scales, snap)
    exact = snap.get("river") == river.__version__
    if exact:
        try:
            states = {k: [_decoded(s) for s in snap["p2"][k]] for k in scales.q}
            if any(len(v) != len(QS) for v in states.values()):
                raise UnknownSnapshot("P² states do not match the quantiles")
            fresh = {k: [_p2_restored(q.q, s) for q, s in zip(scales.q[k], v, strict=True)] for k, v in states.items()}
        except (KeyError, TypeError, ValueError) as err:
            raise UnknownSnapshot(f"unreadable P² state: {err!r}") from err
        scales.q.update(fresh)
    scales.cuts.update(cuts)
    scales.n = int(snap["n"])
    scales.hold = 0 if exact else WARMUP
    return exact


def _checked(scales: PopulationScales, snap: dict[str, Any]) -> dict[str, list[float]]:
    """The snapshot's cuts, once its kind, version and layout are those of ``scales``."""
    if snap.get("kind") != KIND or snap.get("v") != SNAPSHOT_VERSION:
        raise UnknownSnapshot(f"not a version {SNAPSHOT_VERSION} {KIND} snapshot")
    if snap.get("qs") != list(QS) or not isinstance(snap.get("n"), int):
        raise UnknownSnapshot("quantiles or count differ")
    cuts = snap.get("cuts")
    if not isinstance(cuts, dict) or set(cuts) != set(scales.q):
        raise UnknownSnapshot("scaled values differ")
    try:
        out = {k: [float(x) for x in cuts[k]] for k in scales.q}
    except (TypeError, ValueError) as err:
        raise UnknownSnapshot(f"unreadable cuts: {err!r}") from err
    if any(len(c) != len(QS) for c in out.values()):
        raise UnknownSnapshot("cuts do not match the quantiles")
    return out


def _p2_state(q: Any) -> str | None:
    """A River quantile's P² state (``None`` before its first value)."""
    if q.get() is None:
        return None
    return base64.b64encode(q._quantile.__getstate__()).decode()


def _decoded(state: str | None) -> bytes | None:
    return None if state is None else base64.b64decode(state, validate=True)


def _p2_restored(level: float, state: bytes | None) -> Any:
    """A River quantile at ``level`` with the P² state ``state`` (``None``: a fresh one)."""
    q = stats.Quantile(level)
    if state is not None:
        q._quantile.__setstate__(state)
        q._is_updated = True
    return q
