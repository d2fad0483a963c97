"""Live events: what changed in which conversation, fanned out to the open websockets.

Whoever commits a change (the pipeline, an agent's action in the inbox) publishes a small
`LiveEvent` after the commit. The inbox's sockets (bot/inbox/live.py) and the customers' web
chat sockets (connectors/webchat/live.py) each hold a subscription and re-read from the store
what they may show: an event carries ids and who wrote, never message text, so it is cheap
to send between processes, nothing is shown that the reader is not allowed to see, and a
reader skips without a query the events it would never show.

`Broadcaster` is the seam for running several gateways: `LocalBroadcaster` fans out inside
this process (one gateway, `make run`); `PostgresBroadcaster` sends the event's JSON through
PostgreSQL LISTEN/NOTIFY, so an agent on one gateway sees what a customer on another wrote
(`make run-scaled`). `LIVE_BROADCAST` chooses (`create_broadcaster`).
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
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import make_url

from bot.gateway import background
from bot.gateway.conversations.record import ConversationState
from bot.settings import Settings
from bot.store.models import Author

logger = logging.getLogger(__name__)

# What kinds of event there are.
MESSAGE = "message"  # a message was recorded in a conversation
CONVERSATION = "conversation"  # its holder or assignee changed (handoff, claim, resolve)
SESSION_REVOKED = "session_revoked"  # an agent logged out: close that session's sockets
ALERT = "alert"  # agents on duty are to be alerted (a handoff, an escalation): `alert_id`

SUBSCRIBER_BACKLOG = 256

# The PostgreSQL NOTIFY channel the gateways share (one per database).
LIVE_CHANNEL = "concierge_live"
# How long to wait before listening again after the connection to PostgreSQL was lost.
RELISTEN_DELAY_SECONDS = 1.0
CONNECTION_LOST_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
)


@dataclass(frozen=True)
class LiveEvent:
    kind: str
    conversation_id: int | None = None
    message_id: int | None = None
    holder: str | None = None  # the conversation's holder after the change
    channel: str | None = None
    customer: str | None = None  # the customer's id on the channel (the web chat session)
    agent_id: int | None = None  # the agent who acted, if one did
    # MESSAGE: who wrote it (an Author value) and whether it is a private note, so a
    # reader can tell without reading the store whether it may show it at all.
    author: str | None = None
    private_note: bool = False
    session_id: int | None = None  # SESSION_REVOKED: the agent session that ended
    alert_id: int | None = None  # ALERT: the alert row, read by each inbox socket

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
            self.lose()

    def lose(self) -> None:
        """Events may have been missed: the reader is told to reconnect and reload."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def get(self) -> LiveEvent:
        event = await self._queue.get()
        if event is None:
            raise SubscriptionLost
        return event


class Broadcaster(Protocol):
    async def start(self) -> None:
        """Connect to whatever carries events between processes (the gateway's start-up)."""

    async def close(self) -> None:
        """Disconnect (the gateway's shutdown)."""

    async def publish(self, event: LiveEvent) -> None:
        """Deliver the event to every subscriber, in this gateway and the others."""

    def subscribe(self) -> AbstractAsyncContextManager[Subscription]:
        """A subscription for as long as the context lasts."""


class LocalBroadcaster:
    """Fan-out within one process: enough for one gateway."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to disconnect."""

    async def publish(self, event: LiveEvent) -> None:
        self.deliver(event)

    def deliver(self, event: LiveEvent) -> None:
        """Hand the event to this process's subscribers; never blocks (see `offer`)."""
        for subscription in list(self._subscriptions):
            subscription.offer(event)

    def lose_all(self) -> None:
        """Tell every subscriber that events may have been missed."""
        for subscription in list(self._subscriptions):
            subscription.lose()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)


class PostgresBroadcaster:
    """Fan-out across gateways through PostgreSQL LISTEN/NOTIFY.

    Why PostgreSQL and not Redis pub/sub: every gateway of the scaled profile already
    depends on the PostgreSQL store and nothing else (Redis serves only Rasa's lock store),
    so live updates add no service a gateway can lose and nothing to configure; an event
    carries ids only, far below NOTIFY's 8000-byte payload limit; and NOTIFYs from one
    connection arrive in the order they were sent.

    Each gateway keeps two connections: one listens on `LIVE_CHANNEL` and hands what arrives
    to its local subscribers, one sends. A gateway's own events come back to it through
    PostgreSQL like everybody else's, so every subscriber sees every event in the same order.
    If the listening connection is lost, events may have been missed: the subscribers are
    told to reload (their pages reconnect) and the gateway listens again.
    """

    def __init__(self, dsn: str, channel: str = LIVE_CHANNEL) -> None:
        self._dsn = dsn
        self._channel = channel
        self._local = LocalBroadcaster()
        self._listener: Any = None  # asyncpg.Connection (asyncpg ships no type hints)
        self._sender: Any = None
        self._send_lock = asyncio.Lock()  # one query at a time on the sending connection
        self._relisten: asyncio.Task[None] | None = None
        self._closing = False

    @classmethod
    def for_database(cls, database_url: str) -> PostgresBroadcaster:
        """From the store's SQLAlchemy URL (postgresql+asyncpg://…) to asyncpg's DSN."""
        url = make_url(database_url)
        if url.get_backend_name() != "postgresql":
            raise ValueError(f"LIVE_BROADCAST=postgres needs a PostgreSQL store, not {url!r}")
        return cls(url.set(drivername="postgresql").render_as_string(hide_password=False))

    async def start(self) -> None:
        self._closing = False
        await self._listen()

    async def close(self) -> None:
        self._closing = True
        await background.stop(self._relisten)
        for connection in (self._listener, self._sender):
            if connection is not None and not connection.is_closed():
                await connection.close()
        self._listener = self._sender = None

    async def publish(self, event: LiveEvent) -> None:
        async with self._send_lock:
            try:
                await self._notify(event)
            except CONNECTION_LOST_ERRORS:
                # The connection died while idle (PostgreSQL restarted): one new one. An
                # event sent twice is harmless, since readers re-read the store anyway.
                self._sender = None
                await self._notify(event)

    async def _notify(self, event: LiveEvent) -> None:
        if self._sender is None or self._sender.is_closed():
            self._sender = await asyncpg.connect(self._dsn)
        await self._sender.execute("SELECT pg_notify($1, $2)", self._channel, event.to_json())

    def subscribe(self) -> AbstractAsyncContextManager[Subscription]:
        return self._local.subscribe()

    async def _listen(self) -> None:
        listener = await asyncpg.connect(self._dsn)
        await listener.add_listener(self._channel, self._received)
        listener.add_termination_listener(self._lost)
        self._listener = listener

    def _received(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = LiveEvent.from_json(payload)
        except (ValueError, TypeError):
            logger.warning("ignored a malformed live event: %.200s", payload)
            return
        self._local.deliver(event)

    def _lost(self, _connection: Any) -> None:
        if self._closing:
            return
        logger.warning("lost the live-event connection to PostgreSQL: listening again")
        self._local.lose_all()
        if self._relisten is None or self._relisten.done():
            self._relisten = asyncio.get_running_loop().create_task(self._listen_again())

    async def _listen_again(self) -> None:
        while not self._closing:
            await asyncio.sleep(RELISTEN_DELAY_SECONDS)
            try:
                await self._listen()
                logger.info("listening for live events again")
                return
            except (*CONNECTION_LOST_ERRORS, asyncpg.PostgresError) as error:
                logger.warning("still cannot listen for live events: %r", error)


def create_broadcaster(settings: Settings) -> Broadcaster:
    """The fan-out LIVE_BROADCAST asks for: this process only, or every gateway."""
    if settings.live_broadcast == "postgres":
        return PostgresBroadcaster.for_database(settings.database_url)
    return LocalBroadcaster()


def message_event(
    conversation: ConversationState,
    message_id: int,
    author: Author,
    agent_id: int | None = None,
    private_note: bool = False,
) -> LiveEvent:
    return LiveEvent(
        MESSAGE,
        conversation_id=conversation.id,
        message_id=message_id,
        holder=conversation.holder.value,
        channel=conversation.channel.value,
        customer=conversation.customer,
        agent_id=agent_id,
        author=author.value,
        private_note=private_note,
    )


def conversation_event(conversation: ConversationState, agent_id: int | None = None) -> LiveEvent:
    return LiveEvent(
        CONVERSATION,
        conversation_id=conversation.id,
        holder=conversation.holder.value,
        channel=conversation.channel.value,
        customer=conversation.customer,
        agent_id=agent_id,
    )


def alert_event(conversation: ConversationState, alert_id: int) -> LiveEvent:
    return LiveEvent(
        ALERT,
        conversation_id=conversation.id,
        holder=conversation.holder.value,
        channel=conversation.channel.value,
        alert_id=alert_id,
    )


async def publish_all(live: Broadcaster, events: list[LiveEvent]) -> None:
    """Publish after the commit; a failed fan-out never undoes or fails what was recorded
    (the pages catch up on their next load)."""
    for event in events:
        try:
            await live.publish(event)
        except Exception:
            logger.exception("live event %s not published", event.kind)
