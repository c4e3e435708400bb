"""Publishing accepted reports to Kafka and waiting for the broker's acknowledgement."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from kmzb_contracts import ReportSubmitted, encode

__all__ = ["BrokerUnavailable", "ReportPublisher"]


class BrokerUnavailable(Exception):
    """The broker did not acknowledge the report in time; nothing was accepted."""


class ReportPublisher:
    """Sends ReportSubmitted with acks=all and returns only once the broker has it."""

    def __init__(self, producer: AIOKafkaProducer, topic: str, *, timeout_s: float) -> None:
        self._producer = producer
        self._topic = topic
        self._timeout_s = timeout_s

    async def publish(self, report: ReportSubmitted) -> None:
        """Send and wait for the acknowledgement, or raise BrokerUnavailable."""
        try:
            await asyncio.wait_for(
                self._producer.send_and_wait(self._topic, encode(report), key=report.key()), self._timeout_s
            )
        except (KafkaError, TimeoutError) as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
