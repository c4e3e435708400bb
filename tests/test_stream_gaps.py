"""Records a consumer jumped over are read back from the broker before the stream goes on."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest
from kafka_helpers import produce

from conftest import Broker
from kmzb_common.kafka import ensure_topics
from kmzb_common.settings import ServiceSettings
from kmzb_common.streams import InputContinuity

pytestmark = pytest.mark.integration


class _Event:
    """A faust event as the batches see it: its message's place, and its value."""

    def __init__(self, topic: str, offset: int, partition: int = 0) -> None:
        self.message = SimpleNamespace(topic=topic, partition=partition, offset=offset)
        self.value = f"r{offset}".encode()


_event = _Event


@pytest.fixture
def topic(broker: Broker) -> str:
    name = f"kmzb.test.gaps.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topics(broker.bootstrap, [name], partitions=1))
    produce(broker.bootstrap, name, [(None, f"r{i}".encode()) for i in range(20)])
    return name


def test_records_a_batch_jumps_over_are_read_back_in_order_with_an_event_of_their_partition(
    broker: Broker, topic: str
) -> None:
    """faust acknowledges a jump in offsets as compaction; the continuity check reads the records instead."""
    next_offsets: dict[str, int] = {}
    continuity = InputContinuity(next_offsets)
    settings = ServiceSettings(kafka_bootstrap=broker.bootstrap)
    first = [_event(topic, 0), _event(topic, 1), _event(topic, 2)]
    assert asyncio.run(continuity.read_back(first, settings)) == []
    assert next_offsets == {f"{topic}:0": 3}

    after_jump = _event(topic, 15)
    read_back = asyncio.run(continuity.read_back([after_jump, _event(topic, 16)], settings))

    assert [value for _, value in read_back] == [f"r{i}".encode() for i in range(3, 15)]
    assert all(event is after_jump for event, _ in read_back), "table writes must go to the record's partition"
    assert next_offsets == {f"{topic}:0": 17}


def test_a_jump_inside_one_batch_and_a_redelivery_are_told_apart(broker: Broker, topic: str) -> None:
    """A redelivered offset reads nothing back; a hole between two events of a batch is read back."""
    next_offsets = {f"{topic}:0": 10}
    continuity = InputContinuity(next_offsets)
    settings = ServiceSettings(kafka_bootstrap=broker.bootstrap)
    batch = [_event(topic, 8), _event(topic, 9), _event(topic, 10), _event(topic, 13)]
    read_back = asyncio.run(continuity.read_back(batch, settings))
    assert [value for _, value in read_back] == [b"r11", b"r12"]
    assert next_offsets[f"{topic}:0"] == 14


def test_a_partition_seen_for_the_first_time_is_taken_as_it_comes(broker: Broker, topic: str) -> None:
    """Without a stored offset there is nothing to compare with: no read-back, and the offset is kept."""
    next_offsets: dict[str, int] = {}
    settings = ServiceSettings(kafka_bootstrap=broker.bootstrap)
    assert asyncio.run(InputContinuity(next_offsets).read_back([_event(topic, 12)], settings)) == []
    assert next_offsets == {f"{topic}:0": 13}
