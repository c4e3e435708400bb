"""Direct Kafka access for the integration tests (producing raw events, reading a topic)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from kmzb_contracts import Channel, ReportSubmitted


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

    async def run() -> list[ConsumerRecord]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            if not partitions:
                await consumer.force_metadata_update()
                partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            out: list[ConsumerRecord] = []
            pending = {tp for tp in partitions if ends[tp] > 0}
            while pending:
                batch = await consumer.getmany(*pending, timeout_ms=1000)
                for records in batch.values():
                    out.extend(records)
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
            return out
        finally:
            await consumer.stop()

    return asyncio.run(run())
