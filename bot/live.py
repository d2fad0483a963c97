"""Live events: what changed in which conversation, fanned out to the open websockets.

Whoever commits a change (the pipeline, an agent's action in the inbox) publishes a small
`LiveEvent` after the commit. The inbox's sockets (bot/inbox/live.py) and the customers' web
chat sockets (connectors/webchat_live.py) each hold a subscription and re-read from the store
what they may show: an event carries ids, never message text, so it is cheap to send between
processes and nothing is shown that the reader is not allowed to see.

`Broadcaster` is the seam for running several gateways: `LocalBroadcaster` fans out inside
this process; a Redis pub/sub or PostgreSQL LISTEN/NOTIFY broadcaster would publish the
event's JSON to a channel and feed what it receives to its local subscribers the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from bot.store.models import Conversation

logger = logging.getLogger(__name__)

# What kinds of event there are.
MESSAGE = "message"  # a message was recorded in a conversation
CONVERSATION = "conversation"  # its holder or assignee changed (handoff, claim, resolve)
SESSION_REVOKED = "session_revoked"  # an agent logged out: close that session's sockets

SUBSCRIBER_BACKLOG = 256


@dataclass(frozen=True)
class LiveEvent:
    kind: str
    conversation_id: int | None = None
    message_id: int | None = None
    holder: str | None = None  # the conversation's holder after the change
    channel: str | None = None
    customer: str | None = None  # the customer's id on the channel (the web chat session)
    agent_id: int | None = None  # the agent who acted, if one did
    session_id: int | None = None  # SESSION_REVOKED: the agent session that ended

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> LiveEvent:
        data = json.loads(text)
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


class SubscriptionLost(Exception):
    """The subscriber fell too far behind and was dropped: reconnect and reload."""


class Subscription:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(SUBSCRIBER_BACKLOG)

    def offer(self, event: LiveEvent) -> None:
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            # A stuck socket must not hold events (memory) or slow the publisher: drop it.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def get(self) -> LiveEvent:
        event = await self._queue.get()
        if event is None:
            raise SubscriptionLost
        return event


class Broadcaster(Protocol):
    async def publish(self, event: LiveEvent) -> None:
        """Deliver the event to every subscriber, in this gateway and (later) the others."""

    def subscribe(self) -> AbstractAsyncContextManager[Subscription]:
        """A subscription for as long as the context lasts."""


class LocalBroadcaster:
    """Fan-out within one process: enough for one gateway."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    async def publish(self, event: LiveEvent) -> None:
        for subscription in list(self._subscriptions):
            subscription.offer(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)


def message_event(
    conversation: Conversation, message_id: int, customer: str, agent_id: int | None = None
) -> LiveEvent:
    return LiveEvent(
        MESSAGE,
        conversation_id=conversation.id,
        message_id=message_id,
        holder=conversation.holder.value,
        channel=conversation.channel.value,
        customer=customer,
        agent_id=agent_id,
    )


def conversation_event(
    conversation: Conversation, customer: str, agent_id: int | None = None
) -> LiveEvent:
    return LiveEvent(
        CONVERSATION,
        conversation_id=conversation.id,
        holder=conversation.holder.value,
        channel=conversation.channel.value,
        customer=customer,
        agent_id=agent_id,
    )


async def publish_all(live: Broadcaster, events: list[LiveEvent]) -> None:
    """Publish after the commit; a failed fan-out never undoes or fails what was recorded
    (the pages catch up on their next load)."""
    for event in events:
        try:
            await live.publish(event)
        except Exception:
            logger.exception("live event %s not published", event.kind)
