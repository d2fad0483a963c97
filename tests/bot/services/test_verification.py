"""One-time codes: e-mailed for real over SMTP, expiring, single-use, limited in attempts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import verification
from bot.services.mail import send_mail
from bot.services.verification import CodeCheck
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Channel, ChannelIdentity, VerificationCode
from bot.store.types import utcnow
from tests import helpers
from tests.fakes.smtp import SmtpServer

SECRET = "test-secret"
EMAIL = "isabelle.moreau@example.com"


async def test_a_code_is_mailed_and_verifies_once(
    demo_sessions: SessionFactory, smtp_server: SmtpServer, settings: Settings
) -> None:
    async with demo_sessions.begin() as session:
        identity = ChannelIdentity(channel=Channel.TELEGRAM, external_id="77")
        session.add(identity)
        issued = await verification.issue_code(session, SECRET, "conversation-1", EMAIL.upper())
        assert issued is not None
    mail_settings = replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    await send_mail(mail_settings, issued.contact.email or "", "Your code", f"Code: {issued.code}")

    (mail,) = smtp_server.mailbox.messages
    assert mail["To"] == EMAIL
    mailed_code = re.search(r"\d{6}", mail.get_payload()).group(0)  # type: ignore[union-attr]

    async with demo_sessions.begin() as session:
        stored = await session.scalar(select(VerificationCode))
        assert stored is not None and mailed_code not in stored.code_hash, "only a hash is kept"
        result = await verification.check_code(
            session, SECRET, "conversation-1", f"{mailed_code[:3]} {mailed_code[3:]}", identity.id
        )
        again = await verification.check_code(session, SECRET, "conversation-1", mailed_code)
        linked = await session.get(ChannelIdentity, identity.id)
    assert result.outcome is CodeCheck.VERIFIED and result.contact_id == issued.contact.id
    assert again.outcome is CodeCheck.EXPIRED_OR_USED, "single use"
    assert linked is not None and linked.contact_id == issued.contact.id and linked.verified_at


async def test_unknown_addresses_get_no_code(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        assert await verification.issue_code(session, SECRET, "c", "nobody@example.com") is None


async def test_codes_expire(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        issued = await verification.issue_code(session, SECRET, "c", EMAIL)
        assert issued is not None
        later = utcnow() + verification.CODE_LIFETIME + timedelta(seconds=1)
        result = await verification.check_code(session, SECRET, "c", issued.code, now=later)
    assert result.outcome is CodeCheck.EXPIRED_OR_USED


async def test_codes_work_only_in_the_conversation_that_asked(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions.begin() as session:
        issued = await verification.issue_code(session, SECRET, "mine", EMAIL)
        assert issued is not None
        result = await verification.check_code(session, SECRET, "someone-else", issued.code)
    assert result.outcome is CodeCheck.EXPIRED_OR_USED


async def test_too_many_wrong_attempts_burn_the_code(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        issued = await verification.issue_code(session, SECRET, "c", EMAIL)
        assert issued is not None
        wrong = "000000" if issued.code != "000000" else "111111"
        outcomes = [
            (await verification.check_code(session, SECRET, "c", wrong)).outcome
            for _ in range(verification.MAX_ATTEMPTS_PER_CODE)
        ]
        right = await verification.check_code(session, SECRET, "c", issued.code)
    assert outcomes[:-1] == [CodeCheck.WRONG] * (verification.MAX_ATTEMPTS_PER_CODE - 1)
    assert outcomes[-1] is CodeCheck.TOO_MANY_ATTEMPTS
    assert right.outcome is not CodeCheck.VERIFIED


async def test_codes_per_hour_are_limited(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        issued = [
            await verification.issue_code(session, SECRET, "c", EMAIL)
            for _ in range(verification.MAX_CODES_PER_HOUR + 1)
        ]
    assert all(issued[:-1]) and issued[-1] is None


def test_masked_email_hides_the_address() -> None:
    assert verification.mask_email("isabelle.moreau@example.com") == "i***u@example.com"


async def test_codes_per_address_are_limited_across_conversations_and_only_the_newest_works(
    demo_sessions: SessionFactory, smtp_server: SmtpServer, settings: Settings
) -> None:
    """Security review (issue 17): six sessions asking for the same address had six codes
    live at once. Now the address gets VERIFICATION_CODES_PER_ADDRESS codes per window, and
    each new one retires the older ones, wherever they were asked for."""
    mailing = replace(
        settings,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        verification_codes_per_address=3,
        verification_code_window_seconds=3600,
    )
    for n in range(6):
        await verification.send_code(mailing, demo_sessions, f"session-{n}", EMAIL)

    mails = smtp_server.mailbox.messages
    assert len(mails) == 3
    key = mailing.secret_key
    codes = [re.search(r"\d{3} \d{3}", m.get_payload()).group(0) for m in mails]  # type: ignore[union-attr]
    async with demo_sessions.begin() as session:
        live = await session.scalars(
            select(VerificationCode).where(VerificationCode.used_at.is_(None))
        )
        assert [code.sender_id for code in live] == ["session-2"]
        older = [
            (await verification.check_code(session, key, f"session-{n}", codes[n])).outcome
            for n in range(2)
        ]
        newest = await verification.check_code(session, key, "session-2", codes[2])
    assert older == [CodeCheck.EXPIRED_OR_USED] * 2
    assert newest.outcome is CodeCheck.VERIFIED


async def test_the_address_limit_is_a_window(demo_sessions: SessionFactory) -> None:
    limit = verification.AddressLimit(codes=2, window=timedelta(minutes=30))
    earlier = utcnow() - timedelta(minutes=31)
    async with demo_sessions.begin() as session:
        for n in range(2):
            old = await verification.issue_code(
                session, SECRET, f"old-{n}", EMAIL, now=earlier, limit=limit
            )
            assert old is not None
        now = [
            await verification.issue_code(session, SECRET, f"new-{n}", EMAIL, limit=limit)
            for n in range(3)
        ]
    assert now[0] is not None and now[1] is not None and now[2] is None


async def test_an_unknown_address_costs_the_same_work_as_a_known_one(
    demo_sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Security review (issue 17): not timed here; both paths run the same queries and hash
    a code, and only the known address's code is stored."""
    hashed: list[str] = []
    real = verification.hash_code

    def spy(secret_key: str, sender_id: str, code: str) -> str:
        hashed.append(sender_id)
        return real(secret_key, sender_id, code)

    monkeypatch.setattr(verification, "hash_code", spy)
    async with demo_sessions.begin() as session:
        with helpers.statements(demo_sessions) as known:
            assert await verification.issue_code(session, SECRET, "k", EMAIL) is not None
        with helpers.statements(demo_sessions) as unknown:
            assert await verification.issue_code(session, SECRET, "u", "no@example.com") is None
    assert hashed == ["k", "u"]
    assert [s for s in known if not s.startswith("INSERT")] == unknown
