"""Polling for development without a public HTTPS URL (TELEGRAM_MODE=polling).

getUpdates with an offset: Telegram forgets an update once a later call asks for a higher
offset, and we ask only after the update is stored, so a crash between the two re-delivers
it and the stored-event de-duplication drops the copy. Updates then take the same path as
the webhook's.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import InvalidToken, RetryAfter, TelegramError

from connectors.telegram.connector import TelegramConnector
from connectors.telegram.sender import retry_after_seconds
from connectors.telegram.updates import ALLOWED_UPDATES

logger = logging.getLogger(__name__)

MAX_ERROR_PAUSE_SECONDS = 30.0


async def poll(bot: Bot, connector: TelegramConnector, timeout_seconds: int) -> None:
    """Runs until cancelled."""
    offset: int | None = None
    pause = 1.0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=timeout_seconds, allowed_updates=ALLOWED_UPDATES
            )
        except RetryAfter as error:
            await asyncio.sleep(retry_after_seconds(error))
            continue
        except InvalidToken:
            logger.error("Telegram rejected TELEGRAM_BOT_TOKEN: polling stopped")
            raise
        except TelegramError as error:  # network trouble, or a webhook set by someone else
            logger.warning("Telegram getUpdates failed (%s); retrying in %.0f s", error, pause)
            await asyncio.sleep(pause)
            pause = min(MAX_ERROR_PAUSE_SECONDS, pause * 2)
            continue
        pause = 1.0
        for update in updates:
            await connector.accept(update.to_dict())
            offset = update.update_id + 1
