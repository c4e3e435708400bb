"""Notifier task handling: throughput and latency of opening and merging tasks, against a bare insert.

Runs in-process on the embedded store (mongomock) with a publisher that only counts, so it
measures the notifier's own work per report: merge lookup, task write, outbox, feeds, webhooks.
Baseline in the same run: one bare keyed upsert of each report (the least any store write costs).

    .venv/bin/python bench/notifier_tasks.py [--reports 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import time
import uuid
from datetime import UTC, datetime

import h3

from kmzb_common.mongo import create_mongo_client
from kmzb_contracts import Channel, H3Cells, ReportRouted, ReportSubmitted, UnitRef
from kmzb_notifier.bootstrap import build_notifier
from kmzb_notifier.settings import NotifierSettings

CHAIN = tuple(UnitRef(unit_id=u, name_pl=u, type=u.split("-")[0]) for u in ("KGP", "KWP-12", "KMP-1261"))
CATEGORIES = ["NIEPRAWIDLOWE_PARKOWANIE", "PRZEKRACZANIE_PREDKOSCI", "SPOZYWANIE_ALKOHOLU", "DZIKIE_WYSYPISKA"]


class CountingPublisher:
    def __init__(self) -> None:
        self.count = 0

    async def publish(self, *, key: bytes, value: bytes) -> None:
        self.count += 1

    async def enqueue(self, *, key: bytes, value: bytes) -> asyncio.Future[None]:
        await self.publish(key=key, value=value)
        acked = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked


def _reports(n: int, seed: int = 7) -> list[ReportRouted]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out = []
    for _ in range(n):
        # Kraków, ~10 x 10 km: many reports land near an open task of their category and merge.
        lat, lon = 50.02 + rng.random() * 0.09, 19.88 + rng.random() * 0.14
        report = ReportSubmitted(
            event_id=uuid.uuid4(),
            report_id=uuid.uuid4(),
            category=rng.choice(CATEGORIES),
            lat=lat,
            lon=lon,
            channel=Channel.WEB,
            submitted_at=now,
            device_key_hash=uuid.uuid4().hex,
        )
        cells = H3Cells(
            routing=h3.latlng_to_cell(lat, lon, 7),
            dedup=h3.latlng_to_cell(lat, lon, 9),
            hotspot=h3.latlng_to_cell(lat, lon, 8),
        )
        out.append(
            ReportRouted(
                event_id=uuid.uuid4(),
                report=report,
                cells=cells,
                unit_id="KMP-1261",
                unit_chain=CHAIN,
                jurisdiction_version="bench",
                routed_at=now,
            )
        )
    return out


def _summary(name: str, latencies: list[float], total_s: float) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<28} {len(latencies) / total_s:>9.0f}/s   p50 {q[49] * 1e3:6.2f} ms   "
        f"p95 {q[94] * 1e3:6.2f} ms   p99 {q[98] * 1e3:6.2f} ms"
    )


def bench_baseline(reports: list[ReportRouted]) -> None:
    tasks = create_mongo_client("mongomock://")["bench"]["tasks"]
    latencies = []
    start = time.perf_counter()
    for r in reports:
        t = time.perf_counter()
        rid = str(r.report.report_id)
        doc = {"unit_id": r.unit_id, "category": r.report.category, "cell": r.cells.dedup, "report_ids": [rid]}
        tasks.update_one({"_id": rid}, {"$setOnInsert": doc}, upsert=True)
        latencies.append(time.perf_counter() - t)
    _summary("baseline: bare keyed upsert", latencies, time.perf_counter() - start)


async def bench_notifier(reports: list[ReportRouted]) -> None:
    publisher = CountingPublisher()
    notifier = build_notifier(NotifierSettings(), create_mongo_client("mongomock://")["bench"], publisher=publisher)
    outcomes: dict[str, int] = {}
    latencies = []
    start = time.perf_counter()
    for r in reports:
        t = time.perf_counter()
        outcome = await notifier.reports.handle_routed(r)
        latencies.append(time.perf_counter() - t)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    total = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _summary("notifier: open or merge", latencies, total)
    print(f"{'':<28} outcomes {outcomes}, events published {publisher.count}, process peak RSS {peak_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    reports = _reports(args.reports)
    print(f"{args.reports} routed reports, one unit, embedded store (mongomock)")
    bench_baseline(reports)
    asyncio.run(bench_notifier(reports))


if __name__ == "__main__":
    main()
