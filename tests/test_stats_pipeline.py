"""Stats through the real broker: windowed counts per layer and unit, recurrences, restart recovery, metrics."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import h3
import httpx
import pytest
from kafka_helpers import produce, report
from kafka_helpers import routed as make_routed

from kmzb_contracts import (
    ReportRouted,
    StatisticRecorded,
    StatisticsLayer,
    TaskCreated,
    TaskStatus,
    TaskStatusChanged,
    UnitRef,
    decode_task_event,
    encode,
)
from kmzb_devstack import dev_token, wait_until

pytestmark = pytest.mark.integration

CATEGORY = "SPOZYWANIE_ALKOHOLU"


def _routed(*, lat: float, lon: float, unit: str, occurred_at: datetime) -> ReportRouted:
    submitted = report(lat=lat, lon=lon, category=CATEGORY).model_copy(update={"occurred_at": occurred_at})
    chain = (
        UnitRef(unit_id="KGP", name_pl="Komenda Główna Policji", type="KGP"),
        UnitRef(unit_id="KWP-12", name_pl="Komenda Wojewódzka Policji w Krakowie", type="KWP"),
        UnitRef(unit_id=unit, name_pl="Komenda testowa", type="KPP"),
    )
    return make_routed(submitted, chain=chain)


def _statistic(*, lat: float, lon: float, unit: str, occurred_at: datetime) -> StatisticRecorded:
    return StatisticRecorded(
        event_id=uuid.uuid4(),
        record_id=f"test-{uuid.uuid4()}",
        layer=StatisticsLayer.POLICE_CRIMES,
        category="kradziez",
        occurred_at=occurred_at,
        lat=lat,
        lon=lon,
        unit_id=unit,
        source="test",
        imported_at=datetime.now(UTC),
    )


def _count(client: httpx.Client, cell: str, **params: str) -> float:
    resp = client.get("/api/v1/hexagons", params=params)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/geo+json")
    return sum(f["properties"]["count"] for f in resp.json()["features"] if f["id"] == cell)


def test_reports_and_statistics_are_counted_per_window_layer_and_unit_and_survive_a_restart(stack):
    """Windowed counts, layers, units and recurrences through the broker; a restarted worker recovers its counts."""
    rng = random.Random()
    lat, lon = rng.uniform(49.8, 50.3), rng.uniform(19.5, 20.5)
    unit = f"KPP-T{uuid.uuid4().hex[:8].upper()}"
    cell = h3.latlng_to_cell(lat, lon, 8)
    now = datetime.now(UTC)
    recent = [_routed(lat=lat, lon=lon, unit=unit, occurred_at=now - timedelta(hours=2)) for _ in range(3)]
    older = [_routed(lat=lat, lon=lon, unit=unit, occurred_at=now - timedelta(days=10)) for _ in range(2)]
    records = [_statistic(lat=lat, lon=lon, unit=unit, occurred_at=now - timedelta(days=1)) for _ in range(4)]
    topics = stack.broker.topics
    routed_messages = [(r.key(), encode(r)) for r in recent + older]
    produce(stack.broker.bootstrap, topics.reports_routed, routed_messages + routed_messages[:1])  # one redelivery
    produce(stack.broker.bootstrap, topics.statistics, [(s.key(), encode(s)) for s in records + records[:1]])

    # A threat of the same category was eliminated in the same dedup cell five days ago.
    task_id = uuid.uuid4()
    dedup = h3.latlng_to_cell(lat, lon, 9)
    created = TaskCreated(
        event_id=uuid.uuid4(),
        task_id=task_id,
        report_id=uuid.uuid4(),
        unit_id=unit,
        category=CATEGORY,
        lat=lat,
        lon=lon,
        cell=dedup,
        created_at=now - timedelta(days=8),
    )
    statuses = [TaskStatus.NOWE, TaskStatus.WERYFIKACJA, TaskStatus.POTWIERDZONE, TaskStatus.POTWIERDZONE_WYELIMINOWANE]
    changes = [
        TaskStatusChanged(
            event_id=uuid.uuid4(),
            task_id=task_id,
            unit_id=unit,
            from_status=a,
            to_status=b,
            changed_by="officer-1",
            changed_at=now - timedelta(days=5),
        )
        for a, b in zip(statuses, statuses[1:], strict=False)
    ]
    produce(stack.broker.bootstrap, topics.tasks, [(e.key(), encode(e)) for e in [created, *changes]])

    # The voivodeship's coordinator: the test unit hangs under KWP-12.
    officer = {"authorization": f"Bearer {dev_token('koordynator.kwp12')}"}
    with httpx.Client(base_url=stack.url("stats"), timeout=120) as client:
        seen: list[tuple[float, float, float]] = []

        def counted() -> bool:
            seen.append(
                (
                    _count(client, cell, unit_id=unit, window="7d"),
                    _count(client, cell, unit_id=unit, window="28d"),
                    _count(client, cell, unit_id=unit, layer="police_crimes"),
                )
            )
            return seen[-1] == (3, 5, 4)

        try:
            wait_until(counted, timeout_s=60, what="windowed counts")
        except TimeoutError:
            pytest.fail(f"windowed counts (7d, 28d, police_crimes) never reached (3, 5, 4): last seen {seen[-3:]}")
        assert _count(client, cell, unit_id=unit, window="1h") == 0
        assert _count(client, cell, unit_id=unit, layer="police_offences", window="28d") == 0

        def recurring() -> list[str]:
            resp = client.get(f"/api/v1/units/{unit}/recurrences", headers=officer)
            assert resp.status_code == 200, resp.text
            return [r["report_id"] for r in resp.json()["recurrences"]]

        wait_until(lambda: len(recurring()) == 3, timeout_s=60, what="recurrences")
        assert set(recurring()) == {str(r.report.report_id) for r in recent}
        recs = client.get(f"/api/v1/units/{unit}/patrol-recommendations", headers=officer).json()["recommendations"]
        assert recs[0]["cell"] == cell
        assert "recurring" in {r["code"] for r in recs[0]["reasons"]}

        metrics = client.get("/metrics").text
        assert f'stats_reports_total{{category="{CATEGORY}",voivodeship="KWP-12"}}' in metrics
        lag = f'stats_consumer_lag_messages{{topic="{topics.reports_routed}"}}'
        wait_until(lambda: lag in client.get("/metrics").text, timeout_s=30, what="consumer lag measured")
        assert f'stats_processing_latency_seconds_bucket{{le="+Inf",topic="{topics.statistics}"}}' in metrics

    # A crash (SIGKILL): offsets are committed only after every changelog write left the producer
    # (kmzb_common.streams drains faust's buffer, whose own flush gives up after 0.1 s a message),
    # so the recovered tables hold every counted report and nothing is counted twice.
    stack.restart("stats", crash=True)
    with httpx.Client(base_url=stack.url("stats"), timeout=120) as client:
        seen.clear()
        try:
            wait_until(counted, timeout_s=90, what="counts recovered after a restart")
        except TimeoutError as exc:
            raise AssertionError(f"counts after the restart: last seen {seen[-1:]}, want (3, 5, 4)") from exc


def test_task_events_stats_does_not_use_leave_its_task_follower_running(stack):
    """Merges, assignments and escalations pass by; a task created after them is still seen."""
    from importlib import resources

    samples = resources.files("kmzb_contracts") / "samples" / "v1"
    others = [
        samples.joinpath(n).read_bytes() for n in ("ReportMerged.json", "TaskAssigned.json", "TaskEscalated.json")
    ]
    created = decode_task_event(samples.joinpath("TaskCreated.json").read_bytes()).model_copy(
        update={"event_id": uuid.uuid4(), "task_id": uuid.uuid4(), "created_at": datetime.now(UTC)}
    )
    metric = f'stats_processing_latency_seconds_count{{topic="{stack.broker.topics.tasks}"}}'

    def followed() -> float:
        with httpx.Client(base_url=stack.url("stats"), timeout=10) as client:
            for line in client.get("/metrics").text.splitlines():
                if line.startswith(metric):
                    return float(line.split()[-1])
        return 0.0

    before = followed()
    # Same key as the task created after them: one partition, read in this order.
    produce(stack.broker.bootstrap, stack.broker.topics.tasks, [(created.key(), v) for v in others])
    produce(stack.broker.bootstrap, stack.broker.topics.tasks, [(created.key(), encode(created))])
    wait_until(lambda: followed() > before, timeout_s=60, what="the task created after the other events")
