"""The queue: who waits for a person and why, mine, snoozed, colleagues', resolved.

The page is rendered on the server; static/inbox.js replaces its sections with
`/inbox/queue/sections` (the same template, the same filters) when the live socket says
something changed. The queue shows previews only: it is not audited as a view of customer
data (opening a conversation is).
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from bot.gateway.keys import SESSIONS, SETTINGS
from bot.inbox import queue
from bot.inbox.auth import Who, page
from bot.inbox.pages import render
from bot.services import routing
from bot.store.models import Agent


async def _context(request: web.Request, who: Who) -> dict[str, object]:
    filters = queue.Filters.from_query(request.query)
    async with request.config_dict[SESSIONS]() as session:
        found = await queue.sections(session, request.config_dict[SETTINGS], who.agent_id, filters)
        agents = list(
            await session.scalars(
                select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.display_name)
            )
        )
    return {
        "who": who,
        "sections": found,
        "filters": filters,
        "agents": agents,
        "labels": routing.LABELS,
        "channels": queue.CHANNEL_NAMES,
    }


@page()
async def queue_page(request: web.Request, who: Who) -> web.StreamResponse:
    return render(request, "queue.html", await _context(request, who))


@page()
async def queue_sections(request: web.Request, who: Who) -> web.StreamResponse:
    """The sections alone (a fragment of queue.html), for the page's live refresh."""
    return render(request, "queue_sections.html", await _context(request, who))


@page()
async def queue_json(request: web.Request, who: Who) -> web.StreamResponse:
    filters = queue.Filters.from_query(request.query)
    async with request.config_dict[SESSIONS]() as session:
        found = await queue.sections(session, request.config_dict[SETTINGS], who.agent_id, filters)
    return web.json_response(
        {name: [row.to_json() for row in rows] for name, rows in found.lists.items()}
    )
