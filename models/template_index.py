"""Prompt templates shared across accounts: a linkage key of content, in fixed memory.

A campaign sweeps one template across its accounts, each prompt a new fill, and its accounts
may share nothing else (each on its own client, its own network). Two prompts of one template
differ in a few bits of their SimHash, so they very likely agree exactly on at least one of its
four 16-bit bands (locality-sensitive hashing). The index keeps, per band value, the latest
prompt that had it and its account: a request whose prompt agrees on a band with another
account's recent prompt, and is close to it in full (within ``TIE_BITS``), is a template
sibling, and the template becomes a linkage key (``tpl:<id>``) for the campaign stage.

Exact copies are the popular-prompt table's business (``models.popularity``), not ties: many
people ask the same question. A template shared by honest people (a class's assignment, a
popular way to ask for a cover letter) makes a group too; the campaign stage judges a group by
what its accounts do together, never by the tie alone.

The table is direct-mapped (four bands x 65,536 slots, ~6 MB, one slot read and written per
band); in the live worker each process sees the accounts of its own partitions.
"""

from __future__ import annotations

from array import array

BANDS = 4
BAND_BITS = 16
TIE_BITS = 12
"""Bits within which a prompt agreeing on a band with another account's is its sibling (prompts
that share nothing are ~32 bits apart; fills of one short template a few)."""
HORIZON_S = 3600.0
"""How recent the other account's prompt must be."""
_MASK = (1 << BAND_BITS) - 1


class TemplateIndex:
    """The latest prompt per band value, with its account, time and template id."""

    __slots__ = ("accounts", "hashes", "ids", "times")

    def __init__(self) -> None:
        n = BANDS << BAND_BITS
        self.hashes = array("Q", [0]) * n
        self.accounts = array("I", [0]) * n
        self.times = array("d", [0.0]) * n
        self.ids = array("I", [0]) * n
        """The template id a prompt took: a sibling's, or its own (its top 32 bits) if it had none.
        Siblings agree on different bands, so an id passes from prompt to sibling: one template
        keeps one key instead of one per band value its fills happen to share."""

    def key(self, simhash: int, account_hash: int, ts: float) -> str | None:
        """Record the prompt; the linkage key of the template it shares with another account's
        recent prompt, if any.

        Examples
        --------
        >>> idx = TemplateIndex()
        >>> a = 0x1234_5678_9ABC_DEF0
        >>> b, c = a ^ 0b1011, a ^ (1 << 63) ^ 0b1  # siblings of a, agreeing on other bands
        >>> idx.key(a, 1, 0.0), idx.key(b, 2, 10.0), idx.key(c, 3, 20.0)
        (None, 'tpl:12345679', 'tpl:12345679')
        >>> idx.key(0xFFFF_0000_FFFF_0000, 3, 30.0) is None  # shares nothing
        True
        """
        hashes, accounts, times, ids = self.hashes, self.accounts, self.times, self.ids
        slots = _slots(simhash)
        found = 0
        for i in slots:
            other = accounts[i]
            if (
                other  # 0: an empty slot
                and other != account_hash
                and ts - times[i] <= HORIZON_S
                and (hashes[i] ^ simhash).bit_count() <= TIE_BITS
                and (not found or ids[i] < found)
            ):
                found = ids[i]  # the smallest of the siblings' ids: a template's ids merge into one
        own = found or ((simhash >> 32) | 1)
        a, b, c, d = slots  # written out: four stores into each of four arrays
        hashes[a] = hashes[b] = hashes[c] = hashes[d] = simhash
        accounts[a] = accounts[b] = accounts[c] = accounts[d] = account_hash
        times[a] = times[b] = times[c] = times[d] = ts
        ids[a] = ids[b] = ids[c] = ids[d] = own
        return f"tpl:{found:08x}" if found else None


def _slots(simhash: int) -> tuple[int, int, int, int]:
    """The table slot of each of the hash's bands (band b's slots start at b << BAND_BITS),
    written out for four bands of 16 bits.

    >>> [hex(i) for i in _slots(0x0001_0002_0003_0004)]
    ['0x1', '0x10002', '0x20003', '0x30004']
    """
    return (
        (simhash >> 48) & _MASK,
        0x10000 | ((simhash >> 32) & _MASK),
        0x20000 | ((simhash >> 16) & _MASK),
        0x30000 | (simhash & _MASK),
    )


def template_key(key: str) -> bool:
    """Whether a linkage key joins accounts by a shared prompt template."""
    return key.startswith("tpl:")
