"""Local broker benchmark: Tansu's CPU time a message as a topic grows, beside a fresh topic.

Produces at a steady rate (acks=all, 5 ms linger) with one consumer following, on a fresh topic
(the baseline), then on the same topic once it holds --fill more messages, then on another fresh
topic of the same broker. Prints the broker's CPU microseconds a message of each phase: the
figure behind the pipeline's longer runs slowing down on Tansu (docs/benchmarks.md).

Usage: python bench/broker_bench.py [--fill 300000] [--messages 3000] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path

import report  # bench/report.py, beside this script
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from kmzb_common.kafka import ensure_topics
from kmzb_devstack import start_tansu

ROOT = Path(__file__).resolve().parent.parent


async def phase(bootstrap: str, pid: int, producer: AIOKafkaProducer, topic: str, *, n: int, rate: float) -> float:
    """Broker CPU µs a message while ``n`` messages are produced at ``rate`` and consumed."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="latest", fetch_max_wait_ms=100
    )
    await consumer.start()
    await asyncio.sleep(0.5)
    got = 0

    async def follow() -> None:
        nonlocal got
        while got < n:
            batches = await consumer.getmany(timeout_ms=500)
            got += sum(len(v) for v in batches.values())

    follower = asyncio.create_task(follow())
    before = report.cpu_s(pid)
    started = time.perf_counter()
    for i in range(n):
        await producer.send(topic, b"x" * 700, key=uuid.uuid4().bytes)
        delay = started + (i + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await producer.flush()
    await asyncio.wait_for(follower, 60)
    used = report.cpu_s(pid) - before
    await consumer.stop()
    return used / n * 1e6


async def run(bootstrap: str, pid: int, *, fill: int, n: int, rate: float) -> list[tuple[str, float]]:
    await ensure_topics(bootstrap, ["bench.broker.a", "bench.broker.b"])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        rows = [("fresh topic (baseline)", await phase(bootstrap, pid, producer, "bench.broker.a", n=n, rate=rate))]
        sends = [await producer.send("bench.broker.a", b"y" * 700, key=str(i).encode()) for i in range(fill)]
        await asyncio.gather(*sends)
        grown = await phase(bootstrap, pid, producer, "bench.broker.a", n=n, rate=rate)
        rows.append((f"same topic holding {fill:,} more", grown))
        other = await phase(bootstrap, pid, producer, "bench.broker.b", n=n, rate=rate)
        rows.append(("another fresh topic, same broker", other))
    finally:
        await producer.stop()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fill", type=int, default=300_000)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=500)
    args = parser.parse_args()
    broker = start_tansu(log_dir=ROOT / "var" / "bench" / "logs")
    try:
        bootstrap = f"127.0.0.1:{broker.port}"
        rows = asyncio.run(run(bootstrap, broker.proc.pid, fill=args.fill, n=args.messages, rate=args.rate))
    finally:
        broker.stop()
    base = rows[0][1]
    print(f"Tansu CPU a message, producing {args.rate:.0f}/s with one consumer following:")
    for name, us in rows:
        print(f"  {name:<40} {us:8.0f} µs   {us / base:5.2f}x the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
