"""Direct Kafka access for the integration tests (producing raw events, reading a topic)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import h3
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from kmzb_common.kafka import read_to_end
from kmzb_contracts import Channel, H3Cells, ReportRouted, ReportSubmitted, UnitRef


def report(*, lat: float, lon: float, category: str = "ZEBRACTWO") -> ReportSubmitted:
    return ReportSubmitted(
        event_id=uuid.uuid4(),
        report_id=uuid.uuid4(),
        category=category,
        lat=lat,
        lon=lon,
        channel=Channel.WEB,
        submitted_at=datetime.now(UTC),
        device_key_hash=uuid.uuid4().hex,
    )


def produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes]]) -> None:
    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
        await producer.start()
        try:
            for key, value in messages:
                await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()

    asyncio.run(run())


def read_all(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every message of ``topic`` up to its end offsets at the time of the call."""
    return asyncio.run(read_to_end(bootstrap, topic))


def routed(submitted: ReportSubmitted, *, chain: tuple[UnitRef, ...]) -> ReportRouted:
    """A ReportRouted as the geo-router sends it, owned by the last unit of ``chain``."""
    lat, lon = submitted.lat, submitted.lon
    return ReportRouted(
        event_id=uuid.uuid4(),
        report=submitted,
        cells=H3Cells(
            routing=h3.latlng_to_cell(lat, lon, 7),
            dedup=h3.latlng_to_cell(lat, lon, 9),
            hotspot=h3.latlng_to_cell(lat, lon, 8),
        ),
        unit_id=chain[-1].unit_id,
        unit_chain=chain,
        jurisdiction_version="test",
        routed_at=datetime.now(UTC),
    )
