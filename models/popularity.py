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
near-copies are the account's own template signal. In the live worker each process sees the
accounts of its own partitions, so popularity there is judged within that share of the traffic.
"""

from __future__ import annotations

from array import array

SLOTS_LOG2 = 20
"""2^20 slots: about an hour of prompts at 300 requests/s before a slot is usually reused."""
SHARED = 0xFFFFFFFF
"""Owner mark of a prompt that at least two accounts have sent."""


class PromptPopularity:
    """Recent prompt hashes and their first sender, in fixed memory."""

    __slots__ = ("first_sender", "firsts", "hashes", "mask", "owners")

    def __init__(self, slots_log2: int = SLOTS_LOG2) -> None:
        n = 1 << slots_log2
        self.mask = n - 1
        self.hashes = array("Q", [0]) * n
        self.owners = array("I", [0]) * n
        self.firsts = array("I", [0]) * n
        """The account (its hash) that sent each slot's prompt first."""
        self.first_sender = 0
        """Set by :meth:`popular`: the first sender of the prompt it has just found shared for the
        first time (another account than this one), else 0. A prompt is public whoever sent it
        first: the first sender's count of popular prompts is owed one."""

    def popular(self, simhash: int, account_hash: int, sender: int = 0) -> bool:
        """Record that ``account_hash`` (a linkage key's hash) sent ``simhash``; whether another
        sent it before. ``sender``: the account's hash, for :attr:`first_sender`.

        Examples
        --------
        >>> p = PromptPopularity(4)
        >>> p.popular(0xABCDEF, 1, 11), p.popular(0xABCDEF, 1, 11), p.popular(0xABCDEF, 2, 22), p.first_sender
        (False, False, True, 11)
        >>> p.popular(0xABCDEF, 1, 11), p.first_sender  # shared already: nothing more is owed
        (True, 0)
        """
        self.first_sender = 0
        i = (simhash ^ (simhash >> 31)) & self.mask
        if self.hashes[i] == simhash:
            owner = self.owners[i]
            if owner == account_hash:
                return False
            if owner != SHARED:
                self.owners[i] = SHARED
                first = self.firsts[i]
                if first != sender:
                    self.first_sender = first
            return True
        self.hashes[i] = simhash
        self.owners[i] = account_hash
        self.firsts[i] = sender
        return False
