"""The bounded memory of recently routed reports."""

import pytest

from kmzb_geo_router.domain.recent import RecentIds


def test_the_newest_ids_are_kept_and_the_oldest_forgotten():
    recent = RecentIds(3)
    recent.update(["a", "b", "c"])
    recent.add("b")  # known: changes nothing
    assert {"a", "b", "c"} == {i for i in "abcd" if i in recent}
    recent.add("d")
    assert "a" not in recent and {"b", "c", "d"} == {i for i in "abcd" if i in recent}
    assert len(recent) == 3


def test_a_memory_of_nothing_is_refused():
    with pytest.raises(ValueError):
        RecentIds(0)
