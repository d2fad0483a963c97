"""Helpers shared by the channel tests: what the store holds, and when the gateway is done."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.gateway.keys import SETTINGS
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    DeliveryStatus,
    InboundEvent,
    Message,
    OutboxMessage,
)
from connectors.telegram import TELEGRAM
from connectors.x import X
from tests.fakes.wait import until


async def query(settings: Settings, statement: Any) -> list[Any]:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            return list((await session.execute(statement)).scalars())
    finally:
        await engine.dispose()


async def count(settings: Settings, model: Any) -> int:
    (n,) = await query(settings, select(func.count()).select_from(model))
    return int(n)


async def messages(settings: Settings) -> list[Message]:
    return await query(settings, select(Message).order_by(Message.id))


async def events(settings: Settings) -> list[InboundEvent]:
    return await query(settings, select(InboundEvent).order_by(InboundEvent.id))


async def outbox(settings: Settings) -> list[OutboxMessage]:
    return await query(settings, select(OutboxMessage).order_by(OutboxMessage.id))


async def conversations(settings: Settings) -> list[Conversation]:
    return await query(settings, select(Conversation).order_by(Conversation.id))


async def conversation_of(settings: Settings, channel: Channel, external_id: str) -> Conversation:
    (conversation,) = await query(
        settings,
        select(Conversation)
        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id),
    )
    assert isinstance(conversation, Conversation)
    return conversation


async def settled(client: TestClient[Any, Any], timeout: float = 10.0) -> None:
    """Wait until every stored event is processed and every queued reply is final."""
    app = client.app
    assert app is not None
    for key in (TELEGRAM, X):
        if key in app:
            await app[key].events.idle(timeout)
    settings = app[SETTINGS]

    async def outbox_final() -> bool:
        rows = await outbox(settings)
        return all(r.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED) for r in rows)

    await until(outbox_final, timeout, "every outbox row sent or failed")
