"""A cell's entry counts each input once, with its guard and its counts in one value."""

from datetime import UTC, datetime, timedelta

import h3

from kmzb_contracts import TimeBand
from kmzb_stats.domain.cells import CellEntry
from kmzb_stats.domain.counts import Bucket, Layer, bucket_key
from kmzb_stats.domain.patrols import Sighting
from kmzb_stats.domain.windows import hour_of

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
HOUR = hour_of(NOW)
CELL = h3.latlng_to_cell(50.0614, 19.9366, 8)
CHAIN = ["KGP", "KWP-12", "KMP-1261"]
RETENTION = 8 * 7 * 24


def _sighting(report_id: str, category: str = "ZEBRACTWO", at: datetime = NOW) -> Sighting:
    return Sighting(
        report_id=report_id,
        category=category,
        hotspot_cell=CELL,
        dedup_cell=h3.latlng_to_cell(50.0614, 19.9366, 9),
        unit_id="KMP-1261",
        at=at,
        bands=(TimeBand.DZIEN,),
    )


def _report(entry: CellEntry, report_id: str, category: str = "ZEBRACTWO", hour: int = HOUR):
    bucket = Bucket(Layer.REPORTS, category, "KMP-1261", hour)
    return entry.count(
        bucket,
        1.0,
        CHAIN,
        counted_id=f"r:{report_id}",
        now_hour=HOUR,
        retention_hours=RETENTION,
        sighting=_sighting(report_id, category),
    )


def test_reports_count_into_the_hour_bucket_and_the_all_time_totals_per_category():
    first = _report(CellEntry(), "a")
    second = _report(first.entry, "b")
    third = _report(second.entry, "c", category="UTONIECIA")
    entry = third.entry
    assert entry.totals == {"ZEBRACTWO": 2, "UTONIECIA": 1}
    assert entry.buckets[bucket_key(Bucket(Layer.REPORTS, "ZEBRACTWO", "KMP-1261", HOUR))] == 2
    assert third.changed_totals == {"UTONIECIA": 1}
    assert first.entry.totals == {"ZEBRACTWO": 1}, "an entry is never changed in place"


def test_a_redelivered_report_is_not_counted_again():
    entry = _report(CellEntry(), "a").entry
    assert _report(entry, "a") is None
    assert entry.totals == {"ZEBRACTWO": 1}


def test_the_guard_and_the_counts_survive_the_table_value_together():
    """After a round trip through the stream table's value, the same report is still a redelivery."""
    entry = _report(CellEntry(), "a").entry
    restored = CellEntry.from_value(entry.to_value())
    assert restored == entry
    assert _report(restored, "a") is None
    assert _report(restored, "b").entry.totals == {"ZEBRACTWO": 2}


def test_statistics_fill_buckets_but_not_the_residents_totals():
    bucket = Bucket(Layer.POLICE_CRIMES, "kradziez", "KMP-1261", HOUR)
    counted = CellEntry().count(
        bucket, 4.0, ["KMP-1261"], counted_id="s:rec-1", now_hour=HOUR, retention_hours=RETENTION
    )
    assert counted.entry.totals == {}
    assert counted.changed_buckets == {bucket_key(bucket): 4.0}


def test_old_buckets_ids_and_sightings_leave_with_the_retention_but_totals_stay():
    old_hour = HOUR - RETENTION - 1
    old = (
        CellEntry()
        .count(
            Bucket(Layer.REPORTS, "ZEBRACTWO", "KMP-1261", old_hour),
            1.0,
            CHAIN,
            counted_id="r:old",
            now_hour=old_hour,
            retention_hours=RETENTION,
            sighting=_sighting("old", at=NOW - timedelta(hours=RETENTION + 1)),
        )
        .entry
    )
    entry = _report(old, "new").entry
    assert "r:old" not in entry.counted and "old" not in entry.sightings
    assert all(int(k.rsplit("|", 1)[1]) >= HOUR - RETENTION for k in entry.buckets)
    assert entry.totals == {"ZEBRACTWO": 2}


def test_a_statistics_record_never_shortens_a_chain_learnt_from_a_report():
    entry = _report(CellEntry(), "a").entry
    counted = entry.count(
        Bucket(Layer.POLICE_CRIMES, "kradziez", "KMP-1261", HOUR),
        1.0,
        ["KMP-1261"],
        counted_id="s:rec-1",
        now_hour=HOUR,
        retention_hours=RETENTION,
    )
    assert counted.entry.chains["KMP-1261"] == tuple(CHAIN)


def test_a_longer_chain_rewrites_every_bucket_of_the_unit():
    short = (
        CellEntry()
        .count(
            Bucket(Layer.POLICE_CRIMES, "kradziez", "KMP-1261", HOUR - 1),
            1.0,
            ["KMP-1261"],
            counted_id="s:rec-1",
            now_hour=HOUR,
            retention_hours=RETENTION,
        )
        .entry
    )
    counted = _report(short, "a")
    assert len(counted.changed_buckets) == 2
    assert counted.entry.chains["KMP-1261"] == tuple(CHAIN)


def test_kept_sightings_come_back_with_their_unit_chain():
    entry = _report(_report(CellEntry(), "a").entry, "b").entry
    listed = sorted(CellEntry.from_value(entry.to_value()).sighting_list(CELL), key=lambda s: s[0].report_id)
    assert [s.report_id for s, _ in listed] == ["a", "b"]
    sighting, units = listed[0]
    assert sighting == _sighting("a") and units == tuple(CHAIN)
