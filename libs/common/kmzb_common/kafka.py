"""The one Kafka producer factory and topic administration (aiokafka)."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.structs import ConsumerRecord, TopicPartition

from kmzb_contracts import TOPIC_PARTITIONS

from .settings import ServiceSettings

__all__ = ["create_producer", "ensure_topics", "broker_reachable", "read_to_end"]

log = logging.getLogger(__name__)


def create_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """An acks=all producer. Not idempotent: Tansu refuses it, so consumers dedupe by event id."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=False,
        linger_ms=2,
        request_timeout_ms=int(settings.kafka_request_timeout_s * 1000),
    )


async def ensure_topics(bootstrap: str, names: list[str], *, partitions: int = TOPIC_PARTITIONS) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="kmzb-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return
        try:
            await admin.create_topics(
                [NewTopic(name=n, num_partitions=partitions, replication_factor=1) for n in missing]
            )
        except TopicAlreadyExistsError:
            pass
        log.info("topics created", extra={"topics": missing})
    finally:
        await admin.close()


async def broker_reachable(bootstrap: str, *, timeout_s: float = 3.0) -> bool:
    """Whether the broker answers a metadata request within the timeout."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000))
    try:
        await asyncio.wait_for(client.bootstrap(), timeout_s)
        return True
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await client.close()


async def read_to_end(
    bootstrap: str, topic: str, *, last: int | None = None, fetch_max_wait_ms: int = 500
) -> list[ConsumerRecord]:
    """Every record of ``topic`` (or the ``last`` of each partition) up to its end offsets at the time of the call.

    The one raw reader of a topic's tail: tools, tests and a restarting worker's look-back use it.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=fetch_max_wait_ms
    )
    await consumer.start()
    try:
        await consumer.topics()  # loads the cluster metadata, so the topic's partitions are known
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        pending = set()
        for tp in partitions:
            if ends[tp] > starts[tp]:
                consumer.seek(tp, starts[tp] if last is None else max(starts[tp], ends[tp] - last))
                pending.add(tp)
        records: list[ConsumerRecord] = []
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for tp_records in batch.values():
                records.extend(tp_records)
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        return records
    finally:
        await consumer.stop()
