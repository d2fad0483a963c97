"""What every action test shares: trackers as the Rasa server sends them, one run of an action
as the action server makes it, and what the action said and left in the store.

The pattern is rasa-demo's (tests/actions/conftest.py): each test takes a `tracker` fixture, a
`Trackers` builder, and a `dispatcher` fixture, a fresh CollectingDispatcher, then runs the
action with `run(action, dispatcher, tracker(...))` and checks the messages it sent and the
events it returned.

A tracker holds the session start, any earlier events, then the customer's message with the
gateway's metadata and the extracted entities; every slot of the domain is there at its
initial value. For form validation, the form's action and then the slot candidates follow as
slot events, which is how rasa_sdk finds the slots to validate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from ruamel.yaml import YAML
from sqlalchemy import select

from bot.settings import PROJECT_ROOT
from bot.store.db import SessionFactory
from bot.store.models import ConsentEvent, Contact, LookupGuard, PrivacyRequest
from tests.fakes.smtp import SmtpServer

Event = dict[str, Any]
Message = dict[str, Any]  # what CollectingDispatcher keeps of each utter_message
Configure = Callable[..., None]  # runtime.configure, for one test (the configure_runtime fixture)


def _read_domain() -> tuple[dict[str, Any], dict[str, Any]]:
    """The forms and every slot's initial value, from domain/*.yml."""
    yaml = YAML(typ="safe")
    forms: dict[str, Any] = {}
    slots: dict[str, Any] = {"requested_slot": None}  # Rasa adds it to every domain with forms
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        part = yaml.load(path.read_text(encoding="utf-8")) or {}
        forms.update(part.get("forms") or {})
        for name, slot in (part.get("slots") or {}).items():
            slots[name] = slot.get("initial_value")
    return forms, slots


FORMS, SLOTS = _read_domain()
# What rasa_sdk reads of the domain: the forms' required slots. The slots' own mappings are
# left out, so a form validation action validates only what its own methods say.
DOMAIN: dict[str, Any] = {"forms": FORMS, "slots": {}}

SENDER = "conversation-7"
# The gateway's metadata for a web chat turn (private) and an X mention (public).
PRIVATE = {"channel": "webchat", "public": False, "conversation_id": 7, "identity_id": 70}
PUBLIC = {"channel": "x", "public": True, "conversation_id": 8, "identity_id": 80}


def action_event(name: str) -> Event:
    return {"event": "action", "name": name}


SESSION_START: list[Event] = [action_event("action_session_start"), {"event": "session_started"}]
LISTEN = action_event("action_listen")


def user_event(
    text: str,
    intent: str = "inform",
    entities: dict[str, str] | None = None,
    metadata: dict[str, Any] | None = None,
    parse: dict[str, Any] | None = None,
) -> Event:
    """`parse` adds to the parse data, e.g. the intent_ranking and the response_selector."""
    data = {
        "intent": {"name": intent, "confidence": 0.97},
        "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        "text": text,
        "metadata": metadata or {},
        **(parse or {}),
    }
    return {"event": "user", "text": text, "parse_data": data, "metadata": metadata or {}}


@dataclass(frozen=True)
class Trackers:
    """Builds the trackers of one test (the `tracker` fixture): one customer (`sender`) on one
    channel (`metadata`), unless a call says otherwise."""

    sender: str = SENDER
    metadata: dict[str, Any] = field(default_factory=lambda: dict(PRIVATE))

    def __call__(
        self,
        text: str = "",
        *,
        intent: str = "inform",
        entities: dict[str, str] | None = None,
        slots: dict[str, Any] | None = None,
        candidates: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        earlier: list[Event] | None = None,
        active_loop: str | None = None,
        sender: str | None = None,
        parse: dict[str, Any] | None = None,
    ) -> Tracker:
        """`slots` are set already; `candidates` are what form validation is asked to check;
        `earlier` are the session's events before this message; `parse` adds to its parse."""
        latest = user_event(
            text, intent, entities, self.metadata if metadata is None else metadata, parse
        )
        events = [*SESSION_START, *(earlier or []), LISTEN, latest]
        if candidates:
            if active_loop:
                events.append(action_event(active_loop))
            events += [{"event": "slot", "name": k, "value": v} for k, v in candidates.items()]
        return Tracker.from_dict(
            {
                "sender_id": sender or self.sender,
                "slots": {**SLOTS, **(slots or {}), **(candidates or {})},
                "latest_message": latest["parse_data"],
                "events": events,
                "active_loop": {"name": active_loop} if active_loop else {},
                "latest_action_name": "action_listen",
            }
        )


Ran = tuple[list[Message], list[Event]]  # what one run said, and the events it returned


async def run(action: Action, dispatcher: CollectingDispatcher, tracker: Tracker) -> Ran:
    """Run `action` as the action server does: the messages it sent in this run (the
    dispatcher keeps the whole test's), and the events it returned."""
    before = len(dispatcher.messages)
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages[before:], events


def responses(messages: list[Message]) -> list[str | None]:
    return [m.get("response") for m in messages]


def message(messages: list[Message], response: str) -> Message:
    return next(m for m in messages if m.get("response") == response)


def all_text(messages: list[Message]) -> str:
    """What the customer reads, responses filled in as Rasa fills them."""
    return "\n".join(rendered(m) for m in messages)


def slot_events(events: list[Event]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def asked(events: list[Event]) -> Event:
    """The pending_change an action set when it asked Yes / No, as the tracker's slot event."""
    change = slot_events(events)["pending_change"]
    assert isinstance(change, dict), events
    return {"event": "slot", "name": "pending_change", "value": change}


async def answer(
    action: Action,
    dispatcher: CollectingDispatcher,
    trackers: Trackers,
    question: Event,
    *,
    text: str = "yes",
    intent: str = "affirm",
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    between: list[Event] | None = None,
) -> Ran:
    """The customer's next message after `question` (asked()), run through `action`
    (action_apply_change); `between` are messages the customer sent in between."""
    tracker = trackers(
        text,
        intent=intent,
        slots={**(slots or {}), "pending_change": question["value"]},
        earlier=[question, *(between or [])],
        metadata=metadata,
    )
    return await run(action, dispatcher, tracker)


# --- What the actions left in the store, and in the mailbox.


@dataclass(frozen=True)
class Turn:
    """The gateway's side of a conversation: its identity and conversation rows."""

    identity_id: int
    conversation_id: int

    @property
    def metadata(self) -> dict[str, Any]:
        return {
            "channel": "webchat",
            "public": False,
            "conversation_id": self.conversation_id,
            "identity_id": self.identity_id,
        }


async def contact_id(sessions: SessionFactory, email: str) -> int:
    async with sessions() as session:
        found = await session.scalar(select(Contact.id).where(Contact.email == email))
    assert found is not None
    return int(found)


async def failures(sessions: SessionFactory) -> dict[str, int]:
    """Failed lookup answers so far, by subject (lookup_guard)."""
    async with sessions() as session:
        return {g.subject: g.failures for g in await session.scalars(select(LookupGuard))}


async def consent_events(sessions: SessionFactory, contact: int) -> list[ConsentEvent]:
    async with sessions() as session:
        rows = await session.scalars(
            select(ConsentEvent).where(ConsentEvent.contact_id == contact).order_by(ConsentEvent.id)
        )
        return list(rows)


async def privacy_requests_of(sessions: SessionFactory, contact: int) -> list[PrivacyRequest]:
    async with sessions() as session:
        rows = await session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.contact_id == contact)
            .order_by(PrivacyRequest.id)
        )
        return list(rows)


def ids(rows: list[Any]) -> list[int]:
    return [row.id for row in rows]


def mailed_code(smtp_server: SmtpServer) -> str:
    body = str(smtp_server.mailbox.messages[-1].get_payload())
    found = re.search(r"(\d{3}) (\d{3})", body)
    assert found, body
    return found.group(1) + found.group(2)


# What the customer reads of an action's message: its text, or its domain response filled
# in as Rasa fills the first and only variation.
PLACEHOLDER = re.compile(r"{(\w+)}")


@cache
def response_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        responses = YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("responses")
        for name, variations in (responses or {}).items():
            texts[name] = str(variations[0]["text"])
    return texts


def rendered(message: dict[str, Any]) -> str:
    if message.get("text"):
        return str(message["text"])
    if not message.get("response"):
        return ""
    template = response_texts()[message["response"]]
    return PLACEHOLDER.sub(lambda m: str(message.get(m.group(1), m.group(0))), template)
