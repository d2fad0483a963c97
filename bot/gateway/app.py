"""The gateway's aiohttp application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

import bot.gateway.unsubscribe
import bot.inbox
import connectors.telegram
import connectors.webchat
import connectors.x
from bot.gateway.keys import HTTP, LIVE, OUTBOX, PIPELINE, SESSIONS, SETTINGS, SOCKETS
from bot.gateway.pipeline import Pipeline
from bot.gateway.rasa_client import RasaClient
from bot.live import create_broadcaster
from bot.outbox import Outbox
from bot.settings import Settings
from bot.sockets import SocketRegistry
from bot.store.db import create_engine, create_session_factory

logger = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS] = settings
    # Live events: within this gateway, or across gateways (LIVE_BROADCAST, bot/live.py).
    app[LIVE] = create_broadcaster(settings)
    app[SOCKETS] = SocketRegistry()
    app.on_shutdown.append(_close_sockets)
    app.cleanup_ctx.append(_live)
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_assistant)
    app.router.add_get("/healthz", health, name="health")
    connectors.webchat.setup(app)
    # Each registers itself only when its mode (TELEGRAM_MODE, X_MODE) is not "off".
    connectors.telegram.setup(app)
    connectors.x.setup(app)
    bot.inbox.setup(app)  # the concierge inbox, under /inbox/
    bot.gateway.unsubscribe.setup(app)  # one-click unsubscribe links in marketing e-mails
    # After the connectors: they register their senders before the worker starts, and it
    # stops before they close their platform clients.
    app.cleanup_ctx.append(_deliveries)
    return app


async def _live(app: web.Application) -> AsyncIterator[None]:
    await app[LIVE].start()
    yield
    await app[LIVE].close()


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
            http,
            settings.rasa_urls,
            settings.rasa_auth_token,
            settings.rasa_timeout_seconds,
            max_in_flight=settings.rasa_max_in_flight,
        )
        app[PIPELINE] = Pipeline(settings, app[SESSIONS], rasa, app[LIVE])
        app[OUTBOX] = Outbox(app[SESSIONS], settings)
        yield


async def _deliveries(app: web.Application) -> AsyncIterator[None]:
    """The outbox worker, for the push channels this gateway has enabled."""
    outbox = app[OUTBOX]
    worker = asyncio.create_task(outbox.run()) if outbox.channels else None
    yield
    if worker is not None:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


async def _close_sockets(app: web.Application) -> None:
    """Open websockets would hold the shutdown up; their pages reconnect by themselves."""
    await app[SOCKETS].close_all()


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
