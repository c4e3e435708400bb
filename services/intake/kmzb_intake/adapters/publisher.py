"""Publishing events to Kafka and waiting for the broker's acknowledgement."""

from __future__ import annotations

import asyncio
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from kmzb_contracts import Event, encode

__all__ = ["BrokerUnavailable", "EventPublisher", "KafkaPublisher"]


class BrokerUnavailable(Exception):
    """The broker did not acknowledge the event in time; nothing was accepted."""


class EventPublisher(Protocol):
    """The publishing port."""

    async def publish(self, topic: str, event: Event) -> None:
        """Return once the broker has the event, or raise BrokerUnavailable."""


class KafkaPublisher:
    """Sends with acks=all and returns only once the broker has the event."""

    def __init__(self, producer: AIOKafkaProducer, *, timeout_s: float) -> None:
        self._producer = producer
        self._timeout_s = timeout_s

    async def publish(self, topic: str, event: Event) -> None:
        """Send and wait for the acknowledgement, or raise BrokerUnavailable."""
        key = event.key() if hasattr(event, "key") else None
        try:
            await asyncio.wait_for(self._producer.send_and_wait(topic, encode(event), key=key), self._timeout_s)
        except (KafkaError, TimeoutError) as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
