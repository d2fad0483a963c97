"""Telegram, on python-telegram-bot: webhook or polling in, the outbox out (docs/channels.md).

`mount` adds the connector to the gateway when TELEGRAM_MODE is webhook or polling, and
gives the app factory the webhook's view for the route table (bot/gateway/routes.py).
Start-up opens the bot (getMe: a wrong token stops the gateway with a clear error),
resumes stored updates left unprocessed, then registers the webhook or starts polling.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from aiohttp import web
from telegram import Bot

from bot.gateway import background
from bot.gateway.keys import OUTBOX, PIPELINE, SESSIONS, SETTINGS
from bot.gateway.routes import TelegramViews
from bot.settings import SettingsError
from bot.store.models import Channel
from connectors.telegram.connector import TELEGRAM, TelegramConnector
from connectors.telegram.polling import poll
from connectors.telegram.sender import TelegramSender
from connectors.telegram.updates import ALLOWED_UPDATES
from connectors.telegram.webhook import WEBHOOK_PATH, receive

__all__ = ["TELEGRAM", "WEBHOOK_PATH", "TelegramConnector", "mount"]

# Telegram accepts 1-256 of these characters as a webhook secret token.
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def mount(app: web.Application) -> TelegramViews | None:
    """Start and stop with the gateway; the webhook's view when Telegram posts to us."""
    settings = app[SETTINGS]
    if settings.telegram_mode == "off":
        return None
    app.cleanup_ctx.append(_lifecycle)
    if settings.telegram_mode != "webhook":
        return None
    if not SECRET_TOKEN.match(settings.telegram_webhook_secret):
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be 1 to 256 letters, digits, _ or -")
    return TelegramViews(webhook=receive)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url)
    async with bot:
        connector = TelegramConnector(bot, app[PIPELINE], app[SESSIONS], app[OUTBOX])
        app[TELEGRAM] = connector
        app[OUTBOX].register(Channel.TELEGRAM, TelegramSender(bot))
        await connector.events.recover()
        poller: asyncio.Task[None] | None = None
        if settings.telegram_mode == "webhook":
            await bot.set_webhook(
                url=settings.public_base_url + WEBHOOK_PATH,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            # getUpdates does not work while a webhook is set; pending updates are kept.
            await bot.delete_webhook(drop_pending_updates=False)
            poller = asyncio.create_task(
                poll(bot, connector, settings.telegram_poll_timeout_seconds)
            )
        yield
        await background.stop(poller)
        await connector.events.close()
