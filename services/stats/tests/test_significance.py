"""Benjamini–Hochberg adjusted p-values, hot and cold classes, and Polish plural forms and numbers."""

import numpy as np

from kmzb_stats.domain.significance import Significance, benjamini_hochberg, classify
from kmzb_stats.domain.text import number_pl, plural_pl


def test_benjamini_hochberg_matches_a_case_computed_by_hand() -> None:
    """Five p-values: q_(i) = min over j >= i of p_(j) * 5 / j, returned in the input order."""
    p = np.array([0.04, 0.001, 0.03, 0.5, 0.012])
    # sorted: 0.001, 0.012, 0.03, 0.04, 0.5 -> *5/rank: 0.005, 0.03, 0.05, 0.05, 0.5 (already monotone)
    expected = np.array([0.05, 0.005, 0.05, 0.5, 0.03])
    np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=0, atol=1e-15)


def test_a_later_smaller_scaled_value_lowers_the_earlier_q_values() -> None:
    """p = (0.01, 0.02, 0.025): scaled 0.03, 0.03, 0.025, so the running minimum from the top gives 0.025 to all."""
    np.testing.assert_allclose(benjamini_hochberg(np.array([0.02, 0.01, 0.025])), [0.025, 0.025, 0.025], atol=1e-15)


def test_classes_follow_the_sign_of_z_and_the_strictest_level_reached() -> None:
    """q 0.004 is 99 %, 0.04 is 95 %, 0.09 is 90 %, 0.2 is not significant; negative z makes cold spots."""
    z = np.array([5.0, 2.5, 1.8, 0.5, -3.0, -2.2])
    q = np.array([0.004, 0.04, 0.09, 0.2, 0.004, 0.04])
    assert classify(z, q) == [
        Significance.HOT_99,
        Significance.HOT_95,
        Significance.HOT_90,
        Significance.NOT_SIGNIFICANT,
        Significance.COLD_99,
        Significance.COLD_95,
    ]


def test_polish_plurals_and_numbers_follow_the_pl_rules() -> None:
    """1 zgłoszenie, 2–4 zgłoszenia (not 12–14), else zgłoszeń; decimal comma, grouping from 10 000."""
    forms = [plural_pl(n, "zgłoszenie", "zgłoszenia", "zgłoszeń") for n in (1, 2, 4, 5, 12, 22, 25, 104, 0)]
    assert forms == [
        "zgłoszenie",
        "zgłoszenia",
        "zgłoszenia",
        "zgłoszeń",
        "zgłoszeń",
        "zgłoszenia",
        "zgłoszeń",
        "zgłoszenia",
        "zgłoszeń",
    ]
    assert number_pl(1.5, 1) == "1,5" and number_pl(9999) == "9999" and number_pl(12345.6, 1) == "12\u00a0345,6"
