"""Structured logs: the log context carries report and unit ids; per-event lines are sampled by report."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import kmzb_contracts
from kmzb_common.logs import EventSampler, JsonFormatter, bind_log_context, log_event
from kmzb_common.streams import decoded
from kmzb_contracts import ReportRouted, decode

SAMPLES = Path(kmzb_contracts.__file__).parent / "samples" / "v1"


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """A logger named ``kmzb.test`` writing JSON lines into a buffer, with half the reports sampled."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter("test"))
    handler.addFilter(EventSampler(0.5))
    logger = logging.getLogger("kmzb.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    bind_log_context()
    yield buffer
    logger.removeHandler(handler)
    bind_log_context()


def _docs(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_every_line_carries_the_bound_report_and_unit(lines: io.StringIO) -> None:
    """Ordinary lines written after binding carry both ids without passing them."""
    bind_log_context(report_id="r-1", unit_id="KMP-1261")
    logging.getLogger("kmzb.test").warning("store slow", extra={"attempt": 2})
    (doc,) = _docs(lines)
    assert doc["report_id"] == "r-1"
    assert doc["unit_id"] == "KMP-1261"
    assert doc["attempt"] == 2
    assert doc["service"] == "test" and doc["level"] == "WARNING"


def test_rebinding_drops_ids_of_the_previous_event(lines: io.StringIO) -> None:
    """A new event without a unit does not inherit the unit of the one before."""
    bind_log_context(report_id="r-1", unit_id="KMP-1261")
    bind_log_context(report_id="r-2")
    logging.getLogger("kmzb.test").warning("next")
    (doc,) = _docs(lines)
    assert doc["report_id"] == "r-2"
    assert "unit_id" not in doc


def test_event_lines_are_sampled_by_report_the_same_way_everywhere(lines: io.StringIO) -> None:
    """Roughly the configured share of reports is kept, and a kept report is kept on every line."""
    logger = logging.getLogger("kmzb.test")
    report_ids = [str(uuid.UUID(int=n)) for n in range(400)]
    for report_id in report_ids:
        bind_log_context(report_id=report_id)
        log_event(logger, "report accepted")
        log_event(logger, "report routed")
    docs = _docs(lines)
    kept = [doc["report_id"] for doc in docs]
    assert 120 < len(set(kept)) < 280
    assert all(kept.count(report_id) == 2 for report_id in set(kept))
    assert all(doc["level"] == "INFO" for doc in docs)
    assert not any("_kmzb_event" in doc for doc in docs)


def test_ordinary_lines_are_never_sampled_away(lines: io.StringIO) -> None:
    """Only per-event lines are sampled: warnings about any report are always written."""
    logger = logging.getLogger("kmzb.test")
    for n in range(50):
        bind_log_context(report_id=str(uuid.UUID(int=n)))
        logger.warning("dead letter")
    assert len(_docs(lines)) == 50


def test_sample_rate_outside_zero_to_one_is_refused() -> None:
    """A mistyped rate fails at start-up instead of silently logging everything or nothing."""
    with pytest.raises(ValueError, match="sample rate"):
        EventSampler(1.5)


def test_stream_agents_log_with_the_ids_of_the_event_they_handle(lines: io.StringIO) -> None:
    """``decoded`` binds the report id and unit id of each event before the agent sees it."""
    value = (SAMPLES / "ReportRouted.json").read_bytes()
    expected = decode(value, ReportRouted)
    logger = logging.getLogger("kmzb.test")

    async def stream() -> AsyncIterator[bytes]:
        yield value

    async def consume() -> None:
        async for _ in decoded(stream(), ReportRouted, dead_letter=None, source="kmzb.reports.routed.v1"):  # type: ignore[arg-type]
            logger.warning("handled")

    asyncio.run(consume())
    (doc,) = _docs(lines)
    assert doc["report_id"] == str(expected.report.report_id)
    assert doc["unit_id"] == expected.unit_id


def test_a_line_outside_the_sample_builds_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """configure_logging's rate is checked before a record exists: the same reports, no record for the rest."""
    from kmzb_common import logs

    made: list[str] = []
    real_make = logging.Logger.makeRecord

    def counting(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        made.append(args[4])
        return real_make(self, *args, **kwargs)

    monkeypatch.setattr(logging.Logger, "makeRecord", counting)
    monkeypatch.setattr(logs, "_event_rate", 0.5)
    logger = logging.getLogger("kmzb.test.early")
    logger.setLevel(logging.INFO)
    report_ids = [str(uuid.UUID(int=n)) for n in range(400)]
    for report_id in report_ids:
        log_event(logger, "report routed", report_id=report_id)
    expected = [r for r in report_ids if EventSampler(0.5).filter(_record(r))]
    assert len(made) == len(expected) and 120 < len(made) < 280


def _record(report_id: str) -> logging.LogRecord:
    record = logging.LogRecord("kmzb.test", logging.INFO, __file__, 0, "m", (), None)
    record.report_id = report_id
    record._kmzb_event = True
    return record
