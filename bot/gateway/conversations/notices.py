"""What the gateway itself tells a customer around a handoff, on every channel.

Recorded with author SYSTEM through record_replies, so Telegram and X get them through the
outbox and the web chat through its live socket; the web chat also shows the same facts in
its status line (connectors/webchat, from `status.customer_status`).
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.replies import Reply
from bot.services import concierge_hours, handoffs
from bot.services.customers import first_name
from bot.settings import Settings

LEFT_NOTE = "The customer left this conversation: they started a new one on the web chat."


def joined(agent_display_name: str) -> Reply:
    """First name only: customers are told who is with them, not more."""
    name = first_name(agent_display_name)
    return Reply(f"{name} from the concierge has joined the conversation.")


def team_transfer(team: str) -> Reply:
    return Reply(
        f"I have passed your conversation to our {team} team; "
        "a member of the team will join you here shortly."
    )


def minutes(seconds: float) -> str:
    count = max(1, math.ceil(seconds / 60))
    return f"{count} minute" if count == 1 else f"{count} minutes"


def waiting_words(ahead: int, usual_wait_seconds: float | None) -> str:
    """The queue as it stands and the recent claim times: no promise beyond them."""
    place = (
        "You are next in line for our concierge."
        if ahead == 0
        else f"{ahead} {'customer is' if ahead == 1 else 'customers are'} ahead of you."
    )
    if usual_wait_seconds is None:
        return place
    return f"{place} Lately the concierge has joined within about {minutes(usual_wait_seconds)}."


async def waiting(
    session: AsyncSession, settings: Settings, conversation_id: int, now: datetime
) -> Reply | None:
    """For Telegram and X right after a handoff, inside hours (outside them, the handoff's
    own message says when someone will answer)."""
    if not concierge_hours.hours(settings).is_open(now):
        return None
    ahead = await handoffs.ahead_of(session, conversation_id)
    return Reply(waiting_words(ahead, await handoffs.usual_wait(session, now)))
