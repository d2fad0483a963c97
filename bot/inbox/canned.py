"""Canned replies: an agent types `/thanks` and the reply's text takes its place.

The page expands a short code as it is typed (static/inbox.js); the server expands it again
when a reply is exactly a short code, so the inbox works the same without JavaScript. A
reply that looks like a short code but matches none is refused rather than sent as "/thnaks".
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import CannedResponse

SHORT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
TYPED_CODE = re.compile(r"^/([A-Za-z0-9_-]{1,32})$")
MAX_TEXT = 2000
MAX_TITLE = 120


class UnknownShortCode(LookupError):
    pass


async def all_responses(session: AsyncSession) -> list[CannedResponse]:
    return list(await session.scalars(select(CannedResponse).order_by(CannedResponse.short_code)))


async def expand(session: AsyncSession, text: str) -> str:
    """The canned text if `text` is `/<short code>`, else `text` unchanged."""
    match = TYPED_CODE.match(text.strip())
    if match is None:
        return text
    found = await session.scalar(
        select(CannedResponse.text).where(CannedResponse.short_code == match.group(1).lower())
    )
    if found is None:
        raise UnknownShortCode(match.group(1))
    return str(found)


def valid(short_code: str, title: str, text: str) -> bool:
    return bool(
        SHORT_CODE.match(short_code)
        and title.strip()
        and len(title) <= MAX_TITLE
        and text.strip()
        and len(text) <= MAX_TEXT
    )


async def save(
    session: AsyncSession, short_code: str, title: str, text: str, agent_id: int
) -> CannedResponse:
    """Create the canned reply, or replace the text of the one with this short code."""
    existing = await session.scalar(
        select(CannedResponse).where(CannedResponse.short_code == short_code)
    )
    if existing is None:
        existing = CannedResponse(short_code=short_code, created_by_agent_id=agent_id)
        session.add(existing)
    existing.title, existing.text = title.strip(), text.strip()
    await session.flush()
    return existing


async def remove(session: AsyncSession, canned_id: int) -> bool:
    result = await session.execute(delete(CannedResponse).where(CannedResponse.id == canned_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]
