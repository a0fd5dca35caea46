"""What analysts' verdicts teach: accounts that look like ones a person confirmed or released.

A verdict on an account is a label (``confirm`` and ``escalate``: a harvest; ``release``: not
one). :class:`Lookalikes` keeps the labelled accounts' feature vectors in River's exact
nearest-neighbour search (:class:`river.neighbors.LazySearch`, a sliding window of the newest
``MEMORY`` labels) and votes on a new account from the labelled ones near it:

* every label within ``RADIUS``, each weighed by ``1 - distance / RADIUS``: far from every label
  the vote is 0, so a few verdicts never shift the judgement of traffic unlike what was judged;
* ``+1`` for a harvest, ``-1`` for a release; each class is weighed by the inverse of its share
  of the labels (an analyst's queue is mostly harvests: without it, the majority would win every
  vote it takes part in);
* scaled by how much labelled evidence is near (in full from a kernel weight of ``FULL_AT``:
  one label at distance 0 is enough, as an analyst's release of one account means its exact
  look-alikes too).

The vote enters the account's score in log-odds (``models.evidence.combine``), so a release's
look-alikes stop being flagged and a confirmed harvest's look-alikes need less other evidence.
It is an instance-based online model: each verdict is one ``learn`` with no retraining, and it
can name the verdicts that carried a vote (for the reasons a reviewer reads).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from river import neighbors

LOOKALIKE_FEATURES = (
    "answer_ratio",
    "answer_length",
    "max_tokens_fill",
    "novelty",
    "template_share",
    "shallow_share",
    "ip_rotation",
    "round_the_clock",
    "no_pauses",
    "system_share",
    "pace",
)
"""The account features a look-alike is measured on (each in [0, 1]; ``pace`` is the account's
rate, the larger of its requests in the last hour and its last minute's rate x 60, as
``rate / (rate + PACE_HALF)``: the hour's count alone ramps up over a young account's first hour).
Timing regularity is left out: over an account's first few dozen requests it swings widely."""
PACE_HALF = 60.0
RADIUS = 0.35
"""Euclidean distance over ``LOOKALIKE_FEATURES`` beyond which a label has no say."""
FULL_AT = 1.0
"""Kernel weight of labels nearby at which the vote counts in full."""
MEMORY = 2000
"""Labels kept (the newest)."""


Label = tuple[tuple[float, ...], bool, str, str, float]
"""A window item: ``(vector, harvest, subject, verdict, until)``; the search reads the vector only."""


def _distance(a: Any, b: Any, **_: Any) -> float:
    """Euclidean distance of two items' vectors (River's ``DistanceFunc``)."""
    return math.dist(a[0], b[0])


def lookalike_vector(f: Mapping[str, float], rate: float) -> tuple[float, ...]:
    """An account's point in look-alike space, from its features and its rate (requests an hour)."""
    return (*(f[k] for k in LOOKALIKE_FEATURES[:-1]), rate / (rate + PACE_HALF))


@dataclass(frozen=True, slots=True)
class Vote:
    """The labelled accounts' say on one account."""

    value: float
    """In [-1, 1]: positive looks like confirmed harvests, negative like released accounts."""
    nearest: str
    """The nearest labelled subject that voted (``""`` when none did)."""
    nearest_verdict: str
    distance: float


NO_VOTE = Vote(0.0, "", "", math.inf)


class Lookalikes:
    """Labelled accounts (analysts' verdicts) and their vote on look-alikes."""

    def __init__(self, radius: float = RADIUS, memory: int = MEMORY) -> None:
        self.radius = radius
        self.search = neighbors.LazySearch(window_size=memory, dist_func=_distance)
        self.positives = 0
        self.negatives = 0
        self.next_expiry = math.inf
        self.labelled: dict[str, tuple[float, ...]] = {}
        """Subject -> its labelled vector (the newest verdict of a subject replaces the older);
        a label is forgotten when its verdict expires."""

    def __len__(self) -> int:
        return len(self.search.window)

    def learn(self, subject: str, x: tuple[float, ...], harvest: bool, verdict: str, until: float = math.inf) -> None:
        """Learn one labelled account until ``until`` (its verdict's expiry); a subject judged
        again replaces its earlier label."""
        if subject in self.labelled:
            self._forget(subject)
        window = self.search.window
        if len(window) == window.maxlen:  # the oldest label makes room
            self._drop(window[0][0])
        self.search.append((x, harvest, subject, verdict, until))
        self.next_expiry = min(self.next_expiry, until)
        self.labelled[subject] = x
        self._count(harvest, +1)

    def _drop(self, label: Label) -> None:
        """Uncount ``label`` (the caller takes it out of the window)."""
        self._count(label[1], -1)
        self.labelled.pop(label[2], None)

    def _forget(self, subject: str) -> None:
        self._keep(lambda label: label[2] != subject)

    def _expire(self, now: float) -> None:
        self._keep(lambda label: label[4] > now)
        self.next_expiry = min((entry[0][4] for entry in self.search.window), default=math.inf)

    def _keep(self, keep: Callable[[Label], bool]) -> None:
        """Keep the labels ``keep`` accepts; uncount the others."""
        window = self.search.window
        kept = [entry for entry in window if keep(entry[0])]
        for entry in window:
            if not keep(entry[0]):
                self._drop(entry[0])
        window.clear()
        window.extend(kept)

    def _count(self, harvest: bool, step: int) -> None:
        if harvest:
            self.positives += step
        else:
            self.negatives += step

    def vote(self, x: tuple[float, ...], now: float = -math.inf) -> Vote:
        """The vote on ``x`` of the labels within ``radius`` and in force at ``now`` (:data:`NO_VOTE` if none)."""
        window = self.search.window
        if not window:
            return NO_VOTE
        if now >= self.next_expiry:
            self._expire(now)
            if not window:
                return NO_VOTE
        items, dists = self.search.search((x,), len(window))
        total = self.positives + self.negatives
        w_pos = total / (2.0 * self.positives) if self.positives else 0.0
        w_neg = total / (2.0 * self.negatives) if self.negatives else 0.0
        s = weight = near = 0.0
        for label, d in zip(items, dists, strict=True):
            if d >= self.radius:
                break
            k = 1.0 - d / self.radius
            near += k
            s += k * (w_pos if label[1] else -w_neg)
            weight += k * (w_pos if label[1] else w_neg)
        if weight <= 0.0:
            return NO_VOTE
        value = s / weight * min(1.0, near / FULL_AT)
        nearest = items[0]
        return Vote(value, nearest[2], nearest[3], dists[0])
