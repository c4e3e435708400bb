"""Load shedding: beyond the requests in progress allowed, a clear 503 at once instead of a queue."""

import asyncio

import httpx
from fastapi import FastAPI

from kmzb_common.http import install_common_routes, install_load_shedding


def _app(release: asyncio.Event) -> FastAPI:
    app = FastAPI()
    install_common_routes(app, checks={})
    install_load_shedding(app, max_in_flight=2, exempt_prefixes=("/svc/",))

    @app.post("/slow")
    async def slow() -> dict[str, bool]:
        await release.wait()
        return {"done": True}

    @app.get("/svc/feed")
    async def feed() -> dict[str, bool]:
        await release.wait()
        return {"done": True}

    return app


def test_requests_beyond_the_limit_get_503_with_retry_after_and_probes_still_answer():
    async def scenario() -> None:
        release = asyncio.Event()
        transport = httpx.ASGITransport(app=_app(release))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [asyncio.ensure_future(client.post("/slow")) for _ in range(2)]
            streams = [asyncio.ensure_future(client.get("/svc/feed")) for _ in range(3)]  # not counted
            await asyncio.sleep(0.05)
            refused = await client.post("/slow", headers={"accept-language": "en"})
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "2"
            assert refused.json()["error"]["code"] == "overloaded"
            assert "overloaded" in refused.json()["error"]["message"]
            polish = await client.post("/slow")
            assert "przeciążony" in polish.json()["error"]["message"]
            assert (await client.get("/healthz")).status_code == 200
            release.set()
            assert [r.status_code for r in await asyncio.gather(*held, *streams)] == [200] * 5
            # The slots are given back once the requests end.
            assert (await client.post("/slow")).status_code == 200

    asyncio.run(scenario())
