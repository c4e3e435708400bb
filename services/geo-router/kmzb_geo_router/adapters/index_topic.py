"""Published jurisdiction index versions on a compacted Kafka topic; every worker follows it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.structs import TopicPartition

from kmzb_common.kafka import create_producer
from kmzb_common.settings import ServiceSettings

__all__ = ["ensure_index_topic", "publish_index", "follow_index"]

log = logging.getLogger(__name__)

INDEX_KEY = b"jurisdiction"


async def ensure_index_topic(bootstrap: str, topic: str) -> None:
    """Create the one-partition compacted topic if it does not exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="kmzb-geo-router-admin")
    await admin.start()
    try:
        if topic in set(await admin.list_topics()):
            return
        try:
            await admin.create_topics(
                [NewTopic(topic, num_partitions=1, replication_factor=1, topic_configs={"cleanup.policy": "compact"})]
            )
        except TopicAlreadyExistsError:
            pass
    finally:
        await admin.close()


async def publish_index(settings: ServiceSettings, topic: str, data: bytes) -> None:
    """Send index bytes (already validated by the caller) under the one key, so compaction keeps the latest."""
    await ensure_index_topic(settings.kafka_bootstrap, topic)
    producer = create_producer(settings)
    producer._max_request_size = max(producer._max_request_size, len(data) + 4096)
    await producer.start()
    try:
        await producer.send_and_wait(topic, data, key=INDEX_KEY)
    finally:
        await producer.stop()


async def follow_index(bootstrap: str, topic: str, on_index: Callable[[bytes], None], *, fetch_wait_ms: int) -> None:
    """Call ``on_index`` with every published version, oldest first, until cancelled (no consumer group)."""
    await ensure_index_topic(bootstrap, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=fetch_wait_ms,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        while True:
            try:
                batch = await consumer.getmany(tp, timeout_ms=1000)
            except KafkaError as exc:
                log.warning("index topic unreadable, retrying", extra={"error": repr(exc)})
                await asyncio.sleep(1)
                continue
            for record in batch.get(tp, []):
                on_index(record.value)
    finally:
        await consumer.stop()
