"""Buttons in X direct messages, which have none: numbered choices in the text.

A reply's buttons are listed under its text; the customer answers with the number or the
words of a choice, and that answer is sent to the assistant as the button's payload, as a
press would be on the web chat or Telegram. Only the latest message we sent counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Channel, ChannelIdentity, Conversation, Direction, Message


def with_choices(text: str, buttons: list[dict[str, Any]] | None) -> str:
    if not buttons:
        return text
    choices = "\n".join(f"{n}. {b['title']}" for n, b in enumerate(buttons, start=1))
    return f"{text}\n\n{choices}\n\nReply with a number or the words of your choice."


async def chosen_payload(session: AsyncSession, sender_id: str, text: str) -> str | None:
    """The payload of the choice `text` names in our latest DM to this sender, if any."""
    buttons = await session.scalar(
        select(Message.buttons)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .where(
            ChannelIdentity.channel == Channel.X,
            ChannelIdentity.external_id == sender_id,
            Message.direction == Direction.OUT,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    answer = text.strip().rstrip(".").casefold()
    for number, button in enumerate(buttons or [], start=1):
        if answer in (str(number), str(button.get("title", "")).strip().casefold()):
            return str(button.get("payload", "")) or None
    return None
