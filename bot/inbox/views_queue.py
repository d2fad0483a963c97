"""The queue: conversations waiting for a person (oldest first), mine, colleagues', resolved.

The page is rendered on the server; static/inbox.js refreshes its lists from
`/inbox/api/queue` when the live socket says something changed. The queue shows previews
only: it is not audited as a view of customer data (opening a conversation is).
"""

from __future__ import annotations

from aiohttp import web

from bot.gateway.keys import SESSIONS
from bot.inbox import queue
from bot.inbox.auth import Who, page
from bot.inbox.pages import render


@page()
async def queue_page(request: web.Request, who: Who) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        sections = await queue.sections(session, who.agent_id)
    return render(request, "queue.html", {"who": who, "sections": sections})


@page()
async def queue_json(request: web.Request, who: Who) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        sections = await queue.sections(session, who.agent_id)
    return web.json_response(
        {name: [row.to_json() for row in rows] for name, rows in sections.items()}
    )
