"""Where a customer's conversation stands, for the web chat's status line.

Read from the store whenever the page's socket opens or something in the queue changes:
who holds it, since when it waits, how many are ahead, how long claims took lately, and,
outside the concierge's hours, when they open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import concierge_hours, handoffs
from bot.services.customers import first_name
from bot.settings import Settings
from bot.store.models import Agent, Channel, ChannelIdentity, Conversation, ConversationHolder


async def customer_status(
    session: AsyncSession, settings: Settings, channel: Channel, customer: str, now: datetime
) -> dict[str, Any]:
    row = (
        await session.execute(
            select(Conversation.id, Conversation.holder, Conversation.waiting_since, Agent)
            .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
            .outerjoin(Agent, Agent.id == Conversation.assignee_id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == customer)
            .order_by(Conversation.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return {"holder": "none"}
    conversation_id, holder, waiting_since, agent = row
    status: dict[str, Any] = {"holder": holder.value}
    if holder is ConversationHolder.AGENT and agent is not None:
        status["agent"] = first_name(agent.display_name)
    if holder is ConversationHolder.WAITING:
        schedule = concierge_hours.hours(settings)
        opening = None if schedule.is_open(now) else schedule.next_opening(now)
        usual = await handoffs.usual_wait(session, now)
        status.update(
            waiting_since=waiting_since.isoformat() if waiting_since else None,
            ahead=await handoffs.ahead_of(session, conversation_id),
            usual_wait_seconds=round(usual) if usual is not None else None,
            open=schedule.is_open(now),
            opens=concierge_hours.describe_opening(opening, now, schedule.zone)
            if opening
            else None,
        )
    return status
