"""A one-time code typed in the chat is kept for the agent: it proves the contact."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.services import proofs
from bot.store.db import SessionFactory
from bot.store.models import ProofMethod
from tests.actions.support import Trackers, Turn, contact_id, mailed_code
from tests.actions.test_identity import ISABELLE, give_code, give_email
from tests.fakes.smtp import SmtpServer


async def test_the_code_is_recorded_as_proof_of_the_contact(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    account: SessionFactory,
    turn: Turn,
    smtp_server: SmtpServer,
) -> None:
    await give_email(tracker, dispatcher, ISABELLE, turn)
    await give_code(tracker, dispatcher, "000000", turn)  # wrong: nothing is proved
    async with account() as session:
        assert await proofs.of_conversation(session, turn.conversation_id) == []
    code = mailed_code(smtp_server)
    await give_code(tracker, dispatcher, code, turn)
    async with account() as session:
        (proof,) = await proofs.of_conversation(session, turn.conversation_id)
    assert (proof.method, proof.contact_id) == (
        ProofMethod.CODE,
        await contact_id(account, ISABELLE),
    )
    assert proof.proves.startswith("this contact")
