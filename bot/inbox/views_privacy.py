"""The privacy-request queue: due dates (overdue first and highlighted); completing a
request, refusing it with a reason or asking for more information, with the customer told on
their own channel (or by e-mail when that conversation is over); and the JSON export of
everything about a contact for an access request; and erasure (an admin fulfils a deletion
request, or erases a contact directly with a reason)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.conversations import record as conversations
from bot.gateway.inputs import parse_id
from bot.gateway.keys import LIVE, OUTBOX, SESSIONS, SETTINGS
from bot.gateway.live.broadcast import LiveEvent, message_event, publish_all
from bot.gateway.replies import Reply
from bot.inbox import audit
from bot.inbox.auth import Who, action, page
from bot.inbox.pages import NOTICES, redirect, refuse, render
from bot.services import erasure, mail, privacy_requests
from bot.services.privacy_requests import Resolution
from bot.store.models import Author, Channel, Conversation, PrivacyRequest, PrivacyRequestKind
from bot.store.types import utcnow

logger = logging.getLogger(__name__)

RECENTLY_CLOSED = 20


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


# A web chat page is only open while the customer is there: a conversation quiet for longer
# than this is told by e-mail instead. Telegram and X reach the customer whenever we write.
WEB_CHAT_STILL_OPEN = timedelta(hours=12)
AUDIT_ACTIONS = {
    Resolution.COMPLETE: "complete_privacy_request",
    Resolution.REFUSE: "refuse_privacy_request",
    Resolution.ASK: "ask_privacy_information",
}
NOTICE_KEYS = {Resolution.COMPLETE: "done", Resolution.REFUSE: "refused", Resolution.ASK: "asked"}


def resolution_view(
    resolution: Resolution,
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    @action()
    async def resolve(request: web.Request, who: Who) -> web.StreamResponse:
        request_id = parse_id(request.match_info["request_id"], "the request id")
        note = str((await request.post()).get("note", ""))
        config = request.config_dict
        async with config[SESSIONS].begin() as session:
            try:
                found = await privacy_requests.resolve(
                    session, request_id, who.agent_id, resolution, note
                )
            except ValueError:
                return refuse(request, 400, NOTICES["note_needed"])
            if found is None:
                return refuse(request, 409, NOTICES["not_open"])
            audit.record(
                session, who.agent_id, AUDIT_ACTIONS[resolution], "privacy_request", request_id
            )
            text = privacy_requests.outcome_message(found, resolution)
            events = await _tell_on_channel(session, found, text, who.agent_id)
            email = None if events is not None else found.contact.email
        told = "channel"
        if events is not None:
            config[OUTBOX].wake()
            await publish_all(config[LIVE], events)
        elif email:
            try:
                await mail.send_mail(
                    config[SETTINGS], email, f"Your privacy request {found.reference}", text
                )
                told = "email"
            except mail.MailError:
                logger.warning(
                    "privacy request %s: the customer could not be e-mailed", found.reference
                )
                told = "untold"
        else:
            told = "untold"
        return redirect(f"/inbox/privacy?notice={NOTICE_KEYS[resolution]}_{told}")

    return resolve


async def _tell_on_channel(
    session: AsyncSession, found: PrivacyRequest, text: str, agent_id: int
) -> list[LiveEvent] | None:
    """The outcome, written into the conversation that filed the request when the customer
    can still read it there (queued for Telegram and X); None when they cannot."""
    if found.conversation_id is None:
        return None
    conversation = await session.get(Conversation, found.conversation_id)
    if conversation is None:
        return None
    if conversation.channel is Channel.WEBCHAT and (
        conversation.customer_left_at is not None
        or conversation.last_message_at < utcnow() - WEB_CHAT_STILL_OPEN
    ):
        return None
    state = await conversations.conversation_state(session, conversation.id)
    [message_id] = await conversations.record_replies(
        session, state, [Reply(text)], author=Author.AGENT, agent_id=agent_id
    )
    return [message_event(state, message_id, Author.AGENT, agent_id)]


complete = resolution_view(Resolution.COMPLETE)
refuse_request = resolution_view(Resolution.REFUSE)
ask_for_information = resolution_view(Resolution.ASK)


@page()
async def export(request: web.Request, who: Who) -> web.StreamResponse:
    """Everything held about the contact (our store and Rasa's tracker store, with a short
    summary), as a JSON download: for an admin, or for an agent while the contact has an
    access request open (the agent fulfilling it). Any agent could otherwise carry any
    customer's data away."""
    contact_id = parse_id(request.match_info["contact_id"], "the contact id")
    async with request.config_dict[SESSIONS].begin() as session:
        if not who.is_admin and not await privacy_requests.access_request_open(session, contact_id):
            return refuse(request, 403, NOTICES["export_not_allowed"])
        try:
            data = await privacy_requests.export_contact(
                session, contact_id, request.config_dict[SETTINGS].rasa_tracker_store_url
            )
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
