"""The privacy-request queue: due dates (overdue first and highlighted), marking a request
done, the JSON export of everything about a contact for an access request, and erasure
(an admin fulfils a deletion request, or erases a contact directly with a reason)."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway.keys import SESSIONS, SETTINGS
from bot.inbox import audit
from bot.inbox.auth import Who, action, page
from bot.inbox.pages import NOTICES, redirect, refuse, render
from bot.services import erasure, privacy_requests
from bot.store.models import PrivacyRequestKind
from bot.store.types import utcnow

RECENTLY_CLOSED = 20
logger = logging.getLogger(__name__)


@page()
async def privacy_page(request: web.Request, who: Who) -> web.StreamResponse:
    async with request.config_dict[SESSIONS].begin() as session:
        audit.record(session, who.agent_id, "view_privacy_requests", "privacy_requests", "open")
        open_requests = await privacy_requests.open_requests(session)
        closed = await privacy_requests.recently_closed(session, RECENTLY_CLOSED)
    settings = request.config_dict[SETTINGS]
    now = utcnow()
    due_days = {
        kind: privacy_requests.due_after(kind, settings).days for kind in PrivacyRequestKind
    }
    return render(
        request,
        "privacy.html",
        {
            "due_days": due_days,
            "overdue": sum(1 for r in open_requests if r.due_at < now),
            "who": who,
            "open_requests": open_requests,
            "closed": closed,
            "kinds": privacy_requests.KIND_NAMES,
            "deletion": PrivacyRequestKind.DELETION,
            "reasons": erasure.REASON_NAMES,
            "now": now,
        },
    )


@action()
async def complete(request: web.Request, who: Who) -> web.StreamResponse:
    try:
        request_id = int(request.match_info["request_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
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
    try:
        contact_id = int(request.match_info["contact_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
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


def _confirmed(form: object) -> bool:
    return getattr(form, "get", lambda *_: None)("confirm") == "yes"


@action(admin=True)
async def fulfil_deletion(request: web.Request, who: Who) -> web.StreamResponse:
    """Erase the customer of an open deletion request and close it (admins, confirmed)."""
    try:
        request_id = int(request.match_info["request_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if not _confirmed(await request.post()):
        return refuse(request, 400, NOTICES["unconfirmed"])
    async with request.config_dict[SESSIONS].begin() as session:
        erased = await erasure.fulfil_deletion(session, request_id, who.agent_id)
        if erased is None:
            return refuse(request, 409, NOTICES["not_open"])
        # What and why, never the erased data.
        detail = f"reason: {erasure.Reason.DELETION_REQUEST.value}; {erased.summary()}"
        audit.record(session, who.agent_id, "erase_contact", "contact", erased.contact_id, detail)
        audit.record(
            session, who.agent_id, "complete_privacy_request", "privacy_request", request_id
        )
    await _erase_tracker(request, who, erased)
    return redirect("/inbox/privacy?notice=erased")


@action(admin=True)
async def erase_contact(request: web.Request, who: Who) -> web.StreamResponse:
    """Erase a contact directly, by customer number, with one of the set reasons (admins,
    confirmed)."""
    form = await request.post()
    try:
        contact_id = int(str(form.get("contact_id", "")).strip())
    except ValueError:
        return refuse(request, 400, NOTICES["invalid"])
    try:
        reason = erasure.Reason(str(form.get("reason", "")))
    except ValueError:
        return refuse(request, 400, NOTICES["invalid"])
    if not _confirmed(form):
        return refuse(request, 400, NOTICES["unconfirmed"])
    async with request.config_dict[SESSIONS].begin() as session:
        try:
            erased = await erasure.erase_contact(session, contact_id)
        except LookupError:
            return refuse(request, 404, "There is no such customer.")
        if erased is None:
            return redirect("/inbox/privacy?notice=already_erased")
        detail = f"reason: {reason.value}; {erased.summary()}"
        audit.record(session, who.agent_id, "erase_contact", "contact", contact_id, detail)
    await _erase_tracker(request, who, erased)
    return redirect("/inbox/privacy?notice=erased")


async def _erase_tracker(request: web.Request, who: Who, erased: erasure.Erased) -> None:
    """After the commit: the conversations' events in Rasa's tracker store, if it has one."""
    url = request.config_dict[SETTINGS].rasa_tracker_store_url
    if not url or not erased.sender_ids:
        return
    try:
        deleted = await erasure.erase_tracker_events(url, erased.sender_ids)
        detail = f"{deleted} tracker events of contact {erased.contact_id}"
    except (SQLAlchemyError, OSError) as error:
        logger.warning("tracker events of contact %s not erased: %s",
                       erased.contact_id, type(error).__name__)  # fmt: skip
        detail = f"FAILED for contact {erased.contact_id}: erase them by hand"
    async with request.config_dict[SESSIONS].begin() as session:
        audit.record(session, who.agent_id, "erase_tracker", "contact", erased.contact_id, detail)
