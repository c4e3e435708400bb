"""Structured JSON logs that let one report be followed through all four services.

Every line carries the log context of the task that wrote it: intake binds the report id when it
accepts a report, every stream agent binds the report id and unit id of the event it handles (see
``kmzb_common.streams.decoded``). Per-event lines (``log_event``) are INFO but sampled by report
id: the same reports are kept in every service, so a sampled report can be followed end to end
while 1,000 reports a second do not flood the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = [
    "configure_logging",
    "bind_log_context",
    "event_log_context",
    "log_event",
    "JsonFormatter",
    "EventSampler",
]

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_EVENT_FLAG = "_kmzb_event"
_CONTEXT: ContextVar[dict[str, str] | None] = ContextVar("kmzb_log_context", default=None)


def bind_log_context(*, report_id: object = None, unit_id: object = None) -> None:
    """Set the ids every later log line of the current task (request or agent) carries; None drops one."""
    fields = {"report_id": report_id, "unit_id": unit_id}
    _CONTEXT.set({key: str(value) for key, value in fields.items() if value is not None})


def event_log_context(event: object) -> dict[str, object]:
    """The report id and unit id an event names, directly or through its embedded report."""
    report = getattr(event, "report", None)
    return {
        "report_id": getattr(event, "report_id", None) or getattr(report, "report_id", None),
        "unit_id": getattr(event, "unit_id", None),
    }


_event_rate = 1.0
"""The sampled share of per-event lines, as configured; checked before a record is made."""


def log_event(logger: logging.Logger, msg: str, **fields: object) -> None:
    """An INFO line about one report's event, kept only for the sampled share of reports.

    A line outside the sample costs one hash: no log record is built for it.
    """
    if _event_rate < 1.0 and not _sampled(fields.get("report_id"), _event_rate):
        return
    logger.info(msg, extra={**fields, _EVENT_FLAG: True})


def _sampled(report_id: object, rate: float) -> bool:
    report_id = report_id or (_CONTEXT.get() or {}).get("report_id")
    return report_id is not None and _sample_point(str(report_id)) < rate


def _sample_point(report_id: str) -> float:
    """A stable point in [0, 1) for a report id: the same in every service and process."""
    digest = hashlib.blake2b(report_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class EventSampler(logging.Filter):
    """Keeps every ordinary line and the ``log_event`` lines of a ``rate`` share of reports."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"event sample rate must be within [0, 1], got {rate}")
        self.rate = rate

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, _EVENT_FLAG, False) or self.rate >= 1.0:
            return True
        return _sampled(getattr(record, "report_id", None), self.rate)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: the log context, then the record's extra fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        doc.update(_CONTEXT.get() or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(f"{key}={value}" for key, value in (_CONTEXT.get() or {}).items())
        return f"{line} [{context}]" if context else line


def configure_logging(service: str, *, level: str = "INFO", json_lines: bool = True, event_sample: float = 1.0) -> None:
    """Route all logging to stderr, as JSON lines or plain text; keep ``event_sample`` of per-event lines."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(_TextFormatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(EventSampler(event_sample))
    global _event_rate
    _event_rate = event_sample
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "faust", "mode", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
