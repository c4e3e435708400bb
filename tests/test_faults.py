"""Faults under load, the short version of bench/faults.py: kill -9 of stats and of the notifier.

Residents post reports at a steady rate while the stats worker and then the notifier are killed
with SIGKILL and started again. Afterwards every report answered 202 has exactly one task and is
counted exactly once in the hotspot counts. The stack has a broker of its own, so the accounting
is exact: no other test's reports are in it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import secrets
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from kafka_helpers import read_all

from conftest import ARTIFACTS, Broker, Stack
from kmzb_common.kafka import ensure_topics
from kmzb_common.synthetic import SyntheticResidents
from kmzb_contracts import TopicNames
from kmzb_devstack import SERVICES, free_port, start_stack, start_tansu

pytestmark = pytest.mark.integration

RATE = 30.0
SETTLE_S = 6.0


@pytest.fixture(scope="module")
def own_stack() -> Iterator[Stack]:
    log_dir = ARTIFACTS / "logs" / "faults"
    tansu = start_tansu(log_dir=log_dir)
    broker = Broker(process=tansu, bootstrap=f"127.0.0.1:{tansu.port}", topics=TopicNames())
    try:
        asyncio.run(ensure_topics(broker.bootstrap, broker.topics.all()))
        ports = {name: free_port() for name in SERVICES}
        procs = start_stack(bootstrap=broker.bootstrap, ports=ports, log_dir=log_dir)
        stack = Stack(broker=broker, procs=procs, ports=ports, log_dir=log_dir)
        try:
            yield stack
        finally:
            for p in stack.procs.values():
                p.stop()
    finally:
        tansu.stop()


class Residents(threading.Thread):
    """Posts reports at a steady rate, each from a new device, and keeps what the intake answered."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.accepted: list[str] = []
        self.answers: dict[str, int] = {}
        self._stopping = threading.Event()
        self._residents = SyntheticResidents(seed=1016)

    def run(self) -> None:
        asyncio.run(self._post_all())

    async def _post_all(self) -> None:
        async with httpx.AsyncClient(timeout=20) as client:
            pending: set[asyncio.Task[None]] = set()
            next_at = time.monotonic()
            while not self._stopping.is_set():
                task = asyncio.create_task(self._post(client))
                pending.add(task)
                task.add_done_callback(pending.discard)
                next_at += 1 / RATE
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await asyncio.gather(*pending)

    async def _post(self, client: httpx.AsyncClient) -> None:
        lat, lon = self._residents.place()
        body = {"category": self._residents.category(), "lat": lat, "lon": lon, "terms_accepted": True}
        device = {"cookie": f"kmzb_device={secrets.token_urlsafe(12)}"}
        try:
            resp = await client.post(self.url, json=body, headers=device)
        except httpx.HTTPError as exc:
            self.answers[type(exc).__name__] = self.answers.get(type(exc).__name__, 0) + 1
            return
        self.answers[str(resp.status_code)] = self.answers.get(str(resp.status_code), 0) + 1
        if resp.status_code == 202:
            self.accepted.append(resp.json()["report_id"])

    def stop(self) -> None:
        self._stopping.set()
        self.join(60)


def _task_ids_by_report(stack: Stack) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for record in read_all(stack.broker.bootstrap, stack.broker.topics.tasks):
        event = json.loads(record.value)
        for rid in [event.get("report_id"), *event.get("report_ids", [])]:
            if rid and event.get("task_id"):
                out.setdefault(rid, set()).add(event["task_id"])
    return out


def _counted(stack: Stack) -> int:
    with stack.client("stats") as c:
        resp = c.get("/api/v1/hotspots")
    assert resp.status_code == 200, resp.text
    return sum(f["properties"]["total"] for f in resp.json()["features"])


def test_every_accepted_report_has_one_task_and_one_count_after_kill_9_of_stats_and_notifier(
    own_stack: Stack,
) -> None:
    """The workers lose their memory, not the reports: the exact accounting holds after both crashes."""
    residents = Residents(f"{own_stack.url('intake')}/api/v1/reports")
    residents.start()
    try:
        time.sleep(SETTLE_S)
        for name in ("stats", "notifier"):
            own_stack.restart(name, crash=True)
            time.sleep(SETTLE_S)
    finally:
        residents.stop()
    accepted = residents.accepted
    assert len(accepted) > RATE * SETTLE_S, residents.answers
    server_errors = {k: v for k, v in residents.answers.items() if k.startswith("5") and k != "503"}
    assert not server_errors, residents.answers

    deadline = time.monotonic() + 150
    while True:
        tasks = _task_ids_by_report(own_stack)
        counted = _counted(own_stack)
        done = all(r in tasks for r in accepted) and counted >= len(accepted)
        if done or time.monotonic() > deadline:
            break
        time.sleep(1)
    missing = [r for r in accepted if r not in tasks]
    doubled = [r for r in accepted if len(tasks.get(r, ())) > 1]
    assert not missing, f"{len(missing)} of {len(accepted)} accepted reports have no task"
    assert not doubled, f"{len(doubled)} reports have more than one task"
    # A request cut off after the broker took it may be counted without its 202 reaching the resident.
    unanswered = sum(v for k, v in residents.answers.items() if not k.isdigit())
    assert len(accepted) <= counted <= len(accepted) + unanswered, (counted, len(accepted), residents.answers)


def test_an_idle_keep_alive_connection_outlives_a_client_pools_idle_time(stack: Stack) -> None:
    """A pooled connection idle for longer than uvicorn's 5 s default is still open when reused.

    With the default, the server closed such connections just as a client reused one, and the
    client saw a dropped connection although no service was down.
    """
    conn = http.client.HTTPConnection("127.0.0.1", stack.ports["intake"], timeout=10)
    try:
        conn.request("GET", "/healthz")
        first = conn.getresponse()
        assert first.status == 200 and first.read()  # the whole answer read: the connection can be reused
        pooled = conn.sock
        time.sleep(7)
        conn.request("GET", "/healthz")  # on the same socket: http.client reconnects only after a close it saw
        try:
            again = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            raise AssertionError(f"the server closed an idle keep-alive connection: {exc!r}") from None
        assert conn.sock is pooled and again.status == 200
    finally:
        conn.close()
