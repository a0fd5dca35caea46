"""RecentIds: duplicates are caught within the window, memory stays bounded, adds stay O(1)."""

from distillguard.models.recent import RecentIds


def test_an_id_is_remembered_for_at_least_half_the_capacity() -> None:
    """Every id is still known after capacity // 2 - 1 newer ids."""
    r = RecentIds(1000)
    ids = [f"e{i}" for i in range(5000)]
    for i, k in enumerate(ids):
        assert r.add(k)
        if i >= 499:
            assert not r.add(ids[i - 499])


def test_memory_is_bounded_by_the_capacity() -> None:
    """Never more than ``capacity`` ids are held, however many are added."""
    r = RecentIds(1000)
    for i in range(10_000):
        r.add(str(i))
        assert len(r) <= 1000
    assert r.add("0"), "an id older than the capacity is forgotten"
