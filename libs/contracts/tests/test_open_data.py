"""The open-data filters: periods and areas, each bad one refused with its reason."""

from datetime import UTC, datetime, timedelta

import pytest

from kmzb_contracts.open_data import open_data_headers, parse_bbox, parse_period

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_the_period_defaults_to_the_last_28_days_and_dates_are_utc():
    """No dates: the 28 days before now; a bare date is midnight UTC."""
    assert parse_period(None, None, now=NOW) == (NOW - timedelta(days=28), NOW)
    start, end = parse_period("2026-11-01", "2026-11-02", now=NOW)
    assert start == datetime(2026, 11, 1, tzinfo=UTC) and end - start == timedelta(days=1)


@pytest.mark.parametrize(
    ("since", "until", "reason"),
    [
        ("yesterday", None, "ISO 8601"),
        ("2026-11-02", "2026-11-01", "before"),
        ("2024-01-01", "2026-01-01", "366 days"),
        (None, "0001-01-01", "too early"),
    ],
)
def test_a_bad_period_says_why(since, until, reason):
    """Unreadable, reversed, too long or out of range: a ValueError naming the reason."""
    with pytest.raises(ValueError, match=reason):
        parse_period(since, until, now=NOW)


def test_a_bbox_is_four_ordered_numbers_within_the_coordinate_range():
    """A good bbox parses; too few numbers, reversed corners, NaN or out-of-range values do not."""
    assert parse_bbox("19.9,50.0,20.1,50.1") == (19.9, 50.0, 20.1, 50.1)
    assert parse_bbox(None) is None
    for raw in ("1,2,3", "20,50,19,51", "nan,1,2,3", "0,0,200,1", "a,b,c,d"):
        with pytest.raises(ValueError):
            parse_bbox(raw)


def test_the_headers_name_the_licence_and_the_k_rule():
    """CC BY 4.0 as an id and a license link; the k rule only where cells are suppressed."""
    headers = open_data_headers(k_anonymity=3)
    assert headers["X-KMZB-Licence"] == "CC-BY-4.0" and 'rel="license"' in headers["Link"]
    assert "fewer than 3" in headers["X-KMZB-K-Anonymity"]
    assert "X-KMZB-K-Anonymity" not in open_data_headers(k_anonymity=None)
