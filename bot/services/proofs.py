"""What a customer proved in a conversation, kept so the agent does not ask again.

A one-time code typed in the chat proves the person reads the contact's mailbox: it proves
the contact (their account). An order or repair check (its number and the e-mail or postcode
on it) proves that order or repair only, not the rest of the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Contact, Conversation, ConversationProof, ProofMethod

WHAT_IT_PROVES = {
    ProofMethod.CODE: "this contact: a one-time code sent to the e-mail address on file was "
    "typed in this conversation, so you may discuss their account",
    ProofMethod.ORDER_CHECK: "this order only: the customer gave its number and the e-mail "
    "address or postcode on it; discuss this order, not the rest of the account",
    ProofMethod.REPAIR_CHECK: "this repair only: the customer gave its number and the e-mail "
    "address or postcode on it; discuss this repair, not the rest of the account",
}


async def record(
    session: AsyncSession,
    conversation_id: int,
    method: ProofMethod,
    contact_id: int,
    subject: str | None = None,
) -> None:
    """Once per conversation, method and subject: a second check of the same order adds
    nothing. Metadata that names no stored conversation records nothing (nothing to show)."""
    if await session.get(Conversation, conversation_id) is None:
        return
    known = await session.scalar(
        select(ConversationProof.id).where(
            ConversationProof.conversation_id == conversation_id,
            ConversationProof.method == method,
            ConversationProof.subject == subject
            if subject
            else ConversationProof.subject.is_(None),
        )
    )
    if known is None:
        session.add(
            ConversationProof(
                conversation_id=conversation_id, method=method, contact_id=contact_id,
                subject=subject,
            )
        )  # fmt: skip
        await session.flush()


@dataclass(frozen=True)
class Proof:
    method: ProofMethod
    contact_id: int
    contact_name: str
    subject: str | None
    at: datetime

    @property
    def proves(self) -> str:
        return WHAT_IT_PROVES[self.method]


async def of_conversation(session: AsyncSession, conversation_id: int) -> list[Proof]:
    rows = await session.execute(
        select(ConversationProof, Contact)
        .join(Contact, Contact.id == ConversationProof.contact_id)
        .where(ConversationProof.conversation_id == conversation_id)
        .order_by(ConversationProof.id)
    )
    return [
        Proof(proof.method, contact.id, contact.full_name, proof.subject, proof.created_at)
        for proof, contact in rows.all()
    ]
