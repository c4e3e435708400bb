"""Intake benchmark: the cost of the rules and of one accepted report, against a baseline in the same run.

    .venv/bin/python services/intake/bench/bench_submit.py [N]

Prints throughput and latency percentiles of (a) the point-in-Poland check and the emergency
words, against a bounding-box test; (b) POST /api/v1/reports in process (mongomock store, the broker
replaced by a publisher that acknowledges at once), against GET /healthz on the same app; and the
peak memory of the run. No broker: this measures intake's own work, not Kafka.
"""

from __future__ import annotations

import asyncio
import random
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
import mongomock
from fastapi import FastAPI

from kmzb_common.http import install_common_routes
from kmzb_intake.bootstrap import build_api, build_service
from kmzb_intake.domain.emergency import load_detector
from kmzb_intake.domain.outline import load_outline
from kmzb_intake.settings import IntakeSettings


class AckPublisher:
    async def publish(self, topic: str, event: object) -> None:
        return None


def _row(name: str, n: int, seconds: float, latencies_us: list[float] | None = None) -> None:
    line = f"{name:<42} {n / seconds:>12,.0f}/s"
    if latencies_us:
        q = statistics.quantiles(latencies_us, n=100)
        line += f"   p50 {q[49]:>8.1f} µs   p95 {q[94]:>8.1f} µs   p99 {q[98]:>8.1f} µs"
    print(line)


def bench_rules(n: int) -> None:
    rng = random.Random(7)
    points = [(rng.uniform(48.5, 55.5), rng.uniform(13.5, 24.5)) for _ in range(n)]
    outline, detector = load_outline(), load_detector()
    texts = ["Samochody parkują na chodniku przy szkole, codziennie rano.", "Ktoś grozi nożem pod sklepem!"] * (n // 2)

    start = time.perf_counter()
    inside_box = sum(1 for lat, lon in points if 49.0 <= lat <= 54.9 and 14.1 <= lon <= 24.2)
    _row("baseline: bounding box", n, time.perf_counter() - start)
    start = time.perf_counter()
    inside = sum(1 for lat, lon in points if outline.contains(lat=lat, lon=lon))
    _row("outline (H3 res 8, compacted)", n, time.perf_counter() - start)
    start = time.perf_counter()
    urgent = sum(1 for t in texts if detector.matches(t))
    _row("emergency words", len(texts), time.perf_counter() - start)
    print(f"{'':<42} inside box {inside_box}, inside outline {inside}, urgent {urgent}")


async def _timed(n: int, call: Callable[[int], Awaitable[httpx.Response]], expect: int) -> tuple[float, list[float]]:
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        resp = await call(i)
        latencies.append((time.perf_counter() - t0) * 1e6)
        assert resp.status_code == expect, resp.text
    return time.perf_counter() - start, latencies


async def bench_http(n: int) -> None:
    settings = IntakeSettings(device_key_secret="b" * 32)
    db = mongomock.MongoClient(tz_aware=True)["kmzb"]
    service = build_service(settings, db, publisher=AckPublisher)
    app = FastAPI()
    install_common_routes(app, checks={})
    build_api(app, settings, service, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        seconds, lat = await _timed(n, lambda i: client.get("/healthz"), 200)
        _row("baseline: GET /healthz", n, seconds, lat)
        body = {"category": "NIEPRAWIDLOWE_PARKOWANIE", "lat": 50.0614, "lon": 19.9366, "terms_accepted": True}

        def post(i: int) -> Awaitable[httpx.Response]:
            return client.post(
                "/api/v1/reports",
                json={**body, "description": f"Zgłoszenie {i}"},
                headers={"Idempotency-Key": str(uuid.uuid4()), "Cookie": f"kmzb_device={uuid.uuid4().hex}"},
            )

        seconds, lat = await _timed(n, post, 202)
        _row("POST /api/v1/reports (new device, key)", n, seconds, lat)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(f"intake benchmark, n = {n}")
    bench_rules(n * 20)
    asyncio.run(bench_http(n))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
