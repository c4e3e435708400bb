"""Hostile input: a corpus of nasty requests kept in the repo, replayed against the live services.

Each must get the 4xx it names (with its error code where one is named), never a 5xx, and none
may put anything on the broker.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from kafka_helpers import read_all

pytestmark = pytest.mark.integration

CORPUS = [
    json.loads(line)
    for line in (Path(__file__).parent / "corpus" / "hostile_requests.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _send(stack, case):
    headers = {"cookie": f"kmzb_device={secrets.token_urlsafe(12)}", **case.get("headers", {})}
    with stack.client(case["service"]) as client:
        if "json" in case:
            return client.request(case["method"], case["path"], json=case["json"], headers=headers)
        raw = case.get("raw")
        headers.setdefault("content-type", "application/json")
        return client.request(case["method"], case["path"], content=raw.encode() if raw else None, headers=headers)


def _error_code(resp) -> str | None:
    """The stable code of KMZB's error format, or of Open311's [{code, description}]."""
    if "json" not in resp.headers.get("content-type", ""):
        return None
    body = resp.json()
    if isinstance(body, list):
        return str(body[0].get("code")) if body and isinstance(body[0], dict) else None
    return body.get("error", {}).get("code")


def test_the_corpus_is_refused_case_by_case_and_nothing_reaches_the_broker(stack):
    topics = stack.broker.topics
    before = {t: len(read_all(stack.broker.bootstrap, t)) for t in (topics.reports_submitted, topics.statistics)}
    wrong = []
    for case in CORPUS:
        resp = _send(stack, case)
        code = _error_code(resp)
        if resp.status_code >= 500 or resp.status_code not in case["expect"]:
            wrong.append(f"{case['name']}: {resp.status_code} {resp.text[:200]}")
        elif "code" in case and code != case["code"]:
            wrong.append(f"{case['name']}: code {code!r}, expected {case['code']!r}")
    assert not wrong, "\n".join(wrong)
    after = {t: len(read_all(stack.broker.bootstrap, t)) for t in before}
    assert after == before
