"""Demo data: synthetic residents' reports spread over Polish towns by population.

Reports are published as ReportSubmitted events straight to the broker (as intake would after
validation), with synthetic device hashes, so the demo does not trip the per-device limit.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from kmzb_common.synthetic import SyntheticResidents
from kmzb_contracts import Channel, ReportSubmitted, TopicNames, encode


def synthetic_reports(count: int, *, seed: int, now: datetime) -> list[ReportSubmitted]:
    """``count`` reports placed near towns in proportion to population, over the last 14 days."""
    residents = SyntheticResidents(seed=seed)
    reports = []
    for i in range(count):
        lat, lon = residents.place()
        report_id = uuid.UUID(int=residents.uuid_bits(), version=4)
        reports.append(
            ReportSubmitted(
                event_id=uuid.UUID(int=residents.uuid_bits(), version=4),
                report_id=report_id,
                category=residents.category(),
                lat=lat,
                lon=lon,
                channel=Channel.WEB,
                submitted_at=now - timedelta(minutes=(i * 67) % (60 * 24 * 14)),
                device_key_hash=hashlib.sha256(f"demo-device-{report_id}".encode()).hexdigest(),
            )
        )
    return reports


async def publish(bootstrap: str, reports: list[ReportSubmitted], topic: str) -> None:
    """Publish the reports with acks=all."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, encode(r), key=r.key()) for r in reports]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    reports = synthetic_reports(args.count, seed=args.seed, now=datetime.now(UTC))
    asyncio.run(publish(args.bootstrap, reports, TopicNames().reports_submitted))
    print(f"published {len(reports)} demo reports")


if __name__ == "__main__":
    main()
