"""The stages' stored checkpoints, in Faust's memory store or its RocksDB store (``rocksdict``).

The worker reads and writes its tables' stores itself: a subject's checkpoint is loaded at its
first sighting, written by a timer on the subject's own partition, deleted when it is evicted, and
a sweep walks the stored keys a slice at a time. :func:`stored` gives one interface over both
stores: ``get``, ``put`` on a known partition, ``remove``, ``in``, and a :class:`Walker`.

The fence around Faust's RocksDB store (faust-streaming ``0.15.3``, ``faust/stores/rocksdb.py``;
pinned in pyproject.toml). Its mapping interface picks a key's partition from the *current stream
event*: ``__setitem__`` asserts that there is one (a timer has none), ``__getitem__`` inside an
agent reads the database of the event's partition (the wrong one for a key of another
partition), and ``len()`` iterates every key. So :class:`RocksStates` uses, instead:

* ``Store._db_for_partition`` (opens a partition's database on first use) and ``Store._dbs``
  (the open databases by partition: those assigned to this worker);
* ``Store._key_index`` (Faust's LRU cache of key to partition, kept current for Faust's own reads);
* ``Store.offset_key`` (the record of the last changelog offset stored, which walks skip);
* ``Store._encode_key`` / ``_decode_key`` (the table's key serializer: JSON, as on the changelog);
* rocksdict's ``Rdict.get``, ``put``, ``delete``, ``key_may_exist`` and ``iter``.

Each database holds the changelog's records as they are (Faust's recovery writes them so): the
key as the table's key serializer writes it (a JSON string), the value as the checkpoint's bytes.
"""

from __future__ import annotations

from typing import Any, Protocol

from faust.stores.rocksdb import Store as RocksDBStore

Entry = tuple[str, int | None, bytes | None]
"""A stored key, its changelog partition (``None``: unknown) and its value."""


class Walker(Protocol):
    """The stored keys, a slice per call, pass after pass."""

    def walk(self, n: int) -> list[Entry]:
        """Up to ``n`` entries after the last one returned; a new pass starts after the last key."""
        ...

    def size(self) -> int:
        """Keys stored (for RocksDB: counted by the last complete pass, 0 before one)."""
        ...


class States(Protocol):
    """A table's stored checkpoints, by subject key."""

    def get(self, key: str) -> bytes | None:
        """The stored checkpoint, or ``None``."""
        ...

    def put(self, key: str, partition: int, value: bytes) -> None:
        """Store ``value`` for ``key`` on its changelog ``partition``."""
        ...

    def remove(self, key: str, partition: int) -> None:
        """Forget ``key`` (stored on ``partition``)."""
        ...

    def __contains__(self, key: object) -> bool: ...

    def walker(self) -> Walker:
        """A new walk over the stored keys."""
        ...


def key_partitions(data: Any) -> dict[Any, int]:
    """The memory store's record of each stored key's changelog partition.

    Faust's memory store fills it for keys recovered from the changelog (and drops the keys of
    partitions that moved away after a rebalance); :meth:`DictStates.put` adds the keys it writes.
    A store without one (a test double) gets an empty dict.
    """
    kp = getattr(data, "_key_partition", None)
    return kp if kp is not None else {}


class DictWalker:
    """Walks a snapshot of a dict's keys (a C-level copy, taken once per pass)."""

    def __init__(self, data: Any) -> None:
        self.data, self.kp = data, key_partitions(data)
        self.keys: list[Any] = []
        self.pos = 0

    def walk(self, n: int) -> list[Entry]:
        """Up to ``n`` keys of the snapshot, with their partitions and current values."""
        data, kp = self.data, self.kp
        if self.pos >= len(self.keys):
            self.keys, self.pos = list(getattr(data, "data", data)), 0
        chunk = self.keys[self.pos : self.pos + n]
        self.pos += len(chunk)
        return [(key, kp.get(key), data.get(key)) for key in chunk]

    def size(self) -> int:
        """Keys stored now."""
        return len(self.data)


class DictStates:
    """Faust's memory store (a dict of key to value, and each key's partition)."""

    def __init__(self, data: Any) -> None:
        self.data, self.kp = data, key_partitions(data)

    def get(self, key: str) -> bytes | None:
        """The stored checkpoint, or ``None``."""
        return self.data.get(key)

    def put(self, key: str, partition: int, value: bytes) -> None:
        """Store ``value``; record ``key``'s partition."""
        self.data[key] = value
        self.kp[key] = partition

    def remove(self, key: str, partition: int) -> None:
        """Forget ``key`` and its partition."""
        self.data.pop(key, None)
        self.kp.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def walker(self) -> DictWalker:
        """A walk over snapshots of the keys."""
        return DictWalker(self.data)


class RocksWalker:
    """Walks the open RocksDB databases in partition order, resuming after the last key read."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.parts: list[int] = []
        self.i = 0
        self.after: bytes | None = None
        self.seen = 0
        self.counted = 0

    def walk(self, n: int) -> list[Entry]:
        """Up to ``n`` entries; at most one pass ends per call."""
        out: list[Entry] = []
        ended = False
        while len(out) < n:
            if self.i >= len(self.parts):
                if ended:
                    break
                ended = self._new_pass()
                if not self.parts:
                    break
            self._read(self.parts[self.i], n - len(out), out)
        return out

    def _new_pass(self) -> bool:
        """Start over with the partitions open now; whether a pass had begun (now counted)."""
        had = bool(self.parts)
        if had:
            self.counted = self.seen
        self.parts, self.i, self.after, self.seen = sorted(self.store._dbs), 0, None, 0
        return had

    def _read(self, partition: int, n: int, out: list[Entry]) -> None:
        """Append up to ``n`` entries of one partition; move to the next partition at its end."""
        db = self.store._dbs.get(partition)
        it = db.iter() if db is not None else None
        if it is not None:
            if self.after is None:
                it.seek_to_first()
            else:
                it.seek(self.after)
                if it.valid() and it.key() == self.after:
                    it.next()
            skip = self.store.offset_key
            while it.valid() and n > 0:
                key = it.key()
                self.after = key
                if key != skip:
                    out.append((self.store._decode_key(key), partition, it.value()))
                    self.seen += 1
                    n -= 1
                it.next()
        if it is None or not it.valid():
            self.i, self.after = self.i + 1, None

    def size(self) -> int:
        """Keys counted by the last complete pass (0 before one: RocksDB keeps no exact count)."""
        return self.counted


class RocksStates:
    """Faust's RocksDB store: one database per assigned partition (see the module's fence)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def get(self, key: str) -> bytes | None:
        """The checkpoint from the database Faust last saw the key in, else from any that has it."""
        store = self.store
        kb = store._encode_key(key)
        dbs = store._dbs
        hint = store._key_index.get(kb)
        if hint in dbs:
            value = dbs[hint].get(kb)
            if value is not None:
                return value
        for partition, db in list(dbs.items()):
            if partition != hint and db.key_may_exist(kb):
                value = db.get(kb)
                if value is not None:
                    store._key_index[kb] = partition
                    return value
        return None

    def put(self, key: str, partition: int, value: bytes) -> None:
        """Write to the partition's database (opened if need be)."""
        kb = self.store._encode_key(key)
        self.store._db_for_partition(partition).put(kb, value)
        self.store._key_index[kb] = partition

    def remove(self, key: str, partition: int) -> None:
        """Delete from the partition's database, if it is open here."""
        kb = self.store._encode_key(key)
        db = self.store._dbs.get(partition)
        if db is not None:
            db.delete(kb)
        self.store._key_index.pop(kb, None)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def walker(self) -> RocksWalker:
        """A walk over the open databases."""
        return RocksWalker(self.store)


def stored(table: Any) -> States:
    """The interface over ``table``'s store (``table.data``)."""
    data = table.data
    return RocksStates(data) if isinstance(data, RocksDBStore) else DictStates(data)
