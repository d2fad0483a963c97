"""A one-time code typed in the chat is kept for the agent: it proves the contact."""

from __future__ import annotations

from bot.services import proofs
from bot.store.db import SessionFactory
from bot.store.models import ProofMethod
from tests.actions.account_support import Turn, account, contact_id, mailed_code, turn
from tests.actions.test_account_identity import ISABELLE, give_code, give_email
from tests.fakes.smtp import SmtpServer

__all__ = ["account", "turn"]  # fixtures, used by name


async def test_the_code_is_recorded_as_proof_of_the_contact(
    account: SessionFactory, turn: Turn, smtp_server: SmtpServer
) -> None:
    await give_email(ISABELLE, turn)
    await give_code("000000", turn)  # wrong: nothing is proved
    async with account() as session:
        assert await proofs.of_conversation(session, turn.conversation_id) == []
    code = mailed_code(smtp_server)
    await give_code(code, turn)
    async with account() as session:
        (proof,) = await proofs.of_conversation(session, turn.conversation_id)
    assert (proof.method, proof.contact_id) == (
        ProofMethod.CODE,
        await contact_id(account, ISABELLE),
    )
    assert proof.proves.startswith("this contact")
