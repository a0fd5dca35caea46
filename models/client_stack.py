"""Browser user agents on TLS stacks that no browser of their kind uses: a fingerprint's context.

A user agent is a string the client chooses; the TLS handshake (its fingerprint) comes from the
stack that really makes the request. Each browser engine has its own stack, so the accounts on
one TLS fingerprint that claim a browser claim nearly all one family. A campaign that dresses
its script as a browser (a browser user agent over an SDK's or its own TLS stack) stands out: a
browser family that fewer than four in five of the fingerprint's accounts claim.

Which family a stack belongs to is learned from the traffic (distinct accounts per family per TLS
fingerprint), never listed. Only browser user agents can be out of place: an SDK or an app names
itself and claims nothing about a browser.

A stack is also no browser's by the protocol it offers first: a JA4 fingerprint names it (ALPN),
and every current browser offers HTTP/2 (``h2``; ``h3`` over QUIC). A browser claim on a stack
that offers HTTP/1.1 alone or nothing (``h1``, ``00``) is out of place from its first request,
however many accounts make it there: a campaign that owns its stack outnumbers everyone else on
it, so the family learned there would be its own (:func:`browser_alpn`). A fingerprint that is
not JA4 says nothing of the protocol.

An account counts once per stack, for the family it first claims (a script rotating user agents
does not count as three browsers). A stack is judged once ``MIN_ACCOUNTS`` accounts used it, and
a browser family is genuine on it only when it holds ``GENUINE_SHARE`` of its accounts: a stack
whose browser claims disagree (a campaign's own stack under a rotation of browser user agents)
is no browser's.

Each worker learns from the accounts it owns (as the prompt popularity table): a sample of the
same population, so the majority family of a busy stack comes out alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from distillguard.models.account_features import stable_hash
from distillguard.models.user_agent import browser_family

MIN_ACCOUNTS = 20
"""Distinct accounts a TLS fingerprint needs before its families are judged."""
GENUINE_SHARE = 0.8
"""A browser family that at least this share of the fingerprint's accounts claim is its own."""
MAX_PAIRS = 100_000
"""(fingerprint, account) pairs remembered (as hashes, ~6 MB); past this the memory starts over
with the counts halved (they keep their proportions, and an account is counted again as it
returns)."""


class ClientStacks:
    """Distinct accounts per (TLS fingerprint, claimed family); which claims are out of place."""

    __slots__ = ("counts", "seen", "totals")

    def __init__(self) -> None:
        self.seen: set[int] = set()
        """Hashes of the (fingerprint, account) pairs counted (in-process only, never stored)."""
        self.counts: dict[tuple[str, str | None], float] = {}
        self.totals: dict[str, float] = {}

    def observe(self, tls: str | None, user_agent: str | None, account: str) -> bool:
        """Count one request's account; whether its browser claim is out of place on its stack."""
        if not tls:
            return False
        family = browser_family(user_agent)
        k = hash((tls, account))
        if k not in self.seen:  # an account counts once per stack, for the family it first claims
            if len(self.seen) >= MAX_PAIRS:
                self._halve()
            self.seen.add(k)
            pair = (tls, family)
            self.counts[pair] = self.counts.get(pair, 0.0) + 1.0
            self.totals[tls] = self.totals.get(tls, 0.0) + 1.0
        if family is None:
            return False
        if not browser_alpn(tls):
            return True
        return self._held(tls, family) is False

    def genuine(self, tls: str | None, user_agent: str | None) -> bool:
        """Whether a browser claim is proven on its stack: the stack has been judged
        (``MIN_ACCOUNTS`` accounts), may be a browser's (:func:`browser_alpn`), and the claimed
        family holds ``GENUINE_SHARE`` of its accounts. No fingerprint, or a stack too new to
        judge, proves nothing."""
        family = browser_family(user_agent)
        if not tls or family is None or not browser_alpn(tls):
            return False
        return self._held(tls, family) is True

    def _held(self, tls: str, family: str) -> bool | None:
        """Whether ``family`` holds ``GENUINE_SHARE`` of the stack's accounts; None while the
        stack is too new to judge (fewer than ``MIN_ACCOUNTS`` accounts)."""
        total = self.totals.get(tls, 0.0)
        if total < MIN_ACCOUNTS:
            return None
        return self.counts.get((tls, family), 0.0) >= GENUINE_SHARE * total

    def _halve(self) -> None:
        self.seen.clear()
        self.counts = {k: v / 2 for k, v in self.counts.items() if v >= 1.0}
        self.totals = {k: v / 2 for k, v in self.totals.items() if v >= 1.0}


@lru_cache(maxsize=4096)
def browser_alpn(tls: str) -> bool:
    """Whether a TLS fingerprint's first offered protocol could be a browser's: HTTP/2 or
    HTTP/3 (``h2``, ``h3``). Every current browser offers HTTP/2; HTTP/1.1 alone (``h1``) or no
    protocol (``00``) is a script's stack. A fingerprint that is not JA4 says nothing (True).

    >>> browser_alpn("t13d1516h2_8daaf6152771_02713d6af862"), browser_alpn("t13d1811h1_31c9c8f09ece")
    (True, False)
    """
    m = _JA4.match(tls)
    return m is None or m.group(1) in ("h2", "h3")


_JA4 = re.compile(r"[tqd](?:1[0-3]|s[23]|d[1-3]|00)[di]\d{4}([0-9a-z]{2})_")
"""A JA4 fingerprint's first part: protocol, TLS version, SNI, cipher and extension counts, then
the first and last character of the first protocol offered (ALPN)."""


@lru_cache(maxsize=4096)
def mismatch_key(tls: str | None) -> str:
    """The linkage key of out-of-place browser claims on one TLS stack."""
    return f"mm:{stable_hash(tls or ''):08x}"


def disguise_key(key: str) -> bool:
    """Whether a linkage key joins out-of-place browser claims on one TLS stack."""
    return key.startswith("mm:")
