"""Pure rules: the national outline, the emergency words, content sniffing, statistic rows."""

from datetime import UTC, datetime, timedelta

import pytest

from kmzb_contracts import StatisticsLayer
from kmzb_intake.domain.attachments import sniff_content_type
from kmzb_intake.domain.emergency import load_detector
from kmzb_intake.domain.outline import load_outline
from kmzb_intake.domain.statistics import RowError, StatisticRow, parse_rows, validate_rows

INSIDE = {
    "Kraków": (50.0614, 19.9366),
    "Hel, the peninsula's tip": (54.6010, 18.8080),
    "Zakopane": (49.2992, 19.9496),
    "Świnoujście": (53.9105, 14.2470),
    "Przemyśl": (49.7838, 22.7678),
    "~1 km west of the Oder border at Słubice": (52.3470, 14.5400),
}
OUTSIDE = {
    "Berlin": (52.5200, 13.4050),
    "Kaliningrad": (54.7104, 20.4522),
    "Prague": (50.0755, 14.4378),
    "Baltic, 20 km off Łeba": (54.95, 17.55),
    "Vilnius": (54.6872, 25.2797),
    "Lviv": (49.8397, 24.0297),
}


@pytest.mark.parametrize("name", INSIDE)
def test_places_in_poland_and_just_over_the_border_are_inside(name):
    lat, lon = INSIDE[name]
    assert load_outline().contains(lat=lat, lon=lon)


@pytest.mark.parametrize("name", OUTSIDE)
def test_places_abroad_and_offshore_are_outside(name):
    lat, lon = OUTSIDE[name]
    assert not load_outline().contains(lat=lat, lon=lon)


@pytest.mark.parametrize(
    "text",
    [
        "Sąsiad grozi nożem!",
        "Ktoś STRZELA na podwórku",
        "pali się dom przy Lipowej",
        "Bójka, leje się krew",
        "chłopaka ktoś pobił",
        "poważny wypadek na skrzyżowaniu",
        "Ludzie biją się pod blokiem",
        "plonie samochod",
    ],
)
def test_descriptions_of_emergencies_in_progress_are_recognised_in_inflected_forms(text):
    assert load_detector().matches(text)


@pytest.mark.parametrize(
    "text", ["Samochody parkują na chodniku", "Rano psy biegają bez smyczy", "Brakuje oświetlenia", None, ""]
)
def test_ordinary_descriptions_are_not_emergencies(text):
    assert not load_detector().matches(text)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftyp3gp5\x00\x00", "video/3gpp"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00", "video/quicktime"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 8, "application/msword"),
        ("Zażółć gęślą jaźń\n".encode(), "text/plain"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"\x00\x00\x00\x18ftypisom", None),
        (b"PK\x03\x04", None),
        (b"text\x00with nul", None),
        (b"\xff\xfe\xfa", None),
        (b"", None),
    ],
)
def test_files_are_recognised_by_their_content(data, kind):
    assert sniff_content_type(data) == kind


NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _validate(data: bytes, fmt: str, layer=StatisticsLayer.POLICE_CRIMES):
    return list(
        validate_rows(
            parse_rows(data, fmt),
            layer=layer,
            source="kwp-12",
            outline=load_outline(),
            now=NOW,
            max_age=timedelta(days=3650),
        )
    )


def test_csv_rows_are_validated_one_by_one_with_reasons():
    data = (
        b"category,occurred_at,lat,lon,unit_id\n"
        b"KRADZIEZ,2026-10-01T10:00:00+02:00,50.06,19.94,KMP-1261\n"
        b"KRADZIEZ,2026-10-01,50.06,19.94,\n"
        b"kradziez!,2026-10-01,50.06,19.94,\n"
        b"KRADZIEZ,2026-10-01,52.52,13.40,\n"
        b"KRADZIEZ,2999-10-01,50.06,19.94,\n"
        b"KRADZIEZ,2026-10-01T10:00:00,50.06,19.94,\n"
        b"KRADZIEZ,2026-10-01,nan,19.94,\n"
        b"KRADZIEZ,2026-10-01,50.06,19.94,<b>\n"
        b"KRADZIEZ,2026-10-01,50.06,19.94,KMP-1261,extra\n"
    )
    out = _validate(data, "csv")
    assert [type(o) for o in out[:2]] == [StatisticRow, StatisticRow]
    assert [(o.row, o.code) for o in out[2:]] == [
        (3, "invalid_category"),
        (4, "outside_poland"),
        (5, "occurred_in_future"),
        (6, "invalid_value"),
        (7, "invalid_value"),
        (8, "invalid_unit"),
        (9, "bad_columns"),
    ]


def test_the_same_file_gives_the_same_record_ids_and_identical_rows_stay_distinct():
    data = b'{"category":"KRADZIEZ","occurred_at":"2026-10-01","lat":50.06,"lon":19.94}\n' * 2
    first, second = _validate(data, "jsonl"), _validate(data, "jsonl")
    assert [r.record_id for r in first] == [r.record_id for r in second]
    assert first[0].record_id != first[1].record_id


def test_jsonl_rows_refuse_operators_unknown_fields_and_bad_survey_values():
    data = (
        b'{"category":{"$gt":""},"occurred_at":"2026-10-01","lat":50.06,"lon":19.94}\n'
        b'{"category":"BEZPIECZNIE","occurred_at":"2026-10-01","lat":50.06,"lon":19.94,"$where":"1"}\n'
        b"[1,2]\n"
        b"{not json\n"
        b'{"category":"BEZPIECZNIE","occurred_at":"2026-10-01","lat":50.06,"lon":19.94,"value":70}\n'
        b'{"category":"BEZPIECZNIE","occurred_at":"2026-10-01","lat":50.06,"lon":19.94,"value":170,"respondents":9}\n'
        b'{"category":"BEZPIECZNIE","occurred_at":"2026-10-01","lat":50.06,"lon":19.94,"value":70,"respondents":9}\n'
    )
    out = _validate(data, "jsonl", StatisticsLayer.SURVEY_SAFETY)
    codes = [o.code if isinstance(o, RowError) else "ok" for o in out]
    assert codes == [
        "invalid_value",
        "unknown_field",
        "malformed_json",
        "malformed_json",
        "missing_respondents",
        "invalid_value",
        "ok",
    ]


def test_survey_results_per_area_may_name_an_h3_cell_instead_of_a_point():
    import h3

    cell = h3.latlng_to_cell(50.06, 19.94, 7)
    data = (
        f'{{"category":"BEZPIECZNIE_NOCA","occurred_at":"2026-10-01","cell":"{cell}","value":64,"respondents":120}}\n'
        '{"category":"BEZPIECZNIE_NOCA","occurred_at":"2026-10-01","cell":"zzz","value":64,"respondents":120}\n'
    ).encode()
    ok, bad = _validate(data, "jsonl", StatisticsLayer.SURVEY_SAFETY)
    assert isinstance(ok, StatisticRow) and h3.latlng_to_cell(ok.lat, ok.lon, 7) == cell
    assert bad.code == "invalid_cell"
