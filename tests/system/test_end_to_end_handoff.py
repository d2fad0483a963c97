"""A handoff with the real Rasa and action servers carries what the assistant understood.

rasa_addons' gateway channel reads the session's intents from the tracker on the handoff
turn; the gateway turns them into the digest's path, the queue's topic, its labels and team.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.services import routing
from bot.store.db import create_engine, create_session_factory
from bot.store.models import ConversationHolder, Handoff
from tests.assistant import Assistant
from tests.system.test_end_to_end import Customer, conversation_of, web

pytestmark = pytest.mark.rasa
__all__ = ["web"]  # the fixture, used by name


async def test_the_handoff_digest_holds_the_intents_rasa_recognised(
    web: TestClient[Any, Any], assistant: Assistant
) -> None:
    customer = Customer(web)
    await customer.says("hello")
    boutiques = await customer.says("where is your boutique in New York?")
    assert boutiques
    await customer.says("I would like to speak to a real person please")
    conversation, _ = await conversation_of(assistant.database_url, customer.session_id)
    assert conversation.holder is ConversationHolder.WAITING

    engine = create_engine(assistant.database_url)
    try:
        async with create_session_factory(engine)() as session:
            handoff = await session.scalar(
                select(Handoff).where(Handoff.conversation_id == conversation.id)
            )
            labels = await routing.labels_of(session, conversation.id)
    finally:
        await engine.dispose()
    assert handoff is not None
    assert handoff.digest["intents"] == ["greet", "find_boutique", "request_human"]
    assert handoff.digest["path"] == "Greeting → Boutiques → Asked for a person"
    assert handoff.digest["answered"], "the assistant's own answers, quoted"
    assert (conversation.topic, conversation.team, labels) == (
        "find_boutique",
        "boutiques",
        ["boutique"],
    )
