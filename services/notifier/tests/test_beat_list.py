"""A community officer's beat first: the tasks in their beat, the beat itself, and the whole unit beside it."""

import asyncio

import h3
import pytest

from kmzb_notifier.settings import NotifierSettings

from .conftest import Harness

INSIDE = (50.0210, 20.0290)  # Bieżanów
# H3 is nested by parent, not by area: a beat covers the tasks whose r9 cell has a beat cell as parent.
BEAT = h3.cell_to_parent(h3.latlng_to_cell(*INSIDE, 9), 7)
OUTSIDE = (50.0800, 19.8900)  # Bronowice, in the same unit


def _open(h: Harness, routed, lat: float, lon: float) -> str:
    r = routed(lat=lat, lon=lon)
    asyncio.run(h.notifier.reports.handle_routed(r))
    return str(h.db["tasks"].find_one({"report_id": str(r.report.report_id)})["task_id"])


def test_the_officers_beat_lists_only_its_tasks_and_the_unit_lists_them_all(routed):
    """A beat set at start-up (an r7 cell) covers the r9 cells of tasks inside it; beat=mine keeps just those."""
    cell = BEAT
    h = Harness(beats=[{"officer_id": "dzielnicowy.krakow", "unit_id": "KMP-1261", "cells": [cell]}])
    inside, outside = _open(h, routed, *INSIDE), _open(h, routed, *OUTSIDE)
    anna = h.login("dzielnicowy.krakow")
    beat = h.http.get("/api/v1/me/beat", headers=anna).json()
    assert beat == {"officer_id": "dzielnicowy.krakow", "unit_id": "KMP-1261", "cells": [cell]}
    mine = h.http.get("/api/v1/units/KMP-1261/tasks?subtree=true&beat=mine", headers=anna).json()
    assert [t["task_id"] for t in mine["tasks"]] == [inside] and mine["total"] == 1
    station = h.http.get("/api/v1/units/KMP-1261/tasks?subtree=true", headers=anna).json()
    assert {inside, outside} <= {t["task_id"] for t in station["tasks"]}
    # The new task in the beat went to its officer, as beats always did.
    assert h.http.get(f"/api/v1/tasks/{inside}", headers=anna).json()["assignee"] == "dzielnicowy.krakow"


def test_an_officer_without_a_beat_is_told_so_with_404(harness):
    """No beat: /me/beat and beat=mine answer 404 beat_not_found with a Polish reason."""
    auth = harness.login("koordynator.krakow")
    for path in ("/api/v1/me/beat", "/api/v1/units/KMP-1261/tasks?beat=mine"):
        resp = harness.http.get(path, headers=auth)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "beat_not_found"
        assert "rejonu" in resp.json()["error"]["message"]
    assert harness.http.get("/api/v1/units/KMP-1261/tasks?beat=theirs", headers=auth).status_code == 422


def test_a_configured_beat_never_undoes_a_coordinators_change(make_harness):
    """Beats from settings are seeded once: a restart with the same settings keeps the beat set through the API."""
    settings = {"beats": [{"officer_id": "dzielnicowy.krakow", "unit_id": "KMP-1261", "cells": [BEAT]}]}
    first = make_harness(**settings)
    other = [h3.latlng_to_cell(*OUTSIDE, 8)]
    put = first.http.put(
        "/api/v1/units/KMP-1261/beats/dzielnicowy.krakow",
        json={"cells": other},
        headers=first.login("koordynator.krakow"),
    )
    assert put.status_code == 204
    again = make_harness(first.db, **settings)
    assert again.http.get("/api/v1/me/beat", headers=again.login("dzielnicowy.krakow")).json()["cells"] == other


def test_a_configured_beat_of_cells_that_are_not_h3_is_refused_at_start_up():
    """A typo in KMZB_NOTIFIER_BEATS stops the service with the bad cells named, not a beat that covers nothing."""
    with pytest.raises(ValueError, match="not H3 cells"):
        NotifierSettings(beats=[{"officer_id": "a", "unit_id": "KMP-1261", "cells": ["nie-komorka"]}])
