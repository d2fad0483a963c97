"""CSAT (issue 15): the customer's rating of a conversation, from 1 to 5, and a comment.

Asked after an agent resolves a conversation, and after the idle-close job closes one the
assistant resolved alone, for a sample of them (CSAT_BOT_SAMPLE_RATE, chosen by
conversation id so the same conversation is always in or out). Never asked twice (one row
per conversation, written with the question), never on a conversation with a public post
(an X mention), never of a customer who said they are under 13.

The question carries five buttons whose payloads are `/csat{"rating":N}` (on X they are
numbered choices, and the number is the rating). The gateway's pipeline gives each
customer message to `answer` before the assistant: the customer's latest open question
takes a rating (a button, or a typed "4" or "4/5"), then the next message within
COMMENT_MINUTES is kept as an optional comment ("No thanks" skips it). Anything else goes
to the assistant as usual and the question lapses. The first rating wins: a second one, or
a button pressed after the question lapsed but already rated, is thanked and ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationOutcome,
    CsatRating,
    Message,
    OutboxMessage,
)

PAYLOAD = "/csat"
NO_COMMENT = "/csat_no_comment"
ASKED, COMMENT, DONE, LAPSED = "asked", "comment", "done", "lapsed"
# A button pressed this long after the question still counts (if nothing was rated yet).
ANSWER_HOURS = 72
COMMENT_MINUTES = 10
COMMENT_LENGTH = 2000

QUESTION = "How would you rate the help you received today, from 1 (poor) to 5 (excellent)?"
COMMENT_QUESTION = (
    "Thank you for your rating. Would you like to tell us more? Just write it here, "
    "or choose No thanks."
)
THANKS = "Thank you for your feedback; it helps us look after you better."
ALREADY_RATED = "Thank you, we already have your rating."
_TYPED = re.compile(r"^\s*([1-5])\s*(?:/\s*5|out of 5)?\s*[.!]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    """What the pipeline records and says instead of asking the assistant."""

    conversation_id: int  # the rated conversation: the message is recorded there
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    stored_text: str | None = None  # what the record keeps of the customer's message


def question_buttons() -> tuple[tuple[str, str], ...]:
    titles = {1: "1 (poor)", 5: "5 (excellent)"}
    return tuple(
        (titles.get(n, str(n)), PAYLOAD + json.dumps({"rating": n}, separators=(",", ":")))
        for n in range(1, 6)
    )


def comment_buttons() -> tuple[tuple[str, str], ...]:
    return (("No thanks", NO_COMMENT),)


def sampled(conversation_id: int, rate: float) -> bool:
    """Is this conversation in the sample? The same answer every time for the same id."""
    if rate <= 0:
        return False
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"csat:{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def rating_of(text: str, *, typed: bool) -> int | None:
    """The rating a button payload gives, or (if `typed` counts) a typed "4" or "4/5"."""
    text = text.strip()
    if text.startswith(PAYLOAD + "{"):
        try:
            value = json.loads(text[len(PAYLOAD) :]).get("rating")
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, int) and 1 <= value <= 5 else None
    if typed and (match := _TYPED.match(text)):
        return int(match.group(1))
    return None


async def _public(session: AsyncSession, conversation_id: int) -> bool:
    """Did anything in this conversation happen in public (a reply to an X mention)?"""
    payloads = await session.scalars(
        select(OutboxMessage.payload)
        .join(Message, Message.id == OutboxMessage.message_id)
        .where(Message.conversation_id == conversation_id, Message.channel == Channel.X)
    )
    return any(isinstance(p, dict) and p.get("in_reply_to") for p in payloads)


def _minor_identity(identity_id: Any) -> Any:
    """The customer said they are under 13, in this conversation or any other."""
    return (
        select(Conversation.id)
        .where(
            Conversation.identity_id == identity_id,
            Conversation.minor_declared_at.is_not(None),
        )
        .exists()
    )


async def _minor(session: AsyncSession, identity_id: int) -> bool:
    return bool(await session.scalar(select(_minor_identity(identity_id))))


async def ask(
    session: AsyncSession, conversation_id: int, now: datetime, *, by_agent: bool
) -> bool:
    """Record that the question is asked now; False if it must not be (asked before, a
    minor, a public conversation). The caller then sends QUESTION with question_buttons()."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or await _minor(session, conversation.identity_id):
        return False
    if await session.get(CsatRating, conversation_id) is not None:
        return False
    if conversation.channel is Channel.X and await _public(session, conversation_id):
        return False
    agent_id = None
    if by_agent:
        agent_id = await session.scalar(
            select(ConversationOutcome.agent_id).where(
                ConversationOutcome.conversation_id == conversation_id
            )
        )
        agent_id = agent_id or conversation.assignee_id
    try:
        async with session.begin_nested():
            session.add(
                CsatRating(
                    conversation_id=conversation_id,
                    identity_id=conversation.identity_id,
                    channel=conversation.channel,
                    agent_id=agent_id,
                    asked_at=now,
                    state=ASKED,
                )
            )
    except IntegrityError:  # asked a moment ago by a concurrent resolve or job
        return False
    return True


async def _latest(session: AsyncSession, channel: Channel, customer: str) -> CsatRating | None:
    row: CsatRating | None = await session.scalar(
        select(CsatRating)
        .join(ChannelIdentity, ChannelIdentity.id == CsatRating.identity_id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_id == customer,
            ~_minor_identity(CsatRating.identity_id),
        )
        .order_by(CsatRating.asked_at.desc())
        .limit(1)
    )
    return row


async def answer(
    session: AsyncSession, channel: Channel, customer: str, text: str, now: datetime
) -> Answer | None:
    """The customer's message `text` (a button's payload, or what they typed) as an answer
    to their latest CSAT question; None if it is not one (the assistant answers it)."""
    row = await _latest(session, channel, customer)
    if row is None:
        return None
    pressed = rating_of(text, typed=False)
    if row.rating is not None:
        if pressed is not None:
            return Answer(row.conversation_id, ALREADY_RATED, stored_text=str(pressed or text))
        if row.state == COMMENT:
            assert row.rated_at is not None
            if text.strip() == NO_COMMENT:
                row.state = DONE
                return Answer(row.conversation_id, THANKS, stored_text="No thanks")
            row.state = DONE
            if now - row.rated_at <= timedelta(minutes=COMMENT_MINUTES) and text.strip():
                row.comment = text.strip()[:COMMENT_LENGTH]
                return Answer(row.conversation_id, THANKS)
            return None  # too late for a comment: a new question for the assistant
        if text.strip() == NO_COMMENT:
            return Answer(row.conversation_id, THANKS, stored_text="No thanks")
        return None
    rating = pressed
    if rating is None and row.state == ASKED:
        rating = rating_of(text, typed=True)
    if rating is None:
        if row.state == ASKED:
            row.state = LAPSED  # they wrote about something else: the question lapses
        return None
    if now - row.asked_at > timedelta(hours=ANSWER_HOURS):
        if pressed is None:  # a bare number days later is not an answer to the question
            row.state = LAPSED
            return None
        return Answer(row.conversation_id, THANKS, stored_text=str(rating))  # too late
    row.rating, row.rated_at, row.state = rating, now, COMMENT
    return Answer(row.conversation_id, COMMENT_QUESTION, comment_buttons(), str(rating))


# --- The figures (the reports page) --------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """Ratings of one group: how many of each, 1 to 5."""

    label: str
    counts: tuple[int, int, int, int, int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(n * c for n, c in enumerate(self.counts, start=1)) / self.total


def _scores(label: str, ratings: list[int]) -> Scores:
    counts = tuple(ratings.count(n) for n in range(1, 6))
    return Scores(label, counts)  # type: ignore[arg-type]


async def figures(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    channel: Channel | None = None,
    agent_id: int | None = None,
    agent_names: dict[int, str] | None = None,
) -> list[Scores]:
    """The ratings given in [start, end): all, the assistant's, the concierge's, then each
    agent's (named in `agent_names`; only `agent_id`'s when one is chosen)."""
    query = select(CsatRating.agent_id, CsatRating.rating).where(
        CsatRating.rating.is_not(None), CsatRating.rated_at >= start, CsatRating.rated_at < end
    )
    if channel is not None:
        query = query.where(CsatRating.channel == channel)
    if agent_id is not None:
        query = query.where(CsatRating.agent_id == agent_id)
    rows = [(agent, int(rating)) for agent, rating in (await session.execute(query)).all()]
    result = [
        _scores("All", [r for _, r in rows]),
        _scores("Assistant", [r for a, r in rows if a is None]),
        _scores("Concierge", [r for a, r in rows if a is not None]),
    ]
    for agent, name in (agent_names or {}).items():
        mine = [r for a, r in rows if a == agent]
        if mine:
            result.append(_scores(name, mine))
    return result
