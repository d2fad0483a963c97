"""A passed order check is kept for the agent: the action records what it proves, in the
conversation the gateway named (services/proofs.py); a failed one records nothing."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.services import proofs
from bot.store.db import SessionFactory
from bot.store.models import Channel, ProofMethod
from tests.actions.support import Trackers, contact_id
from tests.actions.test_orders import answer

ISABELLE = "isabelle.moreau@example.com"


async def a_conversation(sessions: SessionFactory) -> dict[str, Any]:
    """The gateway's metadata for a real stored conversation."""
    async with sessions.begin() as session:
        state = await conversations.open_turn(
            session, InboundMessage(Channel.WEBCHAT, "proof-1", "where is my order?")
        )
    return {
        "channel": "webchat",
        "public": False,
        "conversation_id": state.id,
        "identity_id": state.identity_id,
    }


async def test_a_passed_order_check_is_recorded_for_the_agent(
    tracker: Trackers, dispatcher: CollectingDispatcher, store: SessionFactory
) -> None:
    demo_sessions = store
    metadata = await a_conversation(demo_sessions)
    await answer(tracker, dispatcher, "90210", metadata=metadata)  # wrong: nothing is proved
    async with demo_sessions() as session:
        assert await proofs.of_conversation(session, metadata["conversation_id"]) == []

    await answer(tracker, dispatcher, "10021", metadata=metadata)
    async with demo_sessions() as session:
        (proof,) = await proofs.of_conversation(session, metadata["conversation_id"])
    assert (proof.method, proof.subject, proof.contact_id) == (
        ProofMethod.ORDER_CHECK,
        "PG-100234",
        await contact_id(demo_sessions, ISABELLE),
    )
