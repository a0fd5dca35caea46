"""Popular prompts: has another account sent this very prompt recently?

A harvester never pays twice for one answer, and its prompts are its own (a sweep of a topic
taxonomy, paraphrased or templated). Honest traffic is full of prompts that other people send
too: the same public benchmark run by many evaluation harnesses, the same homework question, the
same "write a cover letter". Such prompts teach a distiller nothing it could not get from
anyone, so they count against the harvest signature, the way a search engine discounts common
words.

The memory is a direct-mapped table (like a CPU cache) of recent prompt hashes and the account
that sent each first: a fixed 12 MB whatever the traffic, one slot read and written per request,
older prompts overwritten by newer ones. Exact hash matches only (the same normalised text);
near-copies are the account's own template signal. The same table tells an account's repeat of
its own older prompt (:meth:`PromptPopularity.sighting`): a benchmark run again. In the live
worker each process sees the accounts of its own partitions, so popularity there is judged within
that share of the traffic.
"""

from __future__ import annotations

from array import array

SLOTS_LOG2 = 20
"""2^20 slots: about an hour of prompts at 300 requests/s before a slot is usually reused."""
SHARED = 0xFFFFFFFF
"""Owner mark of a prompt that at least two accounts have sent."""
MAX_CREDITS = 1 << 16
"""Accounts owed popular prompts at most (all forgotten when full)."""
NEW, POPULAR, REPEAT, ECHO = 0, 1, 2, 3
"""What :meth:`PromptPopularity.sighting` finds: a prompt not seen, one another key sent, one
the same account sent (and no one else), one another account of the same key sent, asked again
for the same answer (a low temperature)."""


class PromptPopularity:
    """Recent prompt hashes and their first sender, in fixed memory."""

    __slots__ = ("credits", "firsts", "hashes", "mask", "owners")

    def __init__(self, slots_log2: int = SLOTS_LOG2) -> None:
        n = 1 << slots_log2
        self.mask = n - 1
        self.hashes = array("Q", [0]) * n
        self.owners = array("I", [0]) * n
        self.firsts = array("I", [0]) * n
        """The account (its hash) that sent each slot's prompt first."""
        self.credits: dict[int, int] = {}
        """Prompts each account (by hash) sent first that another account has sent since, not yet
        settled (:meth:`owed`): a prompt is public whoever sent it first."""

    def popular(self, simhash: int, account_hash: int, sender: int = 0) -> bool:
        """Record that ``account_hash`` (a linkage key's hash) sent ``simhash``; whether another
        sent it before (:meth:`sighting` is ``POPULAR``).

        Examples
        --------
        >>> p = PromptPopularity(4)
        >>> p.popular(0xABCDEF, 1, 11), p.popular(0xABCDEF, 1, 11), p.popular(0xABCDEF, 2, 22), p.credits
        (False, False, True, {11: 1})
        >>> p.popular(0xABCDEF, 1, 11), p.credits  # shared already: nothing more is owed
        (True, {11: 1})
        """
        return self.sighting(simhash, account_hash, sender) == POPULAR

    def sighting(self, simhash: int, account_hash: int, sender: int = 0, resample: bool = True) -> int:
        """Record that ``account_hash`` (a linkage key's hash) sent ``simhash``: ``POPULAR`` if
        another key sent it before, ``REPEAT`` if ``sender`` (an account's hash; 0 for none, as
        for a refused request) did and no one else has, ``ECHO`` if another account of the same
        key did and this request does not ``resample`` (asks for the same answer again, at a low
        temperature), else ``NEW``. The first sender of a prompt found shared for the first time
        (by another key, or echoed) is owed it (:meth:`owed`).

        Teams on one SDK in one cloud share a key, as a campaign's accounts do: another account
        asking for the very answer one already got is asking what is public (a benchmark that
        both run), while sampling it again would be a sweep's own accounts taking new answers.

        >>> p = PromptPopularity(4)
        >>> p.sighting(0xABCDEF, 1, 11), p.sighting(0xABCDEF, 1, 11), p.sighting(0xABCDEF, 1, 33)
        (0, 2, 0)
        >>> p.sighting(0xABCDEF, 1, 33, resample=False), p.credits  # the same key, another account
        (3, {11: 1})
        >>> p.sighting(0xABCDEF, 2, 22), p.sighting(0xABCDEF, 1, 11)
        (1, 1)
        """
        i = (simhash ^ (simhash >> 31)) & self.mask
        if self.hashes[i] == simhash:
            owner = self.owners[i]
            echo = owner == account_hash
            if echo:
                # The same key again: the account re-asking, or its campaign's own accounts.
                first = self.firsts[i]
                if not sender or first == sender:
                    return REPEAT if sender else NEW
                if resample or not first:
                    return NEW
            if owner != SHARED:
                self.owners[i] = SHARED
                first = self.firsts[i]
                if first and first != sender:
                    credits = self.credits
                    if len(credits) >= MAX_CREDITS:  # an account that never returns owes nothing
                        credits.clear()
                    credits[first] = credits.get(first, 0) + 1
            return ECHO if echo else POPULAR
        self.hashes[i] = simhash
        self.owners[i] = account_hash
        self.firsts[i] = sender
        return NEW

    def owed(self, sender: int) -> int:
        """How many of the prompts ``sender`` (an account's hash) sent first others have sent since
        it last asked; settled by asking.

        >>> p = PromptPopularity(4)
        >>> p.popular(0xABCDEF, 1, 11), p.popular(0xABCDEF, 2, 22), p.owed(11), p.owed(11), p.owed(22)
        (False, True, 1, 0, 0)
        """
        credits = self.credits
        return credits.pop(sender, 0) if credits else 0
