"""Recurrences after elimination, emerging hotspots and patrol recommendations."""

from datetime import UTC, datetime, timedelta

import h3

from kmzb_contracts import TimeBand
from kmzb_stats.domain.patrols import (
    Elimination,
    Emerging,
    Sighting,
    emerging_cells,
    find_recurrences,
    recommend_patrols,
    time_band,
)

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
PLACE = h3.latlng_to_cell(50.0614, 19.9366, 9)


def _sighting(rid, *, cell=PLACE, category="SPOZYWANIE_ALKOHOLU", at=T0, bands=(TimeBand.WIECZOR,)):
    return Sighting(rid, category, h3.cell_to_parent(cell, 8), cell, "KMP-1261", at, bands)


ELIMINATED = Elimination("task-1", "SPOZYWANIE_ALKOHOLU", PLACE, "KMP-1261", T0)


def test_the_same_threat_in_the_same_place_or_its_ring_after_elimination_is_recurring():
    neighbour = h3.grid_ring(PLACE, 1)[0]
    far = h3.grid_ring(PLACE, 2)[0]
    later = T0 + timedelta(days=3)
    sightings = [
        _sighting("same-cell", at=later),
        _sighting("ring", cell=neighbour, at=later),
        _sighting("two-rings-away", cell=far, at=later),
        _sighting("other-category", category="ZEBRACTWO", at=later),
        _sighting("before-elimination", at=T0 - timedelta(hours=1)),
    ]
    flags = find_recurrences([ELIMINATED], sightings)
    assert {f.sighting.report_id for f in flags} == {"same-cell", "ring"} and len(flags) == 2
    assert all(f.elimination.task_id == "task-1" for f in flags)


def test_a_recurrence_is_matched_to_the_latest_elimination_before_it():
    second = Elimination("task-2", ELIMINATED.category, PLACE, "KMP-1261", T0 + timedelta(days=5))
    [flag] = find_recurrences([ELIMINATED, second], [_sighting("r", at=T0 + timedelta(days=6))])
    assert flag.elimination.task_id == "task-2"


def test_time_bands_follow_polish_local_time_across_daylight_saving():
    assert time_band(datetime(2026, 1, 10, 5, 30, tzinfo=UTC)) == TimeBand.RANO  # 06:30 CET
    assert time_band(datetime(2026, 7, 10, 3, 30, tzinfo=UTC)) == TimeBand.NOC  # 05:30 CEST
    assert time_band(datetime(2026, 7, 10, 4, 0, tzinfo=UTC)) == TimeBand.RANO  # 06:00 CEST
    assert time_band(datetime(2026, 7, 10, 18, 0, tzinfo=UTC)) == TimeBand.WIECZOR  # 20:00 CEST


def test_a_cell_well_above_its_baseline_weeks_is_emerging_and_a_steady_one_is_not():
    baseline = [{"steady": 6.0, "new": 0.0}, {"steady": 5.0}, {"steady": 7.0}, {"steady": 6.0}]
    found = emerging_cells({"steady": 7.0, "new": 4.0, "tiny": 2.0}, baseline)
    assert [e.cell for e in found] == ["new"]
    assert found[0].baseline_mean == 0 and found[0].score == 4.0


def test_recommendations_rank_recurring_and_significant_cells_with_reasons_and_busiest_bands_first():
    hot = h3.cell_to_parent(PLACE, 8)
    quiet = h3.latlng_to_cell(50.1, 19.9, 8)
    recurring_place = h3.latlng_to_cell(50.03, 19.95, 9)
    later = T0 + timedelta(days=2)
    sightings = [
        _sighting("a", bands=(TimeBand.NOC,)),
        _sighting("b", bands=(TimeBand.NOC, TimeBand.WIECZOR)),
        _sighting("c", bands=(TimeBand.WIECZOR,)),
        _sighting("d", bands=(TimeBand.NOC,)),
        _sighting("r", cell=recurring_place, at=later),
    ]
    recurrence_elimination = Elimination("t9", "SPOZYWANIE_ALKOHOLU", recurring_place, "KMP-1261", T0)
    recs = recommend_patrols(
        counts={hot: 4.0, quiet: 1.0, h3.cell_to_parent(recurring_place, 8): 1.0},
        z_scores={hot: 5.0, quiet: 0.4, h3.cell_to_parent(recurring_place, 8): 1.2},
        hot_levels={hot: 99},
        emerging=[Emerging(hot, 4.0, 0.5, 3.5)],
        recurrences=find_recurrences([recurrence_elimination], sightings),
        sightings=sightings,
    )
    assert [r.cell for r in recs] == [hot, h3.cell_to_parent(recurring_place, 8)]
    top = recs[0]
    assert top.score == 8.5
    assert top.time_bands == (TimeBand.NOC, TimeBand.WIECZOR)
    assert [x.code for x in top.reasons] == ["gi_star_hotspot", "emerging"]
    assert top.reasons[0].message_pl == (
        "Gorący punkt na poziomie ufności 99%: 4 zgłoszenia w ciągu 28 dni, znacznie więcej niż w okolicy."
    )
    assert top.reasons[0].value == 5.0 and "z" not in top.reasons[0].message_en.split()
    assert (
        top.reasons[1].message_pl == "Nowy gorący punkt: 4 zgłoszenia w tym tygodniu, wcześniej średnio 0,5 tygodniowo."
    )
    assert [x.code for x in recs[1].reasons] == ["recurring"]
    assert recs[1].reasons[0].message_pl == (
        "Zagrożenie wróciło po wyeliminowaniu (1 zgłoszenie): same patrole nie wystarczyły."
    )
