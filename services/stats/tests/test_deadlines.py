"""Deadline accountability of a scripted scenario (tasks reviewed on time, late and never), and its API."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import mongomock
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kmzb_common.http import install_common_routes
from kmzb_contracts import TaskCreated, TaskStatus, TaskStatusChanged
from kmzb_stats.adapters.deadline_store import InMemoryDeadlineStore, MongoDeadlineStore
from kmzb_stats.adapters.geodata import StaticGeodata
from kmzb_stats.bootstrap import build_accountability
from kmzb_stats.domain.deadlines import Deadlines, Period, TaskTimeline, apply_event, compliance
from kmzb_stats.entrypoints.deadlines_api import build_deadlines_router
from kmzb_stats.settings import StatsSettings

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
CHAIN_A = ("KGP", "KWP-12", "KMP-1261")
CHAIN_B = ("KGP", "KWP-12", "KPP-1219")


def _created(task_id, *, at, chain=CHAIN_A):
    return TaskCreated(
        event_id=uuid.uuid4(),
        task_id=task_id,
        report_id=uuid.uuid4(),
        unit_id=chain[-1],
        category="NIEPRAWIDLOWE_PARKOWANIE",
        lat=50.06,
        lon=19.94,
        cell="891e2e6b14bffff",
        created_at=at,
        unit_chain=chain,
    )


def _changed(task_id, *, at, to, frm, unit="KMP-1261"):
    return TaskStatusChanged(
        event_id=uuid.uuid4(),
        task_id=task_id,
        unit_id=unit,
        from_status=frm,
        to_status=to,
        changed_by="officer",
        changed_at=at,
    )


def _fold(events):
    timelines: dict[str, TaskTimeline] = {}
    for e in events:
        key = str(e.task_id)
        after = apply_event(timelines.get(key), e)
        if after is not None:
            timelines[key] = after
    return timelines


def _scenario():
    """Four tasks of KMP Kraków and one of KPP Wieliczka, posted 10 days ago."""
    posted = NOW - 10 * DAY
    on_time, late, never, open_new = (uuid.uuid4() for _ in range(4))
    wieliczka = uuid.uuid4()
    events = [
        _created(on_time, at=posted),
        _changed(on_time, at=posted + 1 * DAY, frm=TaskStatus.NOWE, to=TaskStatus.WERYFIKACJA),
        _changed(on_time, at=posted + 2 * DAY, frm=TaskStatus.WERYFIKACJA, to=TaskStatus.NIEPOTWIERDZONE),
        _created(late, at=posted),
        _changed(late, at=posted + 4 * DAY, frm=TaskStatus.NOWE, to=TaskStatus.WERYFIKACJA),
        _changed(late, at=posted + 6 * DAY, frm=TaskStatus.WERYFIKACJA, to=TaskStatus.POTWIERDZONE),
        _changed(late, at=posted + 8 * DAY, frm=TaskStatus.POTWIERDZONE, to=TaskStatus.POTWIERDZONE_WYELIMINOWANE),
        _created(never, at=posted),
        # Posted an hour ago: neither deadline has passed, so it is not judged yet.
        _created(open_new, at=NOW - timedelta(hours=1)),
        _created(wieliczka, at=posted, chain=CHAIN_B),
        _changed(wieliczka, at=posted + 2 * DAY, frm=TaskStatus.NOWE, to=TaskStatus.WERYFIKACJA, unit="KPP-1219"),
    ]
    return events


def test_shares_medians_and_overdue_tasks_of_a_scripted_scenario_are_exact():
    """Reviewed on time 1 of 3 judged (the fresh task waits), verified on time 1 of 3, medians of what got there."""
    figures = compliance(_fold(_scenario()).values(), now=NOW, period=Period.FOUR_WEEKS, deadlines=Deadlines())
    krakow = figures["KMP-1261"]
    assert krakow.tasks == 4
    assert (krakow.reviewed_on_time, krakow.review_judged) == (1, 3)
    assert krakow.reviewed_on_time_share == 1 / 3
    assert (krakow.verified_on_time, krakow.verification_judged) == (1, 3)
    # Reviews after 1 and 4 days; closings after 2 and 8 days.
    assert krakow.median_review_s == 2.5 * 86400
    assert krakow.median_close_s == 5 * 86400
    # "never" is open past both deadlines; "late" is closed; the fresh task is within its deadlines.
    assert krakow.open_overdue == 1


def test_figures_roll_up_the_unit_chain_to_the_voivodeship_and_the_country():
    """KWP-12 and KGP hold the tasks of both KMP Kraków and KPP Wieliczka; Wieliczka alone its own."""
    figures = compliance(_fold(_scenario()).values(), now=NOW, period=Period.FOUR_WEEKS, deadlines=Deadlines())
    wieliczka = figures["KPP-1219"]
    assert (wieliczka.tasks, wieliczka.reviewed_on_time, wieliczka.review_judged) == (1, 1, 1)
    # Unverified 10 days after posting and still open: overdue, and judged late for verification.
    assert (wieliczka.verified_on_time, wieliczka.verification_judged, wieliczka.open_overdue) == (0, 1, 1)
    for unit in ("KWP-12", "KGP"):
        assert figures[unit].tasks == 5
        assert (figures[unit].reviewed_on_time, figures[unit].review_judged) == (2, 4)
        assert figures[unit].median_review_s == 2 * 86400  # 1, 2 and 4 days
        assert figures[unit].open_overdue == 2


def test_a_redelivered_event_changes_nothing_and_out_of_order_events_give_the_same_timeline():
    """Applying an event id twice is a no-op; a later status seen first keeps the earliest review."""
    events = _scenario()
    once = _fold(events)
    assert _fold(events + events) == once
    timeline = once[str(events[3].task_id)]
    assert apply_event(timeline, events[4]) is None
    reordered = [events[3], events[6], events[5], events[4]]
    assert _fold(reordered)[str(events[3].task_id)].reviewed_at == timeline.reviewed_at


def test_a_status_change_of_a_task_never_seen_created_is_ignored():
    """Without its creation there is no posting time to measure from."""
    change = _changed(uuid.uuid4(), at=NOW, frm=TaskStatus.NOWE, to=TaskStatus.WERYFIKACJA)
    assert apply_event(None, change) is None


def test_the_periods_count_tasks_posted_in_the_last_28_days_or_12_months():
    """A task posted 100 days ago is in the 12-month figures only."""
    old = _created(uuid.uuid4(), at=NOW - 100 * DAY)
    timelines = _fold([old]).values()
    assert "KMP-1261" not in compliance(timelines, now=NOW, period=Period.FOUR_WEEKS, deadlines=Deadlines())
    year = compliance(timelines, now=NOW, period=Period.YEAR, deadlines=Deadlines())
    assert year["KMP-1261"].tasks == 1 and year["KMP-1261"].reviewed_on_time_share == 0.0


def test_a_timeline_survives_its_table_value_unchanged():
    """The table value (JSON) gives back the same timeline."""
    for timeline in _fold(_scenario()).values():
        assert TaskTimeline.from_value(timeline.to_value()) == timeline


NAMES = {"KGP": "Komenda Główna Policji", "KWP-12": "KWP w Krakowie", "KMP-1261": "KMP w Krakowie"}


@pytest.fixture(params=["memory", "mongo"])
def client(request):
    store = (
        InMemoryDeadlineStore()
        if request.param == "memory"
        else MongoDeadlineStore(mongomock.MongoClient(tz_aware=True)["kmzb"])
    )
    store.put(_fold(_scenario()).values())
    accountability = build_accountability(
        store, StatsSettings(), geodata=StaticGeodata(unit_names=NAMES), clock=lambda: NOW
    )
    app = FastAPI()
    install_common_routes(app, checks={})
    app.include_router(build_deadlines_router(accountability))
    return TestClient(app)


def test_the_json_lists_units_in_hierarchy_order_with_the_scenarios_shares(client):
    """KGP, then KWP-12, then its KMP and KPP; Kraków reviewed 1 of 3 on time; an explanation per figure."""
    body = client.get("/api/v1/deadlines", params={"period": "28d"}).json()
    assert [(u["unit_id"], u["level"]) for u in body["units"]] == [
        ("KGP", 0),
        ("KWP-12", 1),
        ("KMP-1261", 2),
        ("KPP-1219", 2),
    ]
    krakow = body["units"][2]
    assert krakow["name_pl"] == "KMP w Krakowie" and krakow["parent_id"] == "KWP-12"
    assert krakow["reviewed_on_time_share"] == round(1 / 3, 4) and krakow["open_overdue"] == 1
    assert krakow["median_review_hours"] == 60.0 and krakow["median_close_hours"] == 120.0
    assert body["deadlines"] == {"review_days": 3.0, "verification_days": 5.0}
    assert "3 dni" in body["explanations"]["reviewed_on_time_share"]["pl"]


def test_a_unit_filter_gives_the_unit_and_the_units_below_it(client):
    """KWP-12 as the root: its own row first, then its two units, with no national row."""
    body = client.get("/api/v1/deadlines", params={"unit_id": "KWP-12"}).json()
    assert [u["unit_id"] for u in body["units"]] == ["KWP-12", "KMP-1261", "KPP-1219"]
    assert body["units"][0]["level"] == 0


def test_the_csv_parses_with_the_same_figures_by_both_addresses(client):
    """?format=csv and /deadlines.csv give the same rows, a header first, empty cells for unknown figures."""
    one = client.get("/api/v1/deadlines", params={"format": "csv", "period": "12m"})
    two = client.get("/api/v1/deadlines.csv", params={"period": "12m"})
    assert one.headers["content-type"].startswith("text/csv") and one.text == two.text
    rows = list(csv.DictReader(io.StringIO(one.text)))
    by_unit = {r["unit_id"]: r for r in rows}
    assert by_unit["KMP-1261"]["tasks"] == "4" and by_unit["KMP-1261"]["reviewed_on_time"] == "1"
    assert by_unit["KPP-1219"]["median_close_hours"] == ""


def test_bad_parameters_are_400s_with_a_reason(client):
    """An unknown period, format or malformed unit id is refused, never a 500."""
    for params in ({"period": "7d"}, {"format": "xml"}, {"unit_id": "kmp 1261"}):
        answer = client.get("/api/v1/deadlines", params=params)
        assert answer.status_code in (400, 422) and answer.json()
