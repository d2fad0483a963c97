"""What the order, repair, catalogue and boutique action tests share.

Trackers are built as the Rasa server sends them to the action server: the session start,
the customer's message (with the gateway's metadata and the extracted entities) and, for
form validation, the slot candidates as trailing slot events, which is how rasa_sdk finds
the slots to validate. The actions run against the demo store (SQLite, and PostgreSQL when
it is there) through `actions.runtime`, exactly as in the action server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import runtime
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Contact, LookupGuard
from tests.actions.rendered import rendered

SENDER = "conversation-7"

# The parts of the domain rasa_sdk reads (domain/orders.yml).
DOMAIN: dict[str, Any] = {
    "forms": {
        "order_status_form": {"required_slots": ["order_number", "order_verification"]},
        "repair_status_form": {"required_slots": ["repair_number", "repair_verification"]},
    },
    "slots": {},
}

SLOTS: dict[str, Any] = {
    "order_number": None,
    "order_verification": None,
    "repair_number": None,
    "repair_verification": None,
    "order_contact_id": None,
    "requested_slot": None,
}

PRIVATE = {"channel": "webchat", "public": False, "conversation_id": 7, "identity_id": 70}
PUBLIC = {"channel": "x", "public": True, "conversation_id": 8, "identity_id": 80}


def use_store(settings: Settings, sessions: SessionFactory) -> Iterator[None]:
    runtime.configure(settings, sessions)
    yield
    runtime.configure(settings)  # forget the test's sessions


def user_event(
    text: str, intent: str, entities: dict[str, str] | None, metadata: dict[str, Any]
) -> dict[str, Any]:
    parse = {
        "intent": {"name": intent, "confidence": 0.97},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "text": text,
        "metadata": metadata,
    }
    return {"event": "user", "text": text, "parse_data": parse, "metadata": metadata}


def tracker(
    text: str,
    *,
    intent: str = "inform",
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    earlier: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender: str = SENDER,
) -> Tracker:
    """`slots` are set already; `candidates` are what form validation is asked to check."""
    metadata = PRIVATE if metadata is None else metadata
    latest = user_event(text, intent, entities, metadata)
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        *(earlier or []),
        {"event": "action", "name": "action_listen"},
        latest,
    ]
    if candidates:
        events.append({"event": "action", "name": active_loop or "order_status_form"})
        events += [{"event": "slot", "name": k, "value": v} for k, v in candidates.items()]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {**SLOTS, **(slots or {}), **(candidates or {})},
            "latest_message": latest["parse_data"],
            "events": events,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action: Action, tracker_: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    """The messages the action sent and the events it returned."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_, DOMAIN)
    return dispatcher.messages, events


def slots_of(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    return [m.get("response") for m in messages]


def all_text(messages: list[dict[str, Any]]) -> str:
    """What the customer reads, responses filled in as Rasa fills them."""
    return "\n".join(rendered(m) for m in messages)


async def contact_id(sessions: SessionFactory, email: str) -> int:
    async with sessions() as session:
        found = await session.scalar(select(Contact.id).where(Contact.email == email))
    assert found is not None
    return int(found)


async def failures(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as session:
        return {g.subject: g.failures for g in await session.scalars(select(LookupGuard))}
