"""The one broker fixture for all integration tests, and the whole stack on free ports."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright
from web_browser import browser_page

from kmzb_common.kafka import ensure_topics
from kmzb_contracts import TopicNames
from kmzb_devstack import (
    SERVICES,
    ManagedProcess,
    free_port,
    restart_service,
    stack_links,
    start_stack,
    start_tansu,
)

ARTIFACTS = Path(os.environ.get("KMZB_TEST_ARTIFACTS", "test-artifacts"))


@dataclass
class Broker:
    process: ManagedProcess
    bootstrap: str
    topics: TopicNames


@dataclass
class Stack:
    broker: Broker
    procs: dict[str, ManagedProcess]
    ports: dict[str, int]
    log_dir: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def client(self, name: str) -> httpx.Client:
        return httpx.Client(base_url=self.url(name), timeout=10)

    def restart(self, name: str, *, crash: bool) -> None:
        """Stop a service (SIGKILL when ``crash``) and start it again on the same port."""
        self.procs[name] = restart_service(
            name,
            self.procs[name],
            bootstrap=self.broker.bootstrap,
            crash=crash,
            log_dir=self.log_dir,
            extra=stack_links(name, self.ports),
        )


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    log_dir = ARTIFACTS / "logs"
    proc = start_tansu(log_dir=log_dir)
    bootstrap = f"127.0.0.1:{proc.port}"
    topics = TopicNames()
    asyncio.run(ensure_topics(bootstrap, topics.all()))
    try:
        yield Broker(process=proc, bootstrap=bootstrap, topics=topics)
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def stack(broker: Broker) -> Iterator[Stack]:
    log_dir = ARTIFACTS / "logs"
    ports = {name: free_port() for name in SERVICES}
    # The intake serves the web pages and proxies the other services' APIs for them.
    web = {
        f"KMZB_INTAKE_WEB_{n.upper().replace('-', '_')}_URL": f"http://127.0.0.1:{ports[n]}"
        for n in SERVICES
        if n != "intake"
    }
    procs = start_stack(bootstrap=broker.bootstrap, ports=ports, log_dir=log_dir, extra_env={"intake": web})
    s = Stack(broker=broker, procs=procs, ports=ports, log_dir=log_dir)
    try:
        yield s
    finally:
        for p in s.procs.values():
            p.stop()


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator:
    """Playwright for one test module (its sync API allows one instance at a time per thread)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture
def page(playwright_instance) -> Iterator:  # noqa: ANN001
    """A fresh desktop page in Debian's headless Chromium."""
    yield from browser_page(playwright_instance)
