"""Bounded metric labels and the tasks topic's other event types."""

from kmzb_stats.entrypoints.agents import _other_task_event, category_label, voivodeship_label


def test_voivodeship_labels_are_the_17_commands_or_none():
    assert voivodeship_label(["KGP", "KWP-12", "KMP-1261"]) == "KWP-12"
    assert voivodeship_label(["KGP", "KSP", "KRP-I"]) == "KSP"
    assert voivodeship_label(["KGP", "KWP-XYZ", "X"]) == "none"
    assert voivodeship_label([]) == "none"


def test_categories_outside_the_catalogue_share_one_label():
    assert category_label("ZEBRACTWO") == "ZEBRACTWO"
    assert category_label("anything-a-client-sends") == "other"


def test_a_valid_event_of_another_type_is_skipped_but_garbage_is_a_dead_letter():
    assert _other_task_event(b'{"event_type": "TaskAssigned", "task_id": "x"}') is True
    assert _other_task_event(b'{"event_type": "TaskCreated"}') is False
    assert _other_task_event(b"{not json") is False
    assert _other_task_event(b'["TaskAssigned"]') is False
    assert _other_task_event(b'{"event_type": ""}') is False
