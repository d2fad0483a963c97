"""The privacy-request queue: due dates (overdue first and highlighted), marking a request
done, and the JSON export of everything about a contact for an access request."""

from __future__ import annotations

import json

from aiohttp import web

from bot.gateway.inputs import parse_id
from bot.gateway.keys import SESSIONS
from bot.inbox import audit
from bot.inbox.auth import Who, action, page
from bot.inbox.pages import NOTICES, redirect, refuse, render
from bot.services import privacy_requests
from bot.store.types import utcnow

RECENTLY_CLOSED = 20


@page()
async def privacy_page(request: web.Request, who: Who) -> web.StreamResponse:
    async with request.config_dict[SESSIONS].begin() as session:
        audit.record(session, who.agent_id, "view_privacy_requests", "privacy_requests", "open")
        open_requests = await privacy_requests.open_requests(session)
        closed = await privacy_requests.recently_closed(session, RECENTLY_CLOSED)
    return render(
        request,
        "privacy.html",
        {
            "who": who,
            "open_requests": open_requests,
            "closed": closed,
            "kinds": privacy_requests.KIND_NAMES,
            "now": utcnow(),
        },
    )


@action()
async def complete(request: web.Request, who: Who) -> web.StreamResponse:
    request_id = parse_id(request.match_info["request_id"], "the request id")
    async with request.config_dict[SESSIONS].begin() as session:
        if not await privacy_requests.complete(session, request_id, who.agent_id):
            return refuse(request, 409, NOTICES["not_open"])
        audit.record(
            session, who.agent_id, "complete_privacy_request", "privacy_request", request_id
        )
    return redirect("/inbox/privacy?notice=done")


@page()
async def export(request: web.Request, who: Who) -> web.StreamResponse:
    """Everything the store holds about the contact, as a JSON download."""
    contact_id = parse_id(request.match_info["contact_id"], "the contact id")
    async with request.config_dict[SESSIONS].begin() as session:
        try:
            data = await privacy_requests.export_contact(session, contact_id)
        except LookupError:
            return refuse(request, 404, "There is no such customer.")
        audit.record(session, who.agent_id, "export_contact", "contact", contact_id)
    return web.Response(
        text=json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="contact-{contact_id}.json"'},
    )
