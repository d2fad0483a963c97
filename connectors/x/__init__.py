"""X, on tweepy: Account Activity webhook or DM polling in, the outbox out (docs/channels.md).

`mount` adds the connector to the gateway when X_MODE is webhook or polling, and gives
the app factory the webhook's views for the route table (bot/gateway/routes.py). The
webhook itself is registered with X once, by hand (docs/channels.md); X then checks our
CRC answer. Start-up resumes stored events left unprocessed and, in polling mode, starts
the poll loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from bot.gateway import background
from bot.gateway.keys import HTTP, OUTBOX, PIPELINE, SESSIONS, SETTINGS
from bot.gateway.routes import XViews
from bot.store.models import Channel
from connectors.x.client import make_client
from connectors.x.connector import X, XConnector
from connectors.x.polling import poll
from connectors.x.sender import XSender
from connectors.x.webhook import WEBHOOK_PATH, crc, receive

__all__ = ["WEBHOOK_PATH", "X", "XConnector", "mount"]


def mount(app: web.Application) -> XViews | None:
    """Start and stop with the gateway; the webhook's views when X posts to us."""
    settings = app[SETTINGS]
    if settings.x_mode == "off":
        return None
    app.cleanup_ctx.append(_lifecycle)
    return XViews(crc=crc, webhook=receive) if settings.x_mode == "webhook" else None


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    client = make_client(settings, app[HTTP])
    connector = XConnector(settings, app[PIPELINE], app[SESSIONS], app[OUTBOX])
    app[X] = connector
    app[OUTBOX].register(Channel.X, XSender(client, settings))
    await connector.events.recover()
    poller = (
        asyncio.create_task(poll(client, connector, app[SESSIONS], settings))
        if settings.x_mode == "polling"
        else None
    )
    yield
    await background.stop(poller)
    await connector.events.close()
