"""Polling X direct messages (X_MODE=polling), for accounts without Account Activity access.

GET /2/dm_events lists DM events newest first, with no "since" parameter, so each poll
pages back until it reaches the newest event seen before, kept in `channel_cursors`.
Events are stored before the cursor moves past them, and stored events are de-duplicated,
so a restart neither repeats nor skips a message. The very first poll only sets the
cursor: the account's 30-day history is not answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tweepy import errors as x_errors
from tweepy.asynchronous import AsyncClient

from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import ChannelCursor
from connectors.x.activity import from_dm_event
from connectors.x.connector import XConnector

logger = logging.getLogger(__name__)

CURSOR = "x:dm_events"
MAX_PAGES = 5


async def poll(
    client: AsyncClient, connector: XConnector, sessions: SessionFactory, settings: Settings
) -> None:
    """Runs until cancelled."""
    while True:
        wait = settings.x_poll_interval_seconds
        try:
            await poll_once(client, connector, sessions, settings.x_user_id)
        except x_errors.TooManyRequests as error:
            if error.reset_time:
                wait = max(wait, error.reset_time - time.time())
            logger.warning("X rate limit on DM events: next poll in %.0f s", wait)
        except Exception:  # X or the store unavailable: the next poll tries again
            logger.exception("polling X direct messages failed")
        await asyncio.sleep(wait)


async def poll_once(
    client: AsyncClient, connector: XConnector, sessions: SessionFactory, our_user_id: str
) -> int:
    """Store and schedule the DMs that arrived since the last poll; returns how many."""
    async with sessions() as session:
        cursor = await session.get(ChannelCursor, CURSOR)
        seen = int(cursor.value) if cursor else None
    events: list[dict[str, Any]] = []
    users: dict[str, dict[str, Any]] = {}
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = await client.get_direct_message_events(
            dm_event_fields=["id", "text", "event_type", "created_at", "sender_id"],
            event_types="MessageCreate",
            expansions=["sender_id"],
            user_fields=["name", "username"],
            max_results=100,
            pagination_token=token,
            user_auth=True,
        )
        for user in (page.get("includes") or {}).get("users") or []:
            users[str(user.get("id"))] = user
        new = [e for e in page.get("data") or [] if seen is None or int(e["id"]) > seen]
        events += new
        token = (page.get("meta") or {}).get("next_token")
        if seen is None or len(new) < len(page.get("data") or []) or not token:
            break
    newest = max((int(e["id"]) for e in events), default=seen or 0)
    accepted = 0
    if seen is not None:
        for raw in sorted(events, key=lambda e: int(e["id"])):  # oldest first
            event = from_dm_event(raw, users, our_user_id)
            if event is not None and await connector.accept(event):
                accepted += 1
    async with sessions.begin() as session:
        await _save_cursor(session, str(newest))
    return accepted


async def _save_cursor(session: AsyncSession, value: str) -> None:
    cursor = await session.get(ChannelCursor, CURSOR)
    if cursor is None:
        session.add(ChannelCursor(name=CURSOR, value=value))
    else:
        cursor.value = value
