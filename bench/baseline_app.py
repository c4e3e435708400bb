"""The baseline of the intake benchmark: a bare FastAPI endpoint that validates the same request
model and awaits the same acks=all Kafka send, with none of intake's rules, store or metrics.

Run: python bench/baseline_app.py --port 8100 --bootstrap 127.0.0.1:9092
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI

from kmzb_common.kafka import create_producer
from kmzb_common.settings import ServiceSettings
from kmzb_contracts import Channel, ReportSubmitted, encode
from kmzb_intake.entrypoints.api import ReportIn

TOPIC = "kmzb.bench.baseline.v1"


def create_app(bootstrap: str) -> FastAPI:
    settings = ServiceSettings(kafka_bootstrap=bootstrap, service_name="bench-baseline")
    state = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        producer = create_producer(settings)
        await producer.start()
        state["producer"] = producer
        yield
        await producer.stop()

    app = FastAPI(lifespan=lifespan)

    @app.post("/api/v1/reports", status_code=202)
    async def submit(body: ReportIn) -> dict[str, str]:
        report = ReportSubmitted(
            event_id=uuid.uuid4(),
            report_id=uuid.uuid4(),
            category=body.category,
            lat=body.lat,
            lon=body.lon,
            description=body.description,
            channel=Channel.WEB,
            submitted_at=datetime.now(UTC),
        )
        await state["producer"].send_and_wait(TOPIC, encode(report), key=report.key())
        return {"report_id": str(report.report_id)}

    @app.get("/readyz")
    async def readyz() -> dict[str, bool]:
        return {"ready": True}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bootstrap", required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.bootstrap), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
