"""The Task model and the one mapping of the notifier's domain refusals to HTTP."""

from datetime import UTC, datetime

import pytest

from kmzb_contracts import DeadlineKind, TaskStatus
from kmzb_notifier.domain import errors
from kmzb_notifier.domain.feed_area import InvalidFeedArea
from kmzb_notifier.domain.model import Task
from kmzb_notifier.entrypoints.errors import as_api_error

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _task() -> Task:
    return Task(
        task_id="t1",
        report_id="r1",
        unit_id="KMP-1261",
        unit_chain=["KGP", "KWP-12", "KMP-1261"],
        category="ZEBRACTWO",
        lat=50.06,
        lon=19.94,
        cell="891e2e6b153ffff",
        status=TaskStatus.WERYFIKACJA,
        created_at=T0,
        status_changed_at=T0,
    )


def test_a_task_survives_the_round_trip_through_its_stored_document():
    task = _task()
    task.set_due(DeadlineKind.VERIFICATION, T0)
    doc = task.to_doc()
    assert doc["status"] == "WERYFIKACJA" and doc["verification_due_at"] == T0
    again = Task.from_doc({"_id": "t1", **doc})
    assert again == task and again.due_at(DeadlineKind.REVIEW) is None


def test_a_document_without_a_status_change_time_uses_its_creation_time():
    doc = _task().to_doc()
    del doc["status_changed_at"]
    assert Task.from_doc(doc).status_changed_at == T0


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (errors.TaskNotFound(), 404, "task_not_found"),
        (errors.RecipientNotFound(), 404, "recipient_not_found"),
        (errors.UnitForbidden(), 403, "forbidden"),
        (errors.RoleForbidden(), 403, "role_forbidden"),
        (errors.StatusChangedMeanwhile(), 409, "status_changed_meanwhile"),
        (errors.InvalidTransition(TaskStatus.NOWE, TaskStatus.POTWIERDZONE), 409, "invalid_transition"),
        (errors.InvalidBeat(["x"]), 422, "invalid_cells"),
    ],
)
def test_every_domain_refusal_has_one_http_error_with_polish_and_english_text(exc, status, code):
    err = as_api_error(exc)
    assert (err.status, err.code) == (status, code)
    assert err.message_pl and err.message_en and err.message_pl != err.message_en


def test_every_kind_of_domain_refusal_is_mapped():
    kinds = set(errors.NotifierError.__subclasses__())
    mapped = set()
    for kind in kinds:
        sample = {
            errors.InvalidTransition: lambda: errors.InvalidTransition(TaskStatus.NOWE, TaskStatus.NOWE),
            errors.InvalidBeat: lambda: errors.InvalidBeat([]),
            errors.InvalidNote: lambda: errors.InvalidNote("note_required", "Wpisz notatkę.", "Write a note."),
            errors.TaskLocked: lambda: errors.TaskLocked(holder="a", holder_name="asp. A", until=datetime.now(UTC)),
            errors.StaleVersion: lambda: errors.StaleVersion(sent=1, current=2),
            errors.PartnerNotFound: lambda: errors.PartnerNotFound("x"),
            errors.UnknownCategories: lambda: errors.UnknownCategories(["X"]),
            InvalidFeedArea: lambda: InvalidFeedArea("invalid_bbox", "Zły obszar.", "Bad area."),
        }.get(kind, kind)()
        assert as_api_error(sample).status in (403, 404, 409, 422, 423)
        mapped.add(kind)
    assert mapped == kinds
