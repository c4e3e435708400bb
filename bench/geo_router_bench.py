"""Geo-router throughput: routed events per second per worker beside a bare faust pass-through agent.

    .venv/bin/python bench/geo_router_bench.py [--reports 3000] [--workers 1]

Both run on one Tansu broker in the same run: N reports (real Polish places weighted like the demo data)
are produced to each input topic first, then the workers start; the rate is counted from the output
messages' timestamps (first to last), so start-up time is not counted. Memory is each worker's RSS at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from kafka_helpers import read_all, report  # noqa: E402

from kmzb_common.kafka import ensure_topics  # noqa: E402
from kmzb_contracts import encode  # noqa: E402
from kmzb_devstack import (  # noqa: E402
    ManagedProcess,
    free_port,
    service_env,
    spawn,
    start_service,
    start_tansu,
    wait_until,
)

PLACES = [
    (50.0614, 19.9366),
    (54.3520, 18.6466),
    (52.2318, 21.0060),
    (49.2992, 19.9496),
    (51.7592, 19.4560),
    (51.1079, 17.0385),
    (52.4064, 16.9252),
    (50.2649, 19.0238),
]


def passthrough_worker(bootstrap: str, source: str, sink: str, app_id: str, data_dir: str) -> None:
    """A bare faust agent on the same app factory: every input message forwarded unchanged."""
    from kmzb_common.settings import ServiceSettings
    from kmzb_common.streams import create_faust_app, raw_topic

    settings = ServiceSettings(kafka_bootstrap=bootstrap, kafka_session_timeout_s=6, faust_data_dir=data_dir)
    app = create_faust_app(app_id, settings)
    out = raw_topic(app, sink)

    @app.agent(raw_topic(app, source), name="pass_through")
    async def forward(stream):  # noqa: ANN001, ANN202
        async for key, value in stream.items():
            await (await out.send(key=key, value=value))

    async def run() -> None:
        await app.start()
        await asyncio.Event().wait()

    asyncio.run(run())


def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    """Send all messages with acks=all, many in flight."""

    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5)
        await producer.start()
        try:
            futures = [await producer.send(topic, value, key=key) for key, value in messages]
            await asyncio.gather(*futures)
        finally:
            await producer.stop()

    asyncio.run(run())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _count(bootstrap: str, topic: str) -> int:
    # Records read, not end offsets: Tansu reports a partition's end as its last record batch's
    # base offset + 1, so summed end offsets stay below the count of batched output for good.
    return len(read_all(bootstrap, topic))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1, help="workers of each kind, one consumer group each")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        passthrough_worker(*args.worker)
        return

    run = uuid.uuid4().hex[:8]
    tmp = Path(tempfile.mkdtemp(prefix="kmzb-bench-"))
    log_dir = tmp / "logs"
    tansu = start_tansu(log_dir=log_dir)
    bootstrap = f"127.0.0.1:{tansu.port}"
    topics = {k: f"bench.{run}.{k}" for k in ("router_in", "router_out", "pass_in", "pass_out")}
    procs: list[ManagedProcess] = []
    try:
        asyncio.run(ensure_topics(bootstrap, list(topics.values())))
        reports = [report(lat=lat, lon=lon) for lat, lon in (PLACES[i % len(PLACES)] for i in range(args.reports))]
        messages = [(r.key(), encode(r)) for r in reports]
        t0 = time.perf_counter()
        produce(bootstrap, topics["router_in"], messages)
        produce(bootstrap, topics["pass_in"], messages)
        print(f"produced 2 x {args.reports} reports in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

        kinds = {"geo-router (routing agent)": [], "faust pass-through (bare agent)": []}
        for i in range(args.workers):
            port = free_port()
            env = service_env(
                "geo-router",
                bootstrap=bootstrap,
                port=port,
                extra={
                    "KMZB_GEO_ROUTER_FAUST_APP_ID": f"bench-router-{run}",
                    "KMZB_GEO_ROUTER_FAUST_DATA_DIR": str(tmp / f"router-{i}"),
                    "KMZB_GEO_ROUTER_TOPICS__REPORTS_SUBMITTED": topics["router_in"],
                    "KMZB_GEO_ROUTER_TOPICS__REPORTS_ROUTED": topics["router_out"],
                    "KMZB_GEO_ROUTER_INDEX_TOPIC": f"bench.{run}.index",
                    "KMZB_GEO_ROUTER_LOG_LEVEL": "WARNING",
                },
            )
            p = start_service(f"router-{i}", "kmzb_geo_router", port=port, env=env, log_dir=log_dir, wait_ready_s=None)
            kinds["geo-router (routing agent)"].append(p)
            argv = [sys.executable, __file__, "--worker", bootstrap, topics["pass_in"], topics["pass_out"]]
            argv += [f"bench-pass-{run}", str(tmp / f"pass-{i}")]
            kinds["faust pass-through (bare agent)"].append(
                spawn(f"pass-{i}", argv, port=0, env=None, log_dir=log_dir, echo=None)
            )
        procs = [p for ps in kinds.values() for p in ps]
        for out in ("router_out", "pass_out"):
            wait_until(
                lambda out=out: _count(bootstrap, topics[out]) >= args.reports,
                timeout_s=600,
                interval_s=1,
                what=out,
            )
        rows = []
        for (name, ps), out in zip(kinds.items(), ("router_out", "pass_out"), strict=True):
            ts = sorted(m.timestamp for m in read_all(bootstrap, topics[out]))
            span_s = max((ts[-1] - ts[0]) / 1000, 1e-3)
            rate = (len(ts) - 1) / span_s
            rss = statistics.mean(_rss_mb(p.proc.pid) for p in ps)
            rows.append((name, len(ts), span_s, rate / len(ps), rss))
        print(f"\nGeo-router bench: {args.reports} reports, {args.workers} worker(s) of each kind, one Tansu broker")
        print(f"{'agent':34} {'events':>7} {'span s':>7} {'events/s/worker':>16} {'RSS MB':>7}")
        for name, n, span_s, per_worker, rss in rows:
            print(f"{name:34} {n:7d} {span_s:7.2f} {per_worker:16.0f} {rss:7.0f}")
        print(f"routing agent / pass-through: {rows[0][3] / rows[1][3]:.2f}")
    finally:
        for p in procs:
            p.stop()
        tansu.stop()
        if os.environ.get("KMZB_BENCH_KEEP_LOGS") is None:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
