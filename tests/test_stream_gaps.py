"""Records a consumer jumped over are read back from the broker before the stream goes on."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest
from conftest import Broker
from kafka_helpers import produce

from kmzb_common import streams
from kmzb_common.kafka import ensure_topics
from kmzb_common.settings import ServiceSettings

pytestmark = pytest.mark.integration


def test_skipped_offsets_are_read_back_in_order_with_an_event_of_their_partition(broker: Broker) -> None:
    """faust acknowledges a jump in offsets as compaction; the batch reads the jumped records instead."""
    topic = f"kmzb.test.gaps.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topics(broker.bootstrap, [topic], partitions=1))
    produce(broker.bootstrap, topic, [(None, f"r{i}".encode()) for i in range(20)])
    streams.SKIPPED.add(topic, 0, start=5, end=15)
    after_jump = SimpleNamespace(message=SimpleNamespace(topic=topic, partition=0, offset=15), value=b"r15")
    settings = ServiceSettings(kafka_bootstrap=broker.bootstrap)

    read_back = asyncio.run(streams._read_back_skipped([after_jump], settings))

    assert [value for _, value in read_back] == [f"r{i}".encode() for i in range(5, 15)]
    assert all(event is after_jump for event, _ in read_back), "table writes must go to the record's partition"
    assert asyncio.run(streams._read_back_skipped([after_jump], settings)) == [], "a range is read back once"


def test_a_partition_without_skipped_offsets_reads_nothing_back(broker: Broker) -> None:
    """Only the jumped partitions cost a read: the others' batches go straight on."""
    streams.SKIPPED.add("kmzb.other.topic", 3, start=0, end=10)
    event = SimpleNamespace(message=SimpleNamespace(topic="kmzb.other.topic", partition=1, offset=7), value=b"x")
    settings = ServiceSettings(kafka_bootstrap=broker.bootstrap)
    assert asyncio.run(streams._read_back_skipped([event], settings)) == []
    assert streams.SKIPPED.take("kmzb.other.topic", 3) == [(0, 10)]


def test_an_empty_or_reversed_range_is_not_noted() -> None:
    skipped = streams.SkippedOffsets()
    skipped.add("t", 0, start=10, end=10)
    skipped.add("t", 0, start=12, end=11)
    assert skipped.take("t", 0) == []
