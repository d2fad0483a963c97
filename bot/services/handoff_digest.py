"""The short, factual digest a handoff carries to the agent, built from the conversation.

Nothing in it is inferred: the intents are those the assistant recognised (Rasa tells the
gateway at the handoff), the order and repair numbers are those the customer wrote, and the
answers are the assistant's own words, quoted and shortened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import orders
from bot.services.routing import intent_in_words
from bot.store.models import Author, Message

ANSWERS_KEPT = 3
ANSWER_LENGTH = 200
INTENTS_KEPT = 12


def _shorten(text: str, length: int = ANSWER_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _numbers(texts: Sequence[str]) -> tuple[list[str], list[str]]:
    found_orders: list[str] = []
    found_repairs: list[str] = []
    for text in texts:
        for match in orders.ORDER_NUMBER.finditer(text):
            if (number := f"PG-{match.group(1)}") not in found_orders:
                found_orders.append(number)
        for match in orders.REPAIR_NUMBER.finditer(text):
            if (number := f"RP-{match.group(1)}") not in found_repairs:
                found_repairs.append(number)
    return found_orders, found_repairs


async def build(
    session: AsyncSession, conversation_id: int, intents: Sequence[str]
) -> dict[str, Any]:
    """The digest of the conversation so far (call it before the handoff's own replies are
    recorded: the assistant's "a person will join" is not an answer worth quoting)."""
    rows = (
        await session.execute(
            select(Message.author, Message.text)
            .where(
                Message.conversation_id == conversation_id,
                Message.is_private_note.is_(False),
                Message.author.in_([Author.CUSTOMER, Author.BOT]),
            )
            .order_by(Message.id)
        )
    ).all()
    customer_texts = [text for author, text in rows if author is Author.CUSTOMER]
    answers = [_shorten(text) for author, text in rows if author is Author.BOT and text.strip()]
    found_orders, found_repairs = _numbers(customer_texts)
    kept = [str(i) for i in intents][-INTENTS_KEPT:]
    return {
        "intents": kept,
        "path": " → ".join(intent_in_words(i) for i in kept),
        "orders": found_orders,
        "repairs": found_repairs,
        "answered": answers[-ANSWERS_KEPT:],
    }
