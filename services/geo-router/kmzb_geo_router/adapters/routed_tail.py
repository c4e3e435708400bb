"""Report ids in the tail of the routed topic: what a crashed worker already sent but had not marked."""

from __future__ import annotations

import json

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

__all__ = ["recent_routed_report_ids"]


async def recent_routed_report_ids(bootstrap: str, topic: str, *, per_partition: int, fetch_wait_ms: int) -> set[str]:
    """Report ids of the last ``per_partition`` messages of every partition of the routed topic."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=fetch_wait_ms
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer.topics()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return set()
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        pending = set()
        for tp in tps:
            if ends[tp] > starts[tp]:
                consumer.seek(tp, max(starts[tp], ends[tp] - per_partition))
                pending.add(tp)
        out: set[str] = set()
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    try:
                        out.add(str(json.loads(record.value)["report"]["report_id"]))
                    except (ValueError, KeyError, TypeError):
                        continue
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
        return out
    finally:
        await consumer.stop()
