"""`make run`: the whole system on the embedded default.

Tansu broker (in memory), the four services as processes with prefixed logs, the in-process
store, demo data; Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

from kmzb_common.kafka import ensure_topics
from kmzb_contracts import TopicNames
from kmzb_devstack import start_stack, start_tansu

sys.path.insert(0, str(Path(__file__).parent))
from seed_demo import publish, synthetic_reports  # noqa: E402

SERVICE_OFFSETS = {"intake": 0, "notifier": 1, "stats": 2, "geo-router": 3}
# The demo's community officer walks Stare Miasto and Podgórze in Kraków (two H3 r7 cells, about
# 5 km² each): her console lists that beat first.
DEMO_BEATS = [
    {"officer_id": "dzielnicowy.krakow", "unit_id": "KMP-1261", "cells": ["871e2e6b1ffffff", "871e2e6b3ffffff"]}
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kafka-port", type=int, default=int(os.environ.get("KMZB_KAFKA_PORT", "9092")))
    parser.add_argument("--demo-count", type=int, default=int(os.environ.get("KMZB_DEMO_COUNT", "300")))
    parser.add_argument("--no-demo", action="store_true", default=os.environ.get("KMZB_DEMO") == "0")
    parser.add_argument("--log-dir", default="var/log")
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(os.environ.get("KMZB_PORT_BASE", "8000")),
        help="intake's port; notifier, stats and geo-router take the next three",
    )
    args = parser.parse_args()
    PORTS = {name: args.port_base + offset for name, offset in SERVICE_OFFSETS.items()}

    from datetime import UTC, datetime

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM behaves like Ctrl-C, and Ctrl-C works even where a shell started us with SIGINT
    # ignored: unwind to the finally block, which stops every child.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    log_dir = Path(args.log_dir)
    broker = start_tansu(port=args.kafka_port, log_dir=log_dir, echo=sys.stdout)
    bootstrap = f"127.0.0.1:{args.kafka_port}"
    procs = {}
    try:
        asyncio.run(ensure_topics(bootstrap, TopicNames().all()))
        # The pages call the other services directly: tell them where those listen.
        web_urls = {
            f"KMZB_INTAKE_WEB_{name.replace('-', '_').upper()}_URL": f"http://127.0.0.1:{PORTS[name]}"
            for name in ("notifier", "stats", "geo-router")
        }
        procs = start_stack(
            bootstrap=bootstrap,
            ports=PORTS,
            log_dir=log_dir,
            echo=sys.stdout,
            json_logs=False,
            extra_env={"intake": web_urls, "notifier": {"KMZB_NOTIFIER_BEATS": json.dumps(DEMO_BEATS)}},
        )
        if not args.no_demo:
            reports = synthetic_reports(args.demo_count, seed=2016, now=datetime.now(UTC))
            asyncio.run(publish(bootstrap, reports, TopicNames().reports_submitted))
            print(f"[run] {len(reports)} demo reports published")
        print(
            "\n[run] KMZB is up (Ctrl-C stops everything):\n"
            f"[run]   intake      http://127.0.0.1:{PORTS['intake']}/docs   POST /api/v1/reports\n"
            f"[run]   notifier    http://127.0.0.1:{PORTS['notifier']}/docs  POST /api/v1/auth/token (demo accounts)\n"
            f"[run]   stats       http://127.0.0.1:{PORTS['stats']}/docs  GET /api/v1/hotspots\n"
            f"[run]   geo-router  http://127.0.0.1:{PORTS['geo-router']}/docs  GET /api/v1/units/lookup?lat=50.06&lon=19.94\n"  # noqa: E501
            f"[run]   pages       http://127.0.0.1:{PORTS['intake']}/mapa  /panel  /konsola  /osadzenie  /pomoc\n"
            f"[run]   Kafka (Tansu, in memory) {bootstrap}; logs in {log_dir}/\n",
            flush=True,
        )
        while True:
            time.sleep(1)
            dead = [n for n, p in procs.items() if not p.alive()] + ([] if broker.alive() else ["tansu"])
            if dead:
                print(f"[run] stopped unexpectedly: {', '.join(dead)}; shutting down", flush=True)
                return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("[run] stopping...", flush=True)
        for p in reversed(list(procs.values())):
            p.stop()
        broker.stop()
        print("[run] stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
