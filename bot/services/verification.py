"""Proof that the person in a conversation owns an account: a one-time code by e-mail.

The code goes to the address on file, so only someone who can read that mailbox can prove
it. Codes expire, work once, only in the conversation that asked for them, and allow a few
attempts; only a keyed hash is stored. Whether an address is on file is never revealed.

Codes are limited per conversation (MAX_CODES_PER_HOUR) and per address across all
conversations (VERIFICATION_CODES_PER_ADDRESS within VERIFICATION_CODE_WINDOW), and a new code
for an address replaces every older one, wherever it was asked for: at most one code per
address is ever live (security review, issue 17: six sessions had six codes live at once).
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import hmac
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.mail import MailError, send_mail
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    Author,
    ChannelIdentity,
    Contact,
    Message,
    VerificationCode,
)
from bot.store.types import utcnow

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS_PER_CODE = 5
# What the store keeps, and the inbox shows, of a message that was typed as a code.
CODE_MASK = "••••••"
MAX_CODES_PER_HOUR = 3
NO_CONTACT = -1  # what an unknown address is counted as: no contact has this id

CODE_SUBJECT = "Your one-time code"
CODE_BODY = (
    "Your one-time code for the Maison's concierge chat is {code}.\n\n"
    "It is valid for 10 minutes and works once. If you did not ask for it, you can ignore this "
    "e-mail: nothing about your account changes without the code.\n"
)


class CodeCheck(str, enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED_OR_USED = "expired_or_used"  # also: no code was requested here
    TOO_MANY_ATTEMPTS = "too_many_attempts"


@dataclass(frozen=True)
class IssuedCode:
    contact: Contact
    code: str  # plaintext, to be e-mailed and then forgotten


def hash_code(secret_key: str, sender_id: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"{sender_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def contact_by_email(session: AsyncSession, email: str) -> Contact | None:
    contact: Contact | None = await session.scalar(
        select(Contact).where(func.lower(Contact.email) == email.strip().lower())
    )
    return contact


@dataclass(frozen=True)
class AddressLimit:
    """How many codes one address may be sent within `window`, across conversations."""

    codes: int = 3
    window: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressLimit:
        return cls(
            codes=max(1, settings.verification_codes_per_address),
            window=timedelta(seconds=settings.verification_code_window_seconds),
        )


async def issue_code(
    session: AsyncSession,
    secret_key: str,
    sender_id: str,
    email: str,
    now: datetime | None = None,
    limit: AddressLimit = AddressLimit(),
) -> IssuedCode | None:
    """A fresh code for the contact with this e-mail, or None when there is no such contact
    or too many codes were asked for (the caller answers the same either way)."""
    now = now or utcnow()
    contact = await contact_by_email(session, email)
    # An unknown address runs the same queries (against no contact and no conversation) and
    # hashes a code too, so the work does not tell whether the address is on file (issue 17).
    contact_id = contact.id if contact is not None else NO_CONTACT
    retire_sender = sender_id if contact is not None else ""
    # Serialise the codes of one address across conversations and gateways (PostgreSQL locks
    # the row; SQLite has one writer anyway), so concurrent requests cannot both pass the count.
    await session.scalar(select(Contact.id).where(Contact.id == contact_id).with_for_update())
    recent = await session.scalar(
        select(func.count())
        .select_from(VerificationCode)
        .where(
            VerificationCode.sender_id == sender_id,
            VerificationCode.created_at > now - timedelta(hours=1),
        )
    )
    for_address = await session.scalar(
        select(func.count())
        .select_from(VerificationCode)
        .where(
            VerificationCode.contact_id == contact_id,
            VerificationCode.created_at > now - limit.window,
        )
    )
    if (recent or 0) >= MAX_CODES_PER_HOUR or (for_address or 0) >= limit.codes:
        return None
    # A new code replaces any earlier one in this conversation and for this address.
    await session.execute(
        update(VerificationCode)
        .where(
            or_(
                VerificationCode.sender_id == retire_sender,
                VerificationCode.contact_id == contact_id,
            ),
            VerificationCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    code_hash = hash_code(secret_key, sender_id, code)
    if contact is None:
        return None
    session.add(
        VerificationCode(
            contact_id=contact.id,
            sender_id=sender_id,
            code_hash=code_hash,
            expires_at=now + CODE_LIFETIME,
            created_at=now,
        )
    )
    await session.flush()
    return IssuedCode(contact, code)


@dataclass(frozen=True)
class CheckResult:
    outcome: CodeCheck
    contact_id: int | None = None


async def check_code(
    session: AsyncSession,
    secret_key: str,
    sender_id: str,
    code: str,
    identity_id: int | None = None,
    now: datetime | None = None,
) -> CheckResult:
    now = now or utcnow()
    pending = await session.scalar(
        select(VerificationCode)
        .where(VerificationCode.sender_id == sender_id, VerificationCode.used_at.is_(None))
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )
    if pending is None or pending.expires_at <= now:
        return CheckResult(CodeCheck.EXPIRED_OR_USED)
    if pending.attempts >= MAX_ATTEMPTS_PER_CODE:
        return CheckResult(CodeCheck.TOO_MANY_ATTEMPTS)
    pending.attempts += 1
    given = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(pending.code_hash, hash_code(secret_key, sender_id, given)):
        if pending.attempts >= MAX_ATTEMPTS_PER_CODE:
            pending.used_at = now  # burnt: a new code must be requested
            return CheckResult(CodeCheck.TOO_MANY_ATTEMPTS)
        return CheckResult(CodeCheck.WRONG)
    pending.used_at = now
    if identity_id is not None:
        await link_identity(session, identity_id, pending.contact_id, now)
    return CheckResult(CodeCheck.VERIFIED, pending.contact_id)


async def link_identity(
    session: AsyncSession, identity_id: int, contact_id: int, now: datetime | None = None
) -> None:
    """Once verified, this channel identity is known to belong to the contact."""
    identity = await session.get(ChannelIdentity, identity_id)
    if identity is not None:
        identity.contact_id = contact_id
        identity.verified_at = now or utcnow()


async def mask_code_message(session: AsyncSession, conversation_id: int, digits: str) -> bool:
    """Replace the customer's latest message in the conversation, when it is the code just
    checked (its digits, with or without spaces), by CODE_MASK: the inbox never shows a code,
    and the store keeps none. Whether a message was masked."""
    latest = await session.scalar(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.author == Author.CUSTOMER)
        .order_by(Message.id.desc())
        .limit(1)
    )
    if latest is None or "".join(ch for ch in latest.text if ch.isdigit()) != digits:
        return False
    latest.text = CODE_MASK
    return True


def mask_email(email: str) -> str:
    """ "isabelle.moreau@example.com" -> "i***u@example.com", to confirm where a code went."""
    local, _, domain = email.partition("@")
    hidden = local[0] + "***" + local[-1] if len(local) > 2 else local[0] + "***"
    return f"{hidden}@{domain}"


class MailUnavailable(Exception):
    """The code could not be mailed."""


def _smtp_reachable(settings: Settings) -> bool:
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException):
        return False
    return True


async def send_code(
    settings: Settings, sessions: SessionFactory, sender_id: str, email: str
) -> None:
    """Mail a fresh code if the address is on file. Raises MailUnavailable when mail is down,
    whether or not the address is on file, so the outage does not reveal it either."""
    async with sessions.begin() as session:
        issued = await issue_code(
            session,
            settings.secret_key,
            sender_id,
            email,
            limit=AddressLimit.from_settings(settings),
        )
        to = issued.contact.email if issued else None
        code = issued.code if issued else ""
    if to is None:
        if not await asyncio.to_thread(_smtp_reachable, settings):
            raise MailUnavailable(f"{settings.smtp_host}:{settings.smtp_port} unreachable")
        return
    pretty = f"{code[:3]} {code[3:]}"
    try:
        await send_mail(settings, to, CODE_SUBJECT, CODE_BODY.format(code=pretty))
    except MailError as error:
        # The code never reached anyone: retire it rather than leave it waiting.
        async with sessions.begin() as session:
            await session.execute(
                update(VerificationCode)
                .where(VerificationCode.sender_id == sender_id, VerificationCode.used_at.is_(None))
                .values(used_at=utcnow())
            )
        raise MailUnavailable(str(error)) from error
