"""Two officers, one task: the edit lock rule, its store, and what the API answers while it holds."""

import asyncio
from datetime import timedelta

import pytest

from kmzb_notifier.adapters.locks import InMemoryLockStore
from kmzb_notifier.domain.errors import RoleForbidden, TaskLocked
from kmzb_notifier.domain.locks import LOCK_TTL, claim, require_free

from .conftest import T0, FakeClock, Harness


def _claim(current, who: str, now, **kwargs):
    return claim(current, task_id="t", officer_id=who, officer_name=f"asp. {who}", now=now, **kwargs)


def test_a_free_task_is_locked_for_five_minutes_and_the_holder_refreshes_it():
    """The first officer holds the lock until five minutes later; asking again moves the end, not the start."""
    lock = _claim(None, "anna", T0)
    assert (lock.holder, lock.acquired_at, lock.expires_at) == ("anna", T0, T0 + timedelta(minutes=5))
    later = T0 + timedelta(minutes=4)
    refreshed = _claim(lock, "anna", later)
    assert (refreshed.acquired_at, refreshed.expires_at, refreshed.rev) == (T0, later + LOCK_TTL, lock.rev + 1)


def test_another_officer_is_refused_with_who_holds_the_lock_and_until_when():
    """While Anna edits, Piotr's claim and changes are refused naming Anna and the lock's end."""
    lock = _claim(None, "anna", T0)
    with pytest.raises(TaskLocked) as refused:
        _claim(lock, "piotr", T0 + timedelta(minutes=1))
    assert (refused.value.holder, refused.value.holder_name, refused.value.until) == (
        "anna",
        "asp. anna",
        lock.expires_at,
    )
    with pytest.raises(TaskLocked):
        require_free(lock, officer_id="piotr", now=T0 + timedelta(minutes=4, seconds=59))
    require_free(lock, officer_id="anna", now=T0 + timedelta(minutes=1))


def test_a_lock_nobody_refreshed_expires_after_five_minutes():
    """At five minutes the lock no longer holds: anyone may change the task or take the lock."""
    lock = _claim(None, "anna", T0)
    at_end = T0 + LOCK_TTL
    require_free(lock, officer_id="piotr", now=at_end)
    taken = _claim(lock, "piotr", at_end)
    assert taken.holder == "piotr" and taken.taken_over_from is None


def test_only_someone_allowed_to_may_take_a_held_lock_over():
    """A takeover by a coordinator names whom it was taken from; by anyone else it is RoleForbidden."""
    lock = _claim(None, "anna", T0)
    with pytest.raises(RoleForbidden):
        _claim(lock, "tomasz", T0, take_over=True, may_take_over=False)
    taken = _claim(lock, "piotr", T0, take_over=True, may_take_over=True)
    assert (taken.holder, taken.taken_over_from, taken.expires_at) == ("piotr", "anna", T0 + LOCK_TTL)


def test_the_in_memory_store_swaps_a_lock_only_when_nobody_wrote_in_between():
    """Two officers who both saw a free task: the second write loses, so only one holds the lock."""
    store = InMemoryLockStore()
    anna, piotr = _claim(None, "anna", T0), _claim(None, "piotr", T0)
    assert asyncio.run(store.swap(anna, expected=None)) is True
    assert asyncio.run(store.swap(piotr, expected=None)) is False
    assert asyncio.run(store.swap(_claim(anna, "anna", T0), expected=anna)) is True
    assert asyncio.run(store.swap(_claim(anna, "anna", T0), expected=anna)) is False  # anna's old revision
    assert asyncio.run(store.delete("t", holder="piotr")) is False
    assert asyncio.run(store.delete("t", holder="anna")) is True


def _task(h: Harness, routed) -> str:
    r = routed()
    asyncio.run(h.notifier.reports.handle_routed(r))
    return str(h.db["tasks"].find_one({"report_id": str(r.report.report_id)})["task_id"])


@pytest.fixture(params=["mongo", "memory"])
def locked(request, routed):
    """A Kraków task that dzielnicowy.krakow (asp. Anna Nowak) has opened, over either lock store."""
    h = Harness(clock=FakeClock(), locks=InMemoryLockStore() if request.param == "memory" else None)
    task_id = _task(h, routed)
    anna = h.login("dzielnicowy.krakow")
    resp = h.http.put(f"/api/v1/tasks/{task_id}/lock", headers=anna)
    assert resp.status_code == 200, resp.text
    return h, task_id, anna


def test_a_change_while_another_officer_edits_is_423_with_the_holder(locked):
    """The coordinator's status change and assignment answer 423 naming asp. Anna Nowak and the lock's end."""
    h, task_id, _ = locked
    coordinator = h.login("koordynator.krakow")
    for path, body in (("status", {"status": "WERYFIKACJA"}), ("assignee", {"officer_id": "koordynator.krakow"})):
        resp = h.http.post(f"/api/v1/tasks/{task_id}/{path}", json=body, headers=coordinator)
        assert resp.status_code == 423, resp.text
        error = resp.json()["error"]
        assert error["code"] == "task_locked" and "asp. Anna Nowak" in error["message"]
        assert "(do 09:05)" in error["message"]  # 08:00 UTC is 09:00 in Warsaw in November
        assert error["details"][0]["holder"] == "dzielnicowy.krakow"
        assert error["details"][0]["until"].startswith("2026-11-26T08:05:00")
    english = h.http.post(
        f"/api/v1/tasks/{task_id}/status",
        json={"status": "WERYFIKACJA"},
        headers={**coordinator, "accept-language": "en"},
    )
    assert "asp. Anna Nowak is editing this task (until 09:05)" in english.json()["error"]["message"]
    view = h.http.get(f"/api/v1/tasks/{task_id}/view", headers=coordinator).json()
    assert view["status"] == "NOWE" and view["lock"]["holder_name"] == "asp. Anna Nowak"
    assert view["lock"]["mine"] is False and view["lock"]["can_take_over"] is True


def test_notes_stay_open_to_colleagues_while_the_lock_holds(locked):
    """An internal note only adds to the record, so a colleague may add one during the edit."""
    h, task_id, _ = locked
    resp = h.http.post(
        f"/api/v1/tasks/{task_id}/notes", json={"note": "Byłem tam wczoraj."}, headers=h.login("koordynator.krakow")
    )
    assert resp.status_code == 201


def test_the_holders_save_releases_the_lock_and_an_unrefreshed_lock_lapses(locked):
    """Anna's status change frees the task at once; a lock she stops refreshing is gone after five minutes."""
    h, task_id, anna = locked
    assert (
        h.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": "WERYFIKACJA"}, headers=anna).status_code == 200
    )
    assert h.http.get(f"/api/v1/tasks/{task_id}/lock", headers=anna).json() is None
    coordinator = h.login("koordynator.krakow")
    assert h.http.put(f"/api/v1/tasks/{task_id}/lock", headers=coordinator).status_code == 200
    assert h.http.put(f"/api/v1/tasks/{task_id}/lock", headers=anna).status_code == 423
    h.clock.advance(minutes=5)
    assert h.http.put(f"/api/v1/tasks/{task_id}/lock", headers=anna).json()["holder"] == "dzielnicowy.krakow"


def test_a_coordinator_takes_the_lock_over_and_the_history_keeps_it(locked):
    """koordynator.krakow takes Anna's lock; Anna is then refused and the timeline names both."""
    h, task_id, anna = locked
    coordinator = h.login("koordynator.krakow")
    resp = h.http.post(f"/api/v1/tasks/{task_id}/lock/takeover", headers=coordinator)
    assert resp.status_code == 200, resp.text
    assert (
        resp.json()["holder_name"] == "kom. Piotr Wiśniewski" and resp.json()["taken_over_from"] == "dzielnicowy.krakow"
    )
    refused = h.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": "WERYFIKACJA"}, headers=anna)
    assert refused.status_code == 423 and "kom. Piotr Wiśniewski" in refused.json()["error"]["message"]
    top = h.http.get(f"/api/v1/tasks/{task_id}/view", headers=anna).json()["timeline"][0]
    assert top["kind"] == "lock_taken_over" and top["by_name"] == "kom. Piotr Wiśniewski"
    assert top["from_name"] == "asp. Anna Nowak"
    assert (
        h.http.post(f"/api/v1/tasks/{task_id}/status", json={"status": "WERYFIKACJA"}, headers=coordinator).status_code
        == 200
    )


def test_a_takeover_by_an_officer_who_is_not_a_coordinator_is_403(locked, routed):
    """An officer of the unit may not take a colleague's lock; the lock stays with its holder."""
    h, task_id, anna = locked
    resp = h.http.post(f"/api/v1/tasks/{task_id}/lock/takeover", headers=h.login("analityk.kgp"))
    assert resp.status_code == 403
    h.http.delete(f"/api/v1/tasks/{task_id}/lock", headers=anna)
    koordynator = h.login("koordynator.krakow")
    h.http.put(f"/api/v1/tasks/{task_id}/lock", headers=koordynator)
    resp = h.http.post(f"/api/v1/tasks/{task_id}/lock/takeover", headers=anna)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "role_forbidden"
    assert h.http.get(f"/api/v1/tasks/{task_id}/lock", headers=anna).json()["holder"] == "koordynator.krakow"


def test_a_status_change_on_a_stale_version_is_409_in_polish_and_changes_nothing(harness, routed):
    """The version grows with every change; a move sent with an older one (body or If-Match) is refused."""
    task_id = _task(harness, routed)
    auth = harness.login("koordynator.krakow")
    view = harness.http.get(f"/api/v1/tasks/{task_id}/view", headers=auth)
    seen = view.json()["version"]
    assert view.headers["etag"] == f'"{seen}"'
    harness.http.post(f"/api/v1/tasks/{task_id}/notes", json={"note": "Zadzwonię do zgłaszającego."}, headers=auth)
    for body, extra in (
        ({"status": "WERYFIKACJA", "version": seen}, {}),
        ({"status": "WERYFIKACJA"}, {"If-Match": f'"{seen}"'}),
    ):
        resp = harness.http.post(f"/api/v1/tasks/{task_id}/status", json=body, headers={**auth, **extra})
        assert resp.status_code == 409, resp.text
        error = resp.json()["error"]
        assert error["code"] == "stale_version" and "zmieniło się" in error["message"]
        assert error["details"][0]["current"] == seen + 1
    assert harness.http.get(f"/api/v1/tasks/{task_id}", headers=auth).json()["status"] == "NOWE"
    ok = harness.http.post(
        f"/api/v1/tasks/{task_id}/status", json={"status": "WERYFIKACJA", "version": seen + 1}, headers=auth
    )
    assert ok.status_code == 200 and ok.json()["version"] == seen + 2 and ok.headers["etag"] == f'"{seen + 2}"'
    bad = harness.http.post(
        f"/api/v1/tasks/{task_id}/status", json={"status": "POTWIERDZONE"}, headers={**auth, "If-Match": "abc"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_if_match"
