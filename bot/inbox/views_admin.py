"""Admin pages: managing canned replies, and reading the audit log."""

from __future__ import annotations

from aiohttp import web

from bot.gateway.inputs import parse_id
from bot.gateway.keys import SESSIONS
from bot.inbox import audit, canned
from bot.inbox.auth import Who, action, page
from bot.inbox.pages import NOTICES, redirect, refuse, render


@page(admin=True)
async def canned_page(request: web.Request, who: Who) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        responses = await canned.all_responses(session)
    return render(request, "canned.html", {"who": who, "responses": responses})


@action(admin=True)
async def canned_save(request: web.Request, who: Who) -> web.StreamResponse:
    form = await request.post()
    short_code = str(form.get("short_code", "")).strip().lstrip("/").lower()
    title, text = str(form.get("title", "")), str(form.get("text", ""))
    if not canned.valid(short_code, title, text):
        return refuse(request, 400, NOTICES["invalid"])
    async with request.config_dict[SESSIONS].begin() as session:
        await canned.save(session, short_code, title, text, who.agent_id)
        audit.record(session, who.agent_id, "canned_save", "canned_response", short_code)
    return redirect("/inbox/canned?notice=saved")


@action(admin=True)
async def canned_delete(request: web.Request, who: Who) -> web.StreamResponse:
    canned_id = parse_id(request.match_info["canned_id"], "the canned reply id")
    async with request.config_dict[SESSIONS].begin() as session:
        if not await canned.remove(session, canned_id):
            return refuse(request, 404, "There is no such canned reply.")
        audit.record(session, who.agent_id, "canned_delete", "canned_response", canned_id)
    return redirect("/inbox/canned?notice=deleted")


@page(admin=True)
async def audit_page(request: web.Request, who: Who) -> web.StreamResponse:
    before = parse_id(request.query["before"], "before") if "before" in request.query else None
    async with request.config_dict[SESSIONS]() as session:
        lines = await audit.latest(session, before=before)
    return render(request, "audit.html", {"who": who, "lines": lines})
