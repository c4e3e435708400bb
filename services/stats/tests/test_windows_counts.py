"""Windows over hourly buckets, bucket keys, roll-ups and k-anonymity."""

from datetime import UTC, datetime, timedelta

import h3
import pytest

from kmzb_contracts import StatisticsLayer
from kmzb_stats.domain.anonymity import k_anonymise
from kmzb_stats.domain.counts import Bucket, Layer, add_to_bucket, bucket_key, parse_bucket_key, prune_buckets, roll_up
from kmzb_stats.domain.windows import Window, hour_of, hour_start, previous_windows, window_hours

NOON_WED = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)


def test_hourly_window_is_tumbling_and_hopping_windows_end_at_the_next_utc_midnight():
    h = hour_of(NOON_WED)
    assert window_hours(Window.HOUR, NOON_WED) == (h, h + 1)
    start, end = window_hours(Window.WEEK, NOON_WED)
    assert hour_start(end) == datetime(2026, 11, 26, tzinfo=UTC)
    assert hour_start(start) == datetime(2026, 11, 19, tzinfo=UTC)
    start, end = window_hours(Window.FOUR_WEEKS, NOON_WED)
    assert end - start == 28 * 24 and hour_start(end) == datetime(2026, 11, 26, tzinfo=UTC)


def test_an_hour_leaves_the_seven_day_window_exactly_when_the_window_hops_past_it():
    event = hour_of(datetime(2026, 11, 19, 0, 10, tzinfo=UTC))
    last_inside = datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC)
    first_outside = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    s, e = window_hours(Window.WEEK, last_inside)
    assert s <= event < e
    s, e = window_hours(Window.WEEK, first_outside)
    assert not s <= event < e


def test_previous_windows_are_adjacent_and_do_not_overlap():
    start, _ = window_hours(Window.WEEK, NOON_WED)
    prev = previous_windows(Window.WEEK, NOON_WED, 3)
    assert prev[0][1] == start and prev[1][1] == prev[0][0] and prev[2][1] == prev[1][0]
    assert all(e - s == 7 * 24 for s, e in prev)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        hour_of(datetime(2026, 1, 1))


def test_bucket_keys_round_trip_with_and_without_unit_and_old_hours_are_pruned():
    a = Bucket(Layer.REPORTS, "ZEBRACTWO", "KMP-1261", 100)
    b = Bucket(Layer.POLICE_CRIMES, "kradziez|z-wlamaniem", "jednostka|x", 200)
    c = Bucket(Layer.SURVEY_SAFETY, "q1", None, 5)
    assert all(parse_bucket_key(bucket_key(x)) == x for x in (a, b, c))
    buckets = add_to_bucket(add_to_bucket(add_to_bucket({}, a), a), b, 2.5)
    assert buckets == {bucket_key(a): 2.0, bucket_key(b): 2.5}
    assert prune_buckets(buckets, before_hour=150) == {bucket_key(b): 2.5}


def test_every_statistics_layer_of_the_contracts_is_a_count_layer_apart_from_reports():
    assert {Layer(str(s)) for s in StatisticsLayer} == set(Layer) - {Layer.REPORTS}


def test_roll_up_sums_children_into_parents_and_refuses_finer_resolutions():
    cell = h3.latlng_to_cell(50.06, 19.94, 8)
    sibling = next(c for c in h3.cell_to_children(h3.cell_to_parent(cell, 7), 8) if c != cell)
    assert roll_up([(cell, 2.0), (sibling, 3.0)], 7) == {h3.cell_to_parent(cell, 7): 5.0}
    with pytest.raises(ValueError, match="finer"):
        roll_up([(h3.cell_to_parent(cell, 6), 1.0)], 8)


def test_k_anonymity_keeps_large_cells_merges_small_siblings_and_hides_the_rest():
    parent = h3.latlng_to_cell(50.06, 19.94, 7)
    small_a, small_b, big = sorted(h3.cell_to_children(parent, 8))[:3]
    lonely = h3.latlng_to_cell(54.35, 18.65, 8)
    public, hidden = k_anonymise({big: 5, small_a: 1, small_b: 2, lonely: 1, "8828308281fffff": 0}, k=3, coarsest=6)
    shown = {c.cell: (c.count, c.merged) for c in public}
    assert shown == {big: (5, False), parent: (3, True)}
    assert hidden == 1
    assert all(c.count >= 3 for c in public)


def test_k_anonymity_goes_up_one_resolution_at_a_time_until_the_coarsest():
    parent6 = h3.latlng_to_cell(50.06, 19.94, 6)
    children7 = sorted(h3.cell_to_children(parent6, 7))[:3]
    cells = {h3.cell_to_center_child(c, 8): 1 for c in children7}
    public, hidden = k_anonymise(cells, k=3, coarsest=6)
    assert [(c.cell, c.count, c.merged) for c in public] == [(parent6, 3, True)]
    assert hidden == 0
    public, hidden = k_anonymise(cells, k=3, coarsest=7)
    assert public == [] and hidden == 3
    assert k_anonymise(cells, k=1, coarsest=6)[0][0].merged is False


def test_day_light_saving_does_not_move_the_window_edges():
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert hour_start(window_hours(Window.WEEK, summer)[1]) == datetime(2026, 7, 2, tzinfo=UTC)
    assert hour_of(summer + timedelta(hours=1)) == hour_of(summer) + 1
