"""What the account action tests share: trackers as Rasa sends them, and a real store.

A tracker is built like the Rasa server builds it for the action server: the session start,
the customer's message with the gateway's metadata, and (for form validation) the slot
candidates as trailing slot events, which is how rasa_sdk finds the slots to validate.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import runtime
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    Channel,
    ChannelIdentity,
    ConsentEvent,
    Contact,
    Conversation,
    PrivacyRequest,
)
from tests.fakes.smtp import SmtpServer

SENDER = "conversation-1"

# The parts of the domain rasa_sdk reads (domain/account.yml).
DOMAIN: dict[str, Any] = {
    "forms": {
        "verify_identity_form": {
            "required_slots": [
                "california_eligible",
                "account_email",
                "verification_code",
                "marketing_medium",
                "preferred_language",
                "correction_details",
            ]
        },
        "opt_out_form": {"required_slots": ["account_email", "marketing_medium"]},
    },
    "slots": {},
}

SLOTS: dict[str, Any] = {
    "account_task": None,
    "account_email": None,
    "verification_code": None,
    "verification_attempts": None,
    "verification_stopped": None,
    "marketing_medium": None,
    "preferred_language": None,
    "correction_details": None,
    "california_eligible": None,
    "verified_contact_id": None,
    "minor_declared": False,
    "requested_slot": None,
}


@dataclass(frozen=True)
class Turn:
    """The gateway's side of a conversation: the identity and conversation rows."""

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


def tracker(
    *,
    text: str = "",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender: str = SENDER,
) -> Tracker:
    """`slots` are already set; `candidates` are the slot events form validation checks."""
    parse = {
        "intent": {"name": intent, "confidence": 0.98},
        "entities": [],
        "text": text,
        "metadata": metadata or {},
    }
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": parse, "metadata": metadata or {}},
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {**SLOTS, **(slots or {}), **(candidates or {})},
            "latest_message": parse,
            "events": events,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action: Any, track: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, track, DOMAIN)
    return events, dispatcher


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m["response"] for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def message(dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
    return next(m for m in dispatcher.messages if m["response"] == response)


def mailed_code(smtp_server: SmtpServer) -> str:
    body = str(smtp_server.mailbox.messages[-1].get_payload())
    found = re.search(r"(\d{3}) (\d{3})", body)
    assert found, body
    return found.group(1) + found.group(2)


@pytest.fixture
async def account(
    settings: Settings, demo_sessions: SessionFactory, smtp_server: SmtpServer
) -> AsyncIterator[SessionFactory]:
    """The action server's runtime on the demo store, mailing through the test SMTP server."""
    before = runtime._settings, runtime._sessions
    runtime.configure(
        replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port), demo_sessions
    )
    yield demo_sessions
    runtime._settings, runtime._sessions = before


@pytest.fixture
async def turn(account: SessionFactory) -> Turn:
    async with account.begin() as session:
        identity = ChannelIdentity(channel=Channel.WEBCHAT, external_id="web-session-1")
        session.add(identity)
        await session.flush()
        conversation = Conversation(identity_id=identity.id, channel=Channel.WEBCHAT)
        session.add(conversation)
        await session.flush()
        return Turn(identity.id, conversation.id)


async def contact_id(sessions: SessionFactory, email: str) -> int:
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.email == email))
        assert contact is not None
        return contact.id


def ids(rows: list[Any]) -> list[int]:
    return [row.id for row in rows]


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
