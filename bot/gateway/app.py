"""The gateway's aiohttp application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

import connectors.webchat
from bot.gateway.keys import HTTP, PIPELINE, SESSIONS, SETTINGS
from bot.gateway.pipeline import Pipeline
from bot.gateway.rasa_client import RasaClient
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory

logger = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_assistant)
    app.router.add_get("/healthz", health, name="health")
    connectors.webchat.setup(app)
    return app


async def _store(app: web.Application) -> AsyncIterator[None]:
    engine = create_engine(app[SETTINGS].database_url)
    app[SESSIONS] = create_session_factory(engine)
    yield
    await engine.dispose()


async def _assistant(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # One pooled client for every call to Rasa: connections are reused across turns.
    async with aiohttp.ClientSession() as http:
        app[HTTP] = http
        rasa = RasaClient(
            http, settings.rasa_url, settings.rasa_auth_token, settings.rasa_timeout_seconds
        )
        app[PIPELINE] = Pipeline(settings, app[SESSIONS], rasa)
        yield


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
