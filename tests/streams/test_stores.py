"""The stored checkpoints over Faust's RocksDB store, without a broker: reads and writes that do
not depend on a current stream event, and a walk that sees every key once per pass, in slices,
with its partition (Faust's offset record skipped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust
import pytest

from distillguard.streams.worker.stores import DictStates, RocksStates, stored

KEYS = {f"acct-{i:02d}": i % 4 for i in range(23)}


@pytest.fixture
def table(tmp_path: Path) -> Any:
    app = faust.App("stores-test", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path))
    return app.Table("account-state", default=None, key_type=str, value_type=bytes, partitions=4)


def test_reads_and_writes_go_to_the_partitions_database(table: Any) -> None:
    states = stored(table)
    assert isinstance(states, RocksStates)
    for key, part in KEYS.items():
        states.put(key, part, key.encode())
    table.data.set_persisted_offset(faust.types.TP("t", 0), 41)  # as Faust records a changelog offset
    store = table.data
    store._key_index.clear()  # a fresh worker's index is empty: every database is looked in
    assert states.get("acct-05") == b"acct-05"
    assert store._dbs[1].get(store._encode_key("acct-05")) == b"acct-05"  # the JSON key, as on the changelog
    assert "acct-06" in states
    states.remove("acct-06", 2)
    assert "acct-06" not in states
    assert states.get("nobody") is None


def test_a_walk_sees_each_key_once_per_pass_with_its_partition(table: Any) -> None:
    states = stored(table)
    for key, part in KEYS.items():
        states.put(key, part, b"v")
    for p in range(4):
        table.data.set_persisted_offset(faust.types.TP("t", p), 7)
    walker = states.walker()
    assert walker.size() == 0  # no pass complete yet
    seen: list[tuple[str, int | None]] = []
    while len(seen) < len(KEYS):
        chunk = walker.walk(5)
        assert 0 < len(chunk) <= 5
        seen += [(key, part) for key, part, value in chunk if value == b"v"]
    assert sorted(seen[: len(KEYS)]) == sorted(KEYS.items())  # a chunk may run on into the next pass
    walker.walk(5)
    assert walker.size() == len(KEYS)


def test_the_memory_store_interface_keeps_each_keys_partition() -> None:
    class Store(dict[str, bytes]):
        _key_partition: dict[str, int]

    data = Store()
    data._key_partition = {}
    states = DictStates(data)
    states.put("a", 3, b"x")
    assert (states.get("a"), data._key_partition) == (b"x", {"a": 3})
    assert states.walker().walk(10) == [("a", 3, b"x")]
    states.remove("a", 3)
    assert "a" not in states
    assert not data._key_partition
