"""A conversation in which the customer said they are under 13 (privacy policy, "Children").

The policy says the platform is not directed at anyone we know to be under 13 and that we do
not collect their personal information. When action_declare_minor signals
{"minor_declared": true}, the gateway (bot/gateway/pipeline.py) marks the conversation
(Conversation.minor_declared_at) and replaces the text of the customer's messages in it with
a placeholder: the declaring message, every later one, and the earlier ones too, since they
came from the same child. The identity's display name (a Telegram or X name) is dropped.
The bot's replies are kept as they are: they are the house's words, though one may quote a
detail the child gave before saying their age (a masked address, a correction).
From then on the customer's messages are stored only as the placeholder and are not passed
to Rasa, so its tracker does not gather them either; the bot answers with a fixed reply.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.conversations.record import ConversationState, InboundMessage
from bot.gateway.replies import Reply
from bot.settings import Settings
from bot.store.models import Author, ChannelIdentity, Conversation, Message
from bot.store.types import utcnow

PLACEHOLDER = "[not kept: the customer said they are under 13]"
SIGNAL = "minor_declared"


def declared(signals: list[dict[str, Any]]) -> bool:
    """Did an action signal the declaration in this turn?"""
    return any(signal.get(SIGNAL) is True for signal in signals)


def redacted(inbound: InboundMessage) -> InboundMessage:
    """What is stored of a message in a conversation with a child: only the placeholder."""
    return replace(inbound, text=PLACEHOLDER, payload=None, display_name=None)


def reply(settings: Settings) -> Reply:
    # Only what is true today: the assistant's own record of the conversation (Rasa's tracker)
    # still holds what was written before the age was given, so nothing is said about keeping.
    return Reply(
        "Our services are not meant for anyone under 13, so I cannot continue this "
        "conversation. Please do not send us your name, e-mail address or any other personal "
        f"details. A parent or guardian is welcome to contact us at {settings.concierge_email}."
    )


async def mark_declared(
    session: AsyncSession, conversation: ConversationState, now: datetime | None = None
) -> None:
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.minor_declared_at.is_(None))
        .values(minor_declared_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Message)
        .where(Message.conversation_id == conversation.id, Message.author == Author.CUSTOMER)
        .values(text=PLACEHOLDER)
    )
    await session.execute(
        update(ChannelIdentity)
        .where(ChannelIdentity.id == conversation.identity_id)
        .values(display_name=None)
    )
