"""Health checks: liveness (the process answers) and readiness (it can serve a customer).

/healthz is liveness only: the process is up and its event loop answers; restart it when this
fails. /readyz says whether a customer can be served now: the store answers a query, at
least one Rasa server has loaded its model, and one action server answers. Otherwise 503,
naming each part that is down, so a load balancer stops sending customers here (while Rasa
starts, too) and whoever is on call knows where to look. Neither says more than "ok" or
"down" with the reason's kind: no address or secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.gateway.keys import HTTP, SESSIONS, SETTINGS
from bot.gateway.rasa_client import STATUS_PATH

CHECK_TIMEOUT_SECONDS = 3.0


async def liveness(_: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readiness(request: web.Request) -> web.Response:
    app = request.app
    settings = app[SETTINGS]
    http = app[HTTP]
    checks: dict[str, Callable[[], Awaitable[None]]] = {
        "database": lambda: _database(request),
        # /status, with the API token: 200 only once the server has loaded its model. While
        # Rasa starts it refuses (not yet listening) or answers 409 (no model), so a load
        # balancer keeps customers away until it can answer them.
        "rasa": lambda: _any_answers(
            http,
            [f"{url}{STATUS_PATH}" for url in settings.rasa_urls],
            params={"token": settings.rasa_auth_token},
            ok=lambda status: status == 200,
        ),
        "action_server": lambda: _any_answers(
            http, [_health_url(url) for url in settings.action_server_urls]
        ),
    }
    results = await asyncio.gather(*(_run(check) for check in checks.values()))
    parts = dict(zip(checks, results, strict=True))
    down = sorted(name for name, result in parts.items() if result != "ok")
    body = {"status": "unavailable" if down else "ok", "checks": parts, "down": down}
    return web.json_response(body, status=503 if down else 200)


async def _run(check: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except asyncio.TimeoutError:
        return "down: no answer in time"
    except Exception as error:  # each part's own failure, reported, never raised
        return f"down: {type(error).__name__}"
    return "ok"


async def _database(request: web.Request) -> None:
    async with request.app[SESSIONS]() as session:
        await session.execute(text("SELECT 1"))


async def _any_answers(
    http: aiohttp.ClientSession,
    urls: list[str],
    params: dict[str, str] | None = None,
    ok: Callable[[int], bool] = lambda status: status < 500,
) -> None:
    """One server of the kind answering is enough: the others stand in for each other."""
    failures: list[BaseException] = []
    for url in urls:
        try:
            async with http.get(url, params=params, allow_redirects=False) as response:
                if ok(response.status):
                    return
                failures.append(RuntimeError(f"answered {response.status}"))
        except (aiohttp.ClientError, OSError) as error:
            failures.append(error)
    raise ConnectionError(f"{len(failures)} of {len(urls)} unreachable")


def _health_url(webhook_url: str) -> str:
    """ACTION_SERVER_URL names the webhook; rasa-sdk's /health is beside it."""
    base = webhook_url.rstrip("/")
    if base.endswith("/webhook"):
        base = base[: -len("/webhook")]
    return f"{base}/health"
