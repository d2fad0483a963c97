"""Health checks: liveness (the process answers) and readiness (it can serve a customer)."""

from __future__ import annotations

from aiohttp import web


async def liveness(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readiness(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
