"""One conversation: the transcript, the customer's context, and what an agent can do.

Opening the page records two audit entries: the conversation, and (for a verified
customer) the contact whose orders, repairs, preferences and requests it shows. The live
socket then keeps the transcript current without further entries: it is the same view.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import select

from bot.gateway.inputs import parse_count, parse_id
from bot.gateway.keys import LIVE, OUTBOX, PIPELINE, SESSIONS, SETTINGS
from bot.inbox import audit, canned, queries, queue
from bot.inbox.actions import ConversationActions, Outcome
from bot.inbox.auth import SESSION_LIFETIME, Who, action, page
from bot.inbox.pages import NOTICES, redirect, refuse, render, wants_json
from bot.services import concierge_hours, routing
from bot.store.models import Agent, Conversation, ConversationHolder
from bot.store.types import utcnow

FAILURE_STATUS = {
    "taken": 409, "not_assigned": 409, "not_resolved": 409, "not_holder": 403,
    "not_snoozed": 409,
}  # fmt: skip
SNOOZE_PRESETS = {"60": timedelta(hours=1), "240": timedelta(hours=4), "1440": timedelta(days=1)}


def _id(request: web.Request) -> int:
    return parse_id(request.match_info["conversation_id"], "the conversation id")


def permissions(conversation: Conversation, who: Who) -> dict[str, bool]:
    """What the page offers; the actions check again, atomically, when they run."""
    waiting = conversation.holder is ConversationHolder.WAITING
    mine = (
        conversation.holder is ConversationHolder.AGENT and conversation.assignee_id == who.agent_id
    )
    held = conversation.holder is ConversationHolder.AGENT
    return {
        "claim": waiting,
        "reply": mine or (held and who.is_admin),
        "assign": mine or ((held or waiting) and who.is_admin),
        "resolve": mine or waiting or (held and who.is_admin),
        "team": waiting or mine or (held and who.is_admin),
        "snooze": (mine or (held and who.is_admin)) and conversation.snoozed_at is None,
        "wake": conversation.snoozed_at is not None,
    }


@page()
async def conversation_page(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    sessions = request.config_dict[SESSIONS]
    async with sessions.begin() as session:
        conversation = await queries.load_conversation(session, conversation_id)
        if conversation is None:
            return refuse(request, 404, "There is no such conversation.")
        # Recorded before the data is read out: a view that fails halfway still counts.
        audit.record(session, who.agent_id, "view_conversation", "conversation", conversation_id)
        if conversation.identity.contact_id is not None:
            audit.record(
                session, who.agent_id, "view_contact", "contact", conversation.identity.contact_id
            )
        lines = await queries.transcript(session, conversation_id)
        context = await queries.context(session, conversation)
        handed = await queries.handed_over(session, conversation)
        if any(proof.method.value != "code" for proof in handed.proofs):
            audit.record(session, who.agent_id, "view_checked", "conversation", conversation_id)
        earlier = await queries.earlier_conversations(session, conversation)
        if lines:
            await queries.mark_read(session, who.agent_id, conversation_id, lines[-1].id)
        colleagues = list(
            await session.scalars(
                select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.display_name)
            )
        )
        responses = await canned.all_responses(session)
    return render(
        request,
        "conversation.html",
        {
            "who": who,
            "conversation": conversation,
            "reason": queue.reason_in_words(conversation.handoff_reason),
            "channel": queue.CHANNEL_NAMES[conversation.channel],
            "lines": lines,
            "ctx": context,
            "can": permissions(conversation, who),
            "colleagues": [a for a in colleagues if a.id != conversation.assignee_id],
            "canned": {r.short_code: r.text for r in responses},
            "handed": handed,
            "earlier": earlier,
            "labels": routing.LABELS,
            "teams": routing.TEAMS,
            "intent_in_words": routing.intent_in_words,
            "zone": concierge_hours.hours(request.config_dict[SETTINGS]).zone.key,
        },
    )


@page()
async def messages_json(request: web.Request, who: Who) -> web.StreamResponse:
    """Messages after `?after=`: the page catches up after its socket reconnects."""
    after = parse_count(request.query.get("after", "0"), "after")
    conversation_id = _id(request)
    async with request.config_dict[SESSIONS].begin() as session:
        # A transcript is personal data: its first read is audited like opening the page;
        # polling for what came after, in a view this session already opened, is that view.
        session_start = who.expires_at - SESSION_LIFETIME
        if after == 0 or not await audit.viewed_since(
            session, who.agent_id, conversation_id, session_start
        ):
            audit.record(
                session, who.agent_id, "view_conversation", "conversation", conversation_id,
                "transcript read through the API",
            )  # fmt: skip
            await session.flush()  # recorded before the data is read out
        lines = await queries.transcript(session, conversation_id, after)
    return web.json_response({"messages": [line.to_json() for line in lines]})


def _actions(request: web.Request) -> ConversationActions:
    config = request.config_dict
    return ConversationActions(
        config[SESSIONS], config[LIVE], config[OUTBOX], config[PIPELINE].alerter
    )


def _answer(request: web.Request, conversation_id: int, outcome: Outcome) -> web.StreamResponse:
    if not outcome.ok:
        return refuse(request, FAILURE_STATUS.get(outcome.notice, 400), NOTICES[outcome.notice])
    if wants_json(request):
        return web.json_response({"notice": NOTICES[outcome.notice], "id": outcome.message_id})
    return redirect(f"/inbox/conversations/{conversation_id}?notice={outcome.notice}")


@action()
async def claim(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    return _answer(
        request, conversation_id, await _actions(request).claim(who.agent_id, conversation_id)
    )


@action()
async def assign(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    try:
        to_agent = parse_id(str((await request.post()).get("agent_id", "")), "agent_id")
    except ValueError:
        return refuse(request, 400, NOTICES["invalid"])
    outcome = await _actions(request).assign(who.agent_id, who.is_admin, conversation_id, to_agent)
    if not outcome.ok and not who.is_admin:
        # Not theirs to hand over: a permission problem, not a race.
        return refuse(request, 403, NOTICES["not_assigned"])
    return _answer(request, conversation_id, outcome)


@action()
async def reply(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    text = str((await request.post()).get("text", ""))
    outcome = await _actions(request).reply(who.agent_id, who.is_admin, conversation_id, text)
    return _answer(request, conversation_id, outcome)


@action()
async def note(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    text = str((await request.post()).get("text", ""))
    async with request.config_dict[SESSIONS]() as session:
        if await session.get(Conversation, conversation_id) is None:
            return refuse(request, 404, "There is no such conversation.")
    outcome = await _actions(request).note(who.agent_id, conversation_id, text)
    return _answer(request, conversation_id, outcome)


@action()
async def resolve(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    outcome = await _actions(request).resolve(who.agent_id, who.is_admin, conversation_id)
    return _answer(request, conversation_id, outcome)


@action()
async def labels(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    chosen = [str(value) for value in (await request.post()).getall("label", [])]
    outcome = await _actions(request).set_labels(who.agent_id, conversation_id, chosen)
    return _answer(request, conversation_id, outcome)


@action()
async def team(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    chosen = str((await request.post()).get("team", ""))
    outcome = await _actions(request).to_team(
        who.agent_id, who.is_admin, conversation_id, chosen, request.config_dict[SETTINGS]
    )
    return _answer(request, conversation_id, outcome)


@action()
async def snooze(request: web.Request, who: Who) -> web.StreamResponse:
    """Until one of the presets, a time (in the concierge's time zone), or the answer."""
    conversation_id = _id(request)
    form = await request.post()
    choice = str(form.get("until", ""))
    until: datetime | None = None
    if choice in SNOOZE_PRESETS:
        until = utcnow() + SNOOZE_PRESETS[choice]
    elif choice == "at":
        try:
            local = datetime.fromisoformat(str(form.get("at", "")))
        except ValueError:
            return refuse(request, 400, NOTICES["invalid"])
        zone = concierge_hours.hours(request.config_dict[SETTINGS]).zone
        until = local.replace(tzinfo=zone) if local.tzinfo is None else local
    elif choice != "reply":
        return refuse(request, 400, NOTICES["invalid"])
    outcome = await _actions(request).snooze(who.agent_id, who.is_admin, conversation_id, until)
    return _answer(request, conversation_id, outcome)


@action()
async def wake(request: web.Request, who: Who) -> web.StreamResponse:
    conversation_id = _id(request)
    return _answer(
        request, conversation_id, await _actions(request).wake(who.agent_id, conversation_id)
    )
