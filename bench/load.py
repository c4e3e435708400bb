"""Intake load benchmark: synthetic residents post reports; figures beside a bare FastAPI baseline.

Starts its own Tansu broker and the four services (embedded mode), plus the baseline app that
validates the same model and awaits the same Kafka send. Then:

1. max throughput, closed loop (C concurrent clients for T seconds): baseline, then intake;
2. sustained load, open loop (R reports/s for D seconds) with end-to-end latency
   (POST sent -> the report's task event on kmzb.tasks.v1, which the notifier publishes after
   storing the task, i.e. when it is visible in the unit's feed), p50/p95/p99;
3. memory (RSS) of every service process.

Usage: python bench/load.py [--rate 1000] [--duration 300] [--throughput-seconds 20] [--write-doc]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import report  # bench/report.py, beside this script
from aiokafka import AIOKafkaConsumer

from kmzb_common.kafka import ensure_topics
from kmzb_common.synthetic import SyntheticResidents
from kmzb_contracts import TopicNames
from kmzb_devstack import SERVICES, ManagedProcess, free_port, start_process, start_stack, start_tansu

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    """Figures of one load phase."""

    name: str
    seconds: float = 0.0
    accepted: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    report_ids: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(q / 100 * len(data)))]


def _body(residents: SyntheticResidents) -> bytes:
    lat, lon = residents.place()
    return json.dumps({"category": residents.category(), "lat": lat, "lon": lon, "terms_accepted": True}).encode()


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, run: Run, sent: dict[str, float]) -> None:
    started = time.perf_counter()
    headers = {"content-type": "application/json", "cookie": f"kmzb_device={secrets.token_urlsafe(12)}"}
    try:
        async with session.post(url, data=body, headers=headers) as resp:
            payload = await resp.read()
            if resp.status == 202:
                run.accepted += 1
                run.latencies_ms.append((time.perf_counter() - started) * 1000)
                report_id = json.loads(payload)["report_id"]
                sent[report_id] = started
                run.report_ids.append(report_id)
            else:
                run.errors[str(resp.status)] = run.errors.get(str(resp.status), 0) + 1
    except (aiohttp.ClientError, TimeoutError) as exc:
        run.errors[type(exc).__name__] = run.errors.get(type(exc).__name__, 0) + 1


async def closed_loop(url: str, *, concurrency: int, seconds: float, seed: int, name: str) -> Run:
    """Each of ``concurrency`` clients posts again as soon as it has an answer."""
    run, residents, sent = Run(name), SyntheticResidents(seed=seed), {}
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def client() -> None:
            while time.perf_counter() < deadline:
                await _post(session, url, _body(residents), run, sent)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        run.seconds = time.perf_counter() - started
    return run


async def open_loop(url: str, *, rate: float, seconds: float, seed: int, sent: dict[str, float]) -> Run:
    """Posts at a fixed rate whatever the answers' speed (so slowness shows as latency)."""
    run, residents = Run(f"intake, open loop {rate:.0f}/s"), SyntheticResidents(seed=seed)
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=1024)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        started = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_post(session, url, _body(residents), run, sent)))
        await asyncio.gather(*tasks)
        run.seconds = time.perf_counter() - started
    return run


class TaskWatcher:
    """Reads the tasks topic and notes when each sent report's task event appears."""

    def __init__(self, bootstrap: str, topic: str, *, from_start: bool = False) -> None:
        self.seen: dict[str, float] = {}
        self.expected: set[str] = set()
        self.all_seen = asyncio.Event()
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest" if from_start else "latest",
            fetch_max_wait_ms=20,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    for rid in [event.get("report_id"), *event.get("report_ids", [])]:
                        if rid and rid not in self.seen:
                            self.seen[rid] = now
            if self.expected and self.expected <= self.seen.keys():
                self.all_seen.set()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self._consumer.stop()


@contextmanager
def paused(procs: list[ManagedProcess]) -> Iterator[None]:
    """Stop the processes' groups for the duration, then let them go on (they catch up from Kafka)."""
    for p in procs:
        os.killpg(p.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for p in procs:
            os.killpg(p.proc.pid, signal.SIGCONT)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def drain(bootstrap: str, report_ids: list[str], *, timeout_s: float = 180) -> float:
    """Wait until every given report has its task event (the pipeline caught up); seconds taken."""
    started = time.perf_counter()
    watcher = TaskWatcher(bootstrap, TopicNames().tasks, from_start=True)
    watcher.expected = set(report_ids)
    await watcher.start()
    with suppress(TimeoutError):
        await asyncio.wait_for(watcher.all_seen.wait(), timeout_s)
    await watcher.stop()
    return time.perf_counter() - started


async def sustained(bootstrap: str, url: str, *, rate: float, seconds: float, seed: int) -> tuple[Run, Run]:
    watcher = TaskWatcher(bootstrap, TopicNames().tasks)
    await watcher.start()
    sent: dict[str, float] = {}
    run = await open_loop(url, rate=rate, seconds=seconds, seed=seed, sent=sent)
    watcher.expected = set(sent)
    with suppress(TimeoutError):
        await asyncio.wait_for(watcher.all_seen.wait(), 60)
    await watcher.stop()
    e2e = Run("end to end (202 sent -> task event)", seconds=run.seconds)
    e2e.latencies_ms = [(watcher.seen[r] - t) * 1000 for r, t in sent.items() if r in watcher.seen]
    e2e.report_ids = [r for r in sent if r in watcher.seen]
    e2e.accepted = len(e2e.latencies_ms)
    missing = len(sent) - e2e.accepted
    if missing:
        e2e.errors["task not seen within 60 s"] = missing
    return run, e2e


def _fmt(run: Run) -> str:
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(run.errors.items())) or "0"
    return (
        f"| {run.name} | {run.accepted} | {run.rate:,.0f} | {run.pct(50):.1f} | {run.pct(95):.1f} "
        f"| {run.pct(99):.1f} | {errors} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--rate", type=float, action="append", help="offered reports/s of a sustained run; repeatable (default 1000)"
    )
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--throughput-seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--write-doc", action="store_true", help="append the table to docs/benchmarks.md")
    args = parser.parse_args()
    args.rate = args.rate or [1000.0]

    log_dir = ROOT / "var" / "bench" / "logs"
    broker = start_tansu(log_dir=log_dir)
    bootstrap = f"127.0.0.1:{broker.port}"
    procs: dict[str, ManagedProcess] = {}
    sustained_runs: list[tuple[float, Run, Run, dict[str, float]]] = []
    try:
        asyncio.run(ensure_topics(bootstrap, [*TopicNames().all(), "kmzb.bench.baseline.v1"]))
        ports = {name: free_port() for name in SERVICES}
        # As deployed (deploy/k8s/base/configmap.yaml): 1% of the per-report log lines are kept.
        sampled = {name: {f"{prefix}LOG_EVENT_SAMPLE": "0.01"} for name, (_, prefix) in SERVICES.items()}
        procs = start_stack(bootstrap=bootstrap, ports=ports, log_dir=log_dir, extra_env=sampled)
        bport = free_port()
        baseline_argv = [sys.executable, str(ROOT / "bench" / "baseline_app.py"), "--port", str(bport)]
        procs["baseline"] = start_process(
            "baseline", [*baseline_argv, "--bootstrap", bootstrap], port=bport, log_dir=log_dir, wait_ready_s=60
        )

        intake_url = f"http://127.0.0.1:{ports['intake']}/api/v1/reports"
        base_url = f"http://127.0.0.1:{bport}/api/v1/reports"
        print(f"warming up ({bootstrap})...", flush=True)
        asyncio.run(closed_loop(base_url, concurrency=8, seconds=3, seed=1, name="warm-up"))
        asyncio.run(closed_loop(intake_url, concurrency=8, seconds=3, seed=2, name="warm-up"))
        kw = {"concurrency": args.concurrency, "seconds": args.throughput_seconds}
        # Both endpoints are measured alone: the downstream services are paused (SIGSTOP) meanwhile,
        # so the figure compares intake's own cost with the bare baseline on the same cores.
        downstream = [p for n, p in procs.items() if n not in ("intake", "baseline")]
        with paused(downstream):
            base = asyncio.run(closed_loop(base_url, seed=3, name="baseline: bare FastAPI + acks=all send", **kw))
            intake = asyncio.run(closed_loop(intake_url, seed=4, name="intake alone, closed loop", **kw))
        ratio = intake.rate / base.rate if base.rate else float("nan")
        print(
            f"max throughput: baseline {base.rate:,.0f}/s, intake {intake.rate:,.0f}/s, ratio {ratio:.2f}", flush=True
        )
        backlog = asyncio.run(drain(bootstrap, intake.report_ids))
        print(f"pipeline caught up with {len(intake.report_ids)} queued reports in {backlog:.1f} s", flush=True)
        pids = {name: p.proc.pid for name, p in procs.items() if name != "baseline"}
        pids["tansu"] = broker.proc.pid
        for rate in args.rate:
            print(f"sustained: {rate:.0f} reports/s for {args.duration:.0f} s...", flush=True)
            before = {name: report.cpu_s(pid) for name, pid in pids.items()} | {"load generator": time.process_time()}
            sustained_run, e2e = asyncio.run(sustained(bootstrap, intake_url, rate=rate, seconds=args.duration, seed=5))
            after = {name: report.cpu_s(pid) for name, pid in pids.items()} | {"load generator": time.process_time()}
            cpu_ms = {name: (after[name] - before[name]) * 1000 / max(1, sustained_run.accepted) for name in after}
            sustained_runs.append((rate, sustained_run, e2e, cpu_ms))
            seen = set(e2e.report_ids)
            leftover = [r for r in sustained_run.report_ids if r not in seen]
            if leftover:
                waited = asyncio.run(drain(bootstrap, leftover, timeout_s=600))
                print(f"pipeline caught up with the {len(leftover)} late reports in {waited:.1f} s", flush=True)
        memory = {name: rss_mb(p.proc.pid) for name, p in procs.items()}
        memory["tansu"] = rss_mb(broker.proc.pid)
    finally:
        for p in procs.values():
            p.stop()
        broker.stop()

    lines = [
        f"### Intake load — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {report.commit()}",
        "",
        f"Machine: {report.machine()}; broker Tansu (memory), store mongomock; load generator on the same machine.",
        "",
        "| run | accepted | per second | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
        _fmt(base),
        _fmt(intake),
    ]
    for _, sustained_run, e2e, _ in sustained_runs:
        lines += [_fmt(sustained_run), _fmt(e2e)]
    lines += [
        "",
        f"Intake / baseline max throughput: **{ratio:.2f}** (target ≥ 0.6). Backlog: the pipeline worked off "
        f"the {len(intake.report_ids)} reports queued by the closed loop in {backlog:.1f} s "
        f"(**{len(intake.report_ids) / backlog:,.0f} reports/s** end to end, all stages sharing the cores).",
        "",
    ]
    for rate, sustained_run, e2e, cpu_ms in sustained_runs:
        total = sum(cpu_ms.values())
        lines += [
            f"Sustained {rate:.0f}/s for {args.duration:.0f} s: accepted {sustained_run.rate:,.0f}/s, end-to-end "
            f"p99 {e2e.pct(99):.0f} ms (target: 1,000/s with p99 < 1000 ms). CPU per accepted report: "
            + ", ".join(f"{name} {ms:.2f} ms" for name, ms in sorted(cpu_ms.items()))
            + f"; total **{total:.2f} ms**, so {os.cpu_count()} cores carry at most about "
            f"{(os.cpu_count() or 1) * 1000 / total:,.0f} reports/s.",
            "",
        ]
    lines += [
        "Memory (RSS, MiB) at the end: " + ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(memory.items())),
        "",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    if args.write_doc:
        report.append(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
