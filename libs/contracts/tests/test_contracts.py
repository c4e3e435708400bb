"""Contracts: golden samples, versioning, the catalogue and the status machine."""

import json
import uuid
from importlib import resources

import pytest

from kmzb_contracts import (
    DecodeError,
    HotspotUpdated,
    ReportMerged,
    ReportRouted,
    ReportSubmitted,
    StatisticRecorded,
    TaskAssigned,
    TaskCreated,
    TaskEscalated,
    TaskStatus,
    TaskStatusChanged,
    ThreatConfirmed,
    TopicNames,
    can_transition,
    decode,
    decode_task_event,
    encode,
    load_catalogue,
)
from kmzb_contracts.statuses import OPEN_STATUSES, STATUS_LABELS_PL

SAMPLES = resources.files("kmzb_contracts") / "samples" / "v1"
TYPES = {
    "ReportSubmitted": ReportSubmitted,
    "ReportRouted": ReportRouted,
    "TaskCreated": TaskCreated,
    "TaskStatusChanged": TaskStatusChanged,
    "HotspotUpdated": HotspotUpdated,
    "ThreatConfirmed": ThreatConfirmed,
    "StatisticRecorded": StatisticRecorded,
    "ReportMerged": ReportMerged,
    "TaskAssigned": TaskAssigned,
    "TaskEscalated": TaskEscalated,
}


def _samples():
    return sorted(p.name for p in SAMPLES.iterdir() if p.name.endswith(".json"))


def test_there_is_a_golden_sample_of_every_event_type():
    names = {n.split(".")[0] for n in _samples()}
    assert names == set(TYPES)


def _contains(big, small) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and _contains(big[k], v) for k, v in small.items())
    return big == small


@pytest.mark.parametrize("name", _samples())
def test_golden_sample_round_trips_keeping_every_field(name):
    """A sample written by any v1 producer decodes, and re-encoding keeps all it said.

    Fields added later (additively) appear with their defaults.
    """
    raw = SAMPLES.joinpath(name).read_text(encoding="utf-8")
    event = decode(raw, TYPES[name.split(".")[0]])
    again = encode(event)
    assert _contains(json.loads(again), json.loads(raw))
    assert decode(again, type(event)) == event
    assert event.schema_version == 1


def test_task_topic_decoder_tells_the_two_task_events_apart():
    created = SAMPLES.joinpath("TaskCreated.json").read_text(encoding="utf-8")
    changed = SAMPLES.joinpath("TaskStatusChanged.json").read_text(encoding="utf-8")
    assert isinstance(decode_task_event(created), TaskCreated)
    assert isinstance(decode_task_event(changed), TaskStatusChanged)
    for name in ("ReportMerged", "TaskAssigned", "TaskEscalated"):
        raw = SAMPLES.joinpath(f"{name}.json").read_text(encoding="utf-8")
        assert type(decode_task_event(raw)) is TYPES[name]


def test_unknown_fields_from_a_newer_additive_change_are_ignored():
    raw = json.loads(SAMPLES.joinpath("ReportSubmitted.json").read_text(encoding="utf-8"))
    raw["added_later"] = {"anything": 1}
    assert decode(json.dumps(raw), ReportSubmitted).category == raw["category"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"schema_version": 99, "event_type": "ReportSubmitted"}', "newer"),
        (b'{"schema_version": 1, "event_type": "ReportSubmitted", "event_id": "x"}', "invalid ReportSubmitted"),
    ],
)
def test_bad_messages_raise_decode_error_with_a_reason(payload, reason):
    with pytest.raises(DecodeError, match=reason):
        decode(payload, ReportSubmitted)


def test_a_routed_event_has_either_a_unit_or_a_reason_never_neither():
    raw = json.loads(SAMPLES.joinpath("ReportRouted.json").read_text(encoding="utf-8"))
    raw["unit_id"] = None
    with pytest.raises(DecodeError, match="exactly one of unit_id and unrouted_reason"):
        decode(json.dumps(raw), ReportRouted)


def test_non_finite_coordinates_are_refused_by_the_contract():
    raw = json.loads(SAMPLES.joinpath("ReportSubmitted.json").read_text(encoding="utf-8"))
    raw["lat"] = float("nan")
    with pytest.raises(DecodeError):
        decode(json.dumps(raw), ReportSubmitted)


def test_partition_keys_are_unit_for_routed_and_tasks_and_cell_for_hotspots():
    routed = decode(SAMPLES.joinpath("ReportRouted.json").read_text(encoding="utf-8"), ReportRouted)
    unrouted = decode(SAMPLES.joinpath("ReportRouted.unrouted.json").read_text(encoding="utf-8"), ReportRouted)
    hotspot = decode(SAMPLES.joinpath("HotspotUpdated.json").read_text(encoding="utf-8"), HotspotUpdated)
    assert routed.key() == b"KMP-1261"
    assert unrouted.key() == b"UNROUTED"
    assert hotspot.key() == hotspot.cell.encode()


def test_catalogue_has_the_27_categories_with_unique_codes_and_polish_names():
    catalogue = load_catalogue()
    codes = [c.code for c in catalogue.categories]
    assert len(codes) == 27 == len(set(codes))
    assert catalogue.get("ZEBRACTWO").name_pl == "Żebractwo"
    assert catalogue.get("WALESAJACE") is None
    assert {c.code for c in catalogue.categories if c.privacy} == {"OSOBA_BEZDOMNA", "GRUPOWANIE_MALOLETNICH"}


def test_retired_categories_stay_readable_but_are_not_active(tmp_path):
    raw = json.loads((resources.files("kmzb_contracts") / "categories.json").read_text(encoding="utf-8"))
    raw["categories"][0]["retired"] = True
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    catalogue = load_catalogue(str(path))
    retired = raw["categories"][0]["code"]
    assert catalogue.get(retired).retired
    assert retired not in {c.code for c in catalogue.active()}


def test_status_machine_follows_the_kmzb_workflow():
    assert can_transition(TaskStatus.NOWE, TaskStatus.WERYFIKACJA)
    assert can_transition(TaskStatus.WERYFIKACJA, TaskStatus.ZART_LUB_POMYLKA)
    assert can_transition(TaskStatus.POTWIERDZONE, TaskStatus.POTWIERDZONE_PRZEKAZANE)
    assert not can_transition(TaskStatus.NOWE, TaskStatus.POTWIERDZONE)
    assert not can_transition(TaskStatus.NIEPOTWIERDZONE, TaskStatus.NOWE)
    assert OPEN_STATUSES == {TaskStatus.NOWE, TaskStatus.WERYFIKACJA, TaskStatus.POTWIERDZONE}
    assert STATUS_LABELS_PL[TaskStatus.ZART_LUB_POMYLKA] == "Żart lub pomyłka"


def test_topic_names_are_distinct_and_versioned():
    names = TopicNames().all()
    assert len(names) == len(set(names))
    assert all(n.endswith(".v1") for n in names)


def test_derived_ids_are_stable_and_distinct_per_kind():
    from kmzb_contracts import derived_event_id

    rid = str(uuid.uuid4())
    assert derived_event_id("TaskCreated", rid) == derived_event_id("TaskCreated", rid)
    assert derived_event_id("TaskCreated", rid) != derived_event_id("ReportRouted", rid)
