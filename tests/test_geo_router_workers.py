"""Geo-router workers on the real broker: crash and restart, two workers in one group, index hot swap."""

from __future__ import annotations

import asyncio
import collections
import gzip
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kafka_helpers import produce, read_all, report

from kmzb_common.auth import AuthSettings, TokenIssuer
from kmzb_common.kafka import ensure_topics
from kmzb_contracts import ReportRouted, decode, encode
from kmzb_devstack import ManagedProcess, free_port, service_env, start_service, wait_until
from kmzb_geo_router.adapters.jurisdiction_files import packaged, read_index

pytestmark = pytest.mark.integration

ARTIFACTS = Path("test-artifacts")
# Places spread over several powiats and units, so the routed topic's partitions all get traffic.
AUTH_SECRET = "geo-router-tests-secret-0123456789abcdef"
PLACES = [(50.0614, 19.9366), (54.3520, 18.6466), (52.2318, 21.0060), (49.2992, 19.9496), (51.7592, 19.4560)]


class Workers:
    """Geo-router workers of one consumer group on topics of their own."""

    def __init__(self, broker, tmp_path: Path) -> None:
        run = uuid.uuid4().hex[:8]
        self.bootstrap = broker.bootstrap
        self.submitted = f"test.georouter.{run}.submitted"
        self.routed = f"test.georouter.{run}.routed"
        self.index_topic = f"test.georouter.{run}.index"
        self.app_id = f"test-georouter-{run}"
        self.data_dir = tmp_path
        self.procs: list[ManagedProcess] = []
        asyncio.run(ensure_topics(self.bootstrap, [self.submitted, self.routed]))

    def start(self, name: str, **extra: str) -> ManagedProcess:
        port = free_port()
        env = service_env(
            "geo-router",
            bootstrap=self.bootstrap,
            port=port,
            extra={
                "KMZB_GEO_ROUTER_FAUST_APP_ID": self.app_id,
                "KMZB_GEO_ROUTER_FAUST_DATA_DIR": str(self.data_dir / name),
                "KMZB_GEO_ROUTER_TOPICS__REPORTS_SUBMITTED": self.submitted,
                "KMZB_GEO_ROUTER_TOPICS__REPORTS_ROUTED": self.routed,
                "KMZB_GEO_ROUTER_INDEX_TOPIC": self.index_topic,
                "KMZB_GEO_ROUTER_AUTH__HS256_SECRET": AUTH_SECRET,
                **extra,
            },
        )
        proc = start_service(name, "kmzb_geo_router", port=port, env=env, log_dir=ARTIFACTS / "logs", wait_ready_s=120)
        self.procs.append(proc)
        return proc

    def submit(self, n: int, *, place=None) -> list[str]:
        reports = [
            report(lat=(place or PLACES[i % len(PLACES)])[0], lon=(place or PLACES[i % len(PLACES)])[1])
            for i in range(n)
        ]
        produce(self.bootstrap, self.submitted, [(r.key(), encode(r)) for r in reports])
        return [str(r.report_id) for r in reports]

    def routed_events(self) -> list[ReportRouted]:
        return [decode(m.value, ReportRouted) for m in read_all(self.bootstrap, self.routed)]

    def routed_counts(self) -> collections.Counter[str]:
        return collections.Counter(str(r.report.report_id) for r in self.routed_events())


@pytest.fixture
def workers(broker, tmp_path) -> Iterator[Workers]:
    w = Workers(broker, tmp_path)
    try:
        yield w
    finally:
        for p in w.procs:
            p.stop()


def test_a_worker_killed_mid_stream_and_restarted_routes_every_report_exactly_once(workers):
    ids = workers.submit(3000)
    # Small batches keep the first worker busy long enough to be killed with batches in flight.
    first = workers.start("georouter-crash-1", KMZB_GEO_ROUTER_STREAM_BATCH_MAX="10")
    wait_until(lambda: len(workers.routed_counts()) >= 300, timeout_s=60, what="first routed events")
    first.kill()  # SIGKILL in the middle of the stream: no commit, no flush
    assert len(workers.routed_counts()) < len(ids), "the kill came before the end of the stream"
    workers.start("georouter-crash-2")
    wait_until(lambda: set(ids) <= set(workers.routed_counts()), timeout_s=120, what="all reports routed")
    counts = workers.routed_counts()
    assert {rid: n for rid, n in counts.items() if n != 1} == {}
    assert set(counts) == set(ids)


def test_two_workers_in_one_group_share_the_partitions_and_route_each_report_once(workers):
    a = workers.start("georouter-pair-a")
    b = workers.start("georouter-pair-b")
    ids = workers.submit(400)
    wait_until(lambda: set(ids) <= set(workers.routed_counts()), timeout_s=120, what="all reports routed")
    counts = workers.routed_counts()
    assert set(counts) == set(ids) and set(counts.values()) == {1}
    # Both workers took part: each one's metrics count routed reports.
    per_worker = []
    for proc in (a, b):
        text = httpx.get(proc.url + "/metrics", timeout=10).text
        per_worker.append(
            sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("georouter_reports_routed_total{")
            )
        )
    assert sum(per_worker) == len(ids)
    assert all(n > 0 for n in per_worker), per_worker


def test_a_published_index_version_is_picked_up_by_running_workers_without_restart(workers):
    a = workers.start("georouter-swap-a")
    b = workers.start("georouter-swap-b")
    zakopane = (49.2992, 19.9496)
    before = workers.submit(1, place=zakopane)
    wait_until(lambda: set(before) <= set(workers.routed_counts()), timeout_s=60, what="routed before the swap")
    old = next(r for r in workers.routed_events() if str(r.report.report_id) == before[0])
    assert old.unit_id == "KPP-1217"

    raw = read_index(packaged("jurisdiction_pl.json.gz").read_bytes())
    moved = next(p for p in raw["powiats"] if p["teryt"] == "1217")
    next(p for p in raw["powiats"] if p["teryt"] == "1211")["cells"].extend(moved["cells"])
    moved["cells"] = []
    raw["version"] = "pl-test-" + uuid.uuid4().hex[:8]
    new_index = gzip.compress(json.dumps(raw).encode())
    url = a.url + "/api/v1/jurisdiction/versions"
    issuer = TokenIssuer(AuthSettings(hs256_secret=AUTH_SECRET, dev_login=True))
    admin = {"authorization": "Bearer " + issuer.login("admin", "demo")}
    officer = {"authorization": "Bearer " + issuer.login("dzielnicowy.krakow", "demo")}
    assert httpx.post(url, content=new_index, timeout=30).status_code == 401
    assert httpx.post(url, content=new_index, headers=officer, timeout=30).status_code == 403
    resp = httpx.post(url, content=new_index, headers=admin, timeout=30)
    assert resp.status_code == 202, resp.text
    bad = httpx.post(url, content=b"{}", headers=admin, timeout=30)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_index"

    def both_swapped() -> bool:
        versions = [
            httpx.get(p.url + "/api/v1/jurisdiction", timeout=10).json()["jurisdiction_version"] for p in (a, b)
        ]
        return all(v.startswith(raw["version"]) for v in versions)

    wait_until(both_swapped, timeout_s=60, what="both workers on the new version")
    lookup = httpx.get(b.url + "/api/v1/units/lookup", params={"lat": zakopane[0], "lon": zakopane[1]}, timeout=10)
    assert lookup.json()["unit_id"] == "KPP-1211"
    after = workers.submit(8, place=zakopane)
    wait_until(lambda: set(after) <= set(workers.routed_counts()), timeout_s=60, what="routed after the swap")
    new = [r for r in workers.routed_events() if str(r.report.report_id) in after]
    assert {r.unit_id for r in new} == {"KPP-1211"}
    assert {r.jurisdiction_version for r in new} == {raw["version"] + "+ops5"}


def test_lookup_api_gives_the_chain_with_teryt_codes_and_refuses_berlin(workers):
    proc = workers.start("georouter-api")
    with httpx.Client(base_url=proc.url, timeout=10) as c:
        body = c.get("/api/v1/units/lookup", params={"lat": 50.0614, "lon": 19.9366}).json()
        assert [u["unit_id"] for u in body["unit_chain"]] == ["KGP", "KWP-12", "KMP-1261"]
        assert (body["powiat_teryt"], body["voivodeship_teryt"], body["powiat_name_pl"]) == ("1261", "12", "Kraków")
        berlin = c.get("/api/v1/units/lookup", params={"lat": 52.52, "lon": 13.40}, headers={"accept-language": "en"})
        assert berlin.status_code == 404 and berlin.json()["error"]["code"] == "outside_jurisdiction"
        assert "outside" in berlin.json()["error"]["message"]
        found = c.get("/api/v1/units", params={"q": "tatrzański"}).json()
        assert [u["unit_id"] for u in found] == ["KPP-1217"]
        assert found[0]["contacts"]["drogowe"] == ["Koordynator KMZB", "Wydział Ruchu Drogowego"]
        assert c.get("/api/v1/units/NOPE").status_code == 404
