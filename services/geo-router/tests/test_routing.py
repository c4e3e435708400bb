"""Geo-router domain: cells, owning units and the border rule on the placeholder table."""

import uuid
from datetime import UTC, datetime

import h3
import pytest

from kmzb_contracts import Channel, ReportSubmitted, UnroutedReason
from kmzb_geo_router.domain.jurisdiction import INDEX_RESOLUTION, CellResolutions, load_jurisdiction
from kmzb_geo_router.domain.routing import route_report


@pytest.fixture(scope="module")
def jurisdiction():
    return load_jurisdiction()


@pytest.mark.parametrize(
    ("lat", "lon", "chain"),
    [
        (50.0614, 19.9366, ["KGP", "KWP-12", "KMP-1261"]),  # Kraków, Rynek Główny
        (54.3520, 18.6466, ["KGP", "KWP-22", "KMP-2261"]),  # Gdańsk
        (52.2318, 21.0060, ["KGP", "KSP", "KRP-I"]),  # Warsaw, Palace of Culture
        (52.3000, 21.2000, ["KGP", "KSP"]),  # outside the KRP placeholder, near Warsaw
        (49.2992, 19.9496, ["KGP", "KWP-12"]),  # Zakopane, Małopolska outside any city
    ],
)
def test_points_go_to_the_expected_unit_chain(jurisdiction, lat, lon, chain):
    decision = jurisdiction.route(lat=lat, lon=lon)
    assert [u.unit_id for u in decision.chain] == chain
    assert decision.unit_id == chain[-1]


def test_berlin_is_explicitly_unrouted(jurisdiction):
    decision = jurisdiction.route(lat=52.52, lon=13.40)
    assert decision.unit_id is None
    assert decision.unrouted_reason is UnroutedReason.OUTSIDE_JURISDICTION


def test_every_point_of_one_index_cell_goes_to_the_same_unit(jurisdiction):
    # A cell on the edge of Kraków's area: its vertices and centre must agree.
    cell = h3.latlng_to_cell(50.0614, 19.9366 + 0.13, INDEX_RESOLUTION)
    points = [h3.cell_to_latlng(cell)] + [
        ((3 * lat + h3.cell_to_latlng(cell)[0]) / 4, (3 * lng + h3.cell_to_latlng(cell)[1]) / 4)
        for lat, lng in h3.cell_to_boundary(cell)
    ]
    owners = {jurisdiction.route(lat=lat, lon=lon).unit_id for lat, lon in points}
    assert len(owners) == 1


def test_routed_event_ids_are_derived_from_the_report_so_redelivery_repeats_them(jurisdiction):
    report = ReportSubmitted(
        event_id=uuid.uuid4(),
        report_id=uuid.uuid4(),
        category="ZEBRACTWO",
        lat=50.0614,
        lon=19.9366,
        channel=Channel.WEB,
        submitted_at=datetime.now(UTC),
    )
    now = datetime.now(UTC)
    first = route_report(report, jurisdiction=jurisdiction, resolutions=CellResolutions(), now=now)
    second = route_report(report, jurisdiction=jurisdiction, resolutions=CellResolutions(), now=now)
    assert first.event_id == second.event_id
    assert first.unit_id == "KMP-1261"
    assert h3.get_resolution(first.cells.dedup) == 9
    assert h3.get_resolution(first.cells.hotspot) == 8
    assert h3.cell_to_parent(first.cells.dedup, 8) == first.cells.hotspot
