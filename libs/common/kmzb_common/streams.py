"""The one faust app factory; stream services run faust inside their FastAPI lifespan."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import faust
import faust.streams
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import EventT

from kmzb_contracts import TOPIC_PARTITIONS, DecodeError, Event, decode

from .kafka import read_range
from .logs import bind_log_context, event_log_context
from .retry import retry
from .settings import ServiceSettings

__all__ = [
    "create_faust_app",
    "RecoveryGate",
    "raw_topic",
    "decoded",
    "decoded_batches",
    "raw_batches",
    "InputContinuity",
    "within_event",
    "until_acked",
    "send_dead_letter",
]

E = TypeVar("E", bound=Event)

log = logging.getLogger(__name__)


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # faust hard-codes a 1.5 s fetch wait. Apache Kafka answers a fetch as soon as data
        # arrives, but Tansu holds it for the full wait, adding up to 1.5 s a hop.
        consumer._fetch_max_wait_ms = self.app.fetch_max_wait_ms
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> _ConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _add_gap(self, tp: Any, offset_from: int, offset_to: int) -> None:
        # faust takes a jump in a partition's offsets for compaction or transaction markers and
        # counts the missing offsets as acknowledged. Our topics have neither: a jump means the
        # records were not delivered (seen on Tansu right after a worker's restart). Workers that
        # keep an InputContinuity read them back; the warning makes every jump visible.
        log.warning(
            "consumer offsets jumped",
            extra={"partition": str(tp), "from_offset": offset_from, "to_offset": offset_to},
        )
        await super()._add_gap(tp, offset_from, offset_to)


class _Producer(faust_aiokafka.Producer):
    async def flush(self) -> None:
        # faust's buffer flush gives up as soon as one message takes over 0.1 s to leave, and the
        # consumer then commits offsets whose table changelog writes were never sent: a crash (or
        # a busy loop at shutdown) lost counts. Drain the buffer completely before committing.
        deadline = time.monotonic() + 60
        while self.buffer.size and time.monotonic() < deadline:
            await self.buffer.flush()
        if self.buffer.size:
            log.error("producer buffer not drained in 60 s", extra={"pending": self.buffer.size})
        await super().flush()


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer
    Producer = _Producer


class StreamApp(faust.App):
    """A faust app whose consumers use the configured fetch wait."""

    fetch_max_wait_ms: int = 1500

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)


def create_faust_app(app_id: str, settings: ServiceSettings, **overrides: Any) -> faust.App:
    """A faust app for ``settings``: at-least-once, in-memory tables backed by changelog topics."""
    session_timeout = settings.kafka_session_timeout_s
    datadir = Path(settings.faust_data_dir) / app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "broker": [f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")],
        "store": "memory://",
        "datadir": datadir,
        "web_enabled": False,
        "autodiscover": False,
        "topic_partitions": TOPIC_PARTITIONS,
        "topic_replication_factor": settings.kafka_replication_factor,
        "topic_allow_declare": True,
        "producer_acks": -1,
        # Sends of a batch leave together: Tansu spends ~200 µs of CPU on each produce request.
        "producer_linger": 0.005,
        "producer_max_batch_size": settings.kafka_producer_batch_bytes,
        "consumer_auto_offset_reset": "earliest",
        "broker_session_timeout": session_timeout,
        "broker_heartbeat_interval": max(0.5, session_timeout / 10),
        "broker_rebalance_timeout": max(session_timeout, 10.0),
        "broker_commit_every": 500,
        "broker_commit_interval": 1.0,
        "stream_wait_empty": False,
        "table_cleanup_interval": 30.0,
    }
    options.update(overrides)
    app = StreamApp(app_id, **options)
    app.fetch_max_wait_ms = settings.kafka_fetch_max_wait_ms
    return app


class RecoveryGate:
    """Tracks whether the faust app finished its first rebalance and table recovery (for /readyz)."""

    def __init__(self, app: faust.App) -> None:
        self.ready = False
        app.on_rebalance_complete.connect(self._on_complete)

    async def _on_complete(self, sender: Any, **_: Any) -> None:
        log.info("faust rebalance and recovery complete", extra={"first": not self.ready})
        self.ready = True

    async def check(self) -> None:
        """Raise until the first rebalance completed."""
        if not self.ready:
            raise RuntimeError("stream worker still joining its consumer group or recovering tables")


async def send_dead_letter(topic: faust.TopicT, *, value: bytes, reason: str, source: str) -> None:
    """Keep a message no consumer could parse, with the reason, instead of dropping it."""
    log.warning("message sent to dead-letter topic", extra={"source_topic": source, "reason": reason[:500]})
    await topic.send(
        value=value,
        headers={"kmzb-reason": reason[:1000].encode(), "kmzb-source-topic": source.encode()},
    )


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic of raw bytes: events are parsed with the contracts, not with faust's codecs."""
    return app.topic(name, key_serializer="raw", value_serializer="raw")


async def decoded(
    stream: AsyncIterable[bytes], event_type: type[E], *, dead_letter: faust.TopicT, source: str
) -> AsyncIterator[E]:
    """The stream's events parsed as ``event_type``; unreadable ones go to the dead-letter topic."""
    async for value in stream:
        bind_log_context()
        try:
            event = decode(value, event_type)
        except DecodeError as exc:
            await send_dead_letter(dead_letter, value=value, reason=str(exc), source=source)
            continue
        bind_log_context(**event_log_context(event))
        yield event


async def decoded_batches(
    stream: faust.StreamT[bytes],
    event_type: type[E],
    *,
    dead_letter: faust.TopicT,
    source: str,
    settings: ServiceSettings,
    continuity: InputContinuity | None = None,
) -> AsyncIterator[list[tuple[EventT, E]]]:
    """The stream in batches of (faust event, parsed event); unreadable ones go to the dead-letter topic.

    A batch holds up to ``stream_batch_max`` events and waits at most ``stream_batch_within_ms``
    to fill. Its offsets are acknowledged only after the agent has finished with the whole batch,
    so a crash redelivers it (at-least-once). One batch costs one broker round trip for its
    outputs instead of one per event: awaited one by one, acknowledgements capped a stage at about
    170 events a second on Tansu.
    """
    async for raw in raw_batches(stream, settings=settings, continuity=continuity):
        batch: list[tuple[EventT, E]] = []
        for event, value in raw:
            try:
                batch.append((event, decode(value, event_type)))
            except DecodeError as exc:
                await send_dead_letter(dead_letter, value=value, reason=str(exc), source=source)
        if batch:
            yield batch


async def raw_batches(
    stream: faust.StreamT[bytes], *, settings: ServiceSettings, continuity: InputContinuity | None = None
) -> AsyncIterator[list[tuple[EventT, bytes]]]:
    """The stream in batches of (faust event, message value); with ``continuity``, jumped-over records first.

    A batch holds up to ``stream_batch_max`` events and waits at most ``stream_batch_within_ms``
    to fill; its offsets are acknowledged only after the agent has finished with the whole batch.
    """
    within = settings.stream_batch_within_ms / 1000
    async for events in stream.take_events(settings.stream_batch_max, within=within):
        read_back = await continuity.read_back(events, settings) if continuity is not None else []
        yield [*read_back, *((e, e.value) for e in events)]


class InputContinuity:
    """Keeps each input partition's next offset and reads back the records a batch jumps over.

    After a restart on Tansu a worker's consumer was seen to jump hundreds of offsets ahead, and
    faust acknowledges such a jump as if the topic were compacted: the records in between were
    never handled. The next offset of every partition sits in a table (``next_offsets``, a faust
    table with a changelog, keyed ``<topic>:<partition>``), so a jump is found whatever caused it,
    even across restarts, and the records are read back from the broker and handed to the agent
    before the batch, each with an event of its own partition: table writes go to that partition
    and the batch's acknowledgement covers them. Consumers are idempotent by id, so reading back a
    record that did arrive is harmless.
    """

    def __init__(self, next_offsets: MutableMapping[str, int]) -> None:
        self._next = next_offsets

    async def read_back(self, events: Sequence[EventT], settings: ServiceSettings) -> list[tuple[EventT, bytes]]:
        """The records missing before ``events``, per partition in offset order; notes the partitions' next offsets."""
        out: list[tuple[EventT, bytes]] = []
        latest: dict[str, tuple[EventT, int]] = {}
        for event in events:
            topic, partition, offset = event.message.topic, event.message.partition, event.message.offset
            key = f"{topic}:{partition}"
            expected = latest[key][1] if key in latest else self._next.get(key)
            if expected is not None and offset > expected:
                # The stream does not go on without the records it skipped: read until they come.
                records = await retry(
                    lambda topic=topic, partition=partition, start=expected, end=offset: read_range(
                        settings.kafka_bootstrap, topic, partition, start=start, end=end
                    ),
                    on=Exception,
                    what="reading back skipped records",
                    wait_initial_s=0.5,
                )
                log.warning(
                    "records the consumer jumped over read back",
                    extra={"topic": topic, "partition": partition, "from_offset": expected, "to_offset": offset},
                )
                out.extend((event, r.value) for r in records if r.value is not None)
            latest[key] = (event, max(offset + 1, expected or 0))
        for key, (event, next_offset) in latest.items():
            with within_event(event):
                self._next[key] = next_offset
        return out


@contextmanager
def within_event(event: EventT) -> Iterator[None]:
    """Act as if ``event`` were the stream's current one: table writes go to its partition.

    faust picks a table changelog's partition from the current event; inside a batch that is the
    batch's last event, which may come from another partition.
    """
    token = faust.streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust.streams._current_event.reset(token)


async def until_acked(
    ack: Awaitable[object], resend: Callable[[], Awaitable[Awaitable[object]]], *, max_delay_s: float = 10.0
) -> None:
    """Wait for a send's acknowledgement; if the broker refused it, send it again until one comes.

    The stream does not go on (nor acknowledge its input) without its output: a broker outage
    stalls it instead of losing events. Outputs carry ids derived from their input, so a copy
    the broker took after all is skipped by consumers.
    """
    # The acknowledgement to wait for; None once awaited and refused, so the next try resends.
    pending: list[Awaitable[object] | None] = [ack]

    async def step() -> None:
        if pending[0] is None:
            pending[0] = await resend()
        current, pending[0] = pending[0], None
        await current

    await retry(step, on=Exception, what="send not acknowledged, resending", wait_max_s=max_delay_s)
