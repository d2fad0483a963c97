"""Rasa's endpoint calls reuse one connection, with the headers and authentication Rasa
would send, and survive the connection closing in between.

rasa_addons runs inside Rasa's environment, so the check runs there, in a subprocess, against
a small aiohttp server of its own on 127.0.0.1.
"""

from __future__ import annotations

from tests.rasa_addons.rasa_env import run_in_rasa

CHECK = """
import asyncio, json
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig
from rasa_addons import kept_alive_endpoints

seen = []

async def handler(request):
    seen.append({
        "peer": request.transport.get_extra_info("peername")[1],
        "auth": request.headers.get("Authorization"),
        "custom": request.headers.get("X-Custom"),
        "token": request.query.get("token"),
        "body": await request.json(),
    })
    return web.json_response({"echo": seen[-1]["body"]})

async def main():
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app, keepalive_timeout=30)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    kept_alive_endpoints.install()
    endpoint = EndpointConfig(
        f"http://127.0.0.1:{port}/webhook",
        headers={"X-Custom": "yes"},
        basic_auth={"username": "u", "password": "p"},
        token="secret",
    )
    answers = [await endpoint.request(json={"n": n}) for n in range(3)]
    await asyncio.sleep(kept_alive_endpoints.IDLE_SECONDS + 0.5)  # idle: closed by us
    answers.append(await endpoint.request(json={"n": 3}))
    await kept_alive_endpoints.close_all()
    await runner.cleanup()
    print(json.dumps({"answers": answers, "seen": seen}))

asyncio.run(main())
"""


def test_calls_share_a_connection_until_it_has_been_idle() -> None:
    report = run_in_rasa(CHECK)
    assert report["answers"] == [{"echo": {"n": n}} for n in range(4)]
    seen = report["seen"]
    assert {r["auth"] for r in seen} == {"Basic dTpw"}  # base64("u:p")
    assert {r["custom"] for r in seen} == {"yes"}
    assert {r["token"] for r in seen} == {"secret"}
    ports = [r["peer"] for r in seen]
    assert ports[0] == ports[1] == ports[2], "the first three calls share one connection"
    assert ports[3] != ports[0], "after the idle limit a fresh connection is opened"
