"""Preferences: an append-only consent log, the state derived from it, signed unsubscribe links."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.services import preferences
from bot.store.db import SessionFactory
from bot.store.models import ConsentEvent, Contact

SECRET = "test-secret"


async def isabelle(session) -> Contact:  # type: ignore[no-untyped-def]
    contact = await session.scalar(
        select(Contact).where(Contact.email == "isabelle.moreau@example.com")
    )
    assert contact is not None
    return contact


async def test_changes_append_events_and_the_latest_wins(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        contact = await isabelle(session)
        before = await session.scalar(select(func.count()).select_from(ConsentEvent))
        await preferences.record(
            session, contact, {preferences.topic(m): "opt_in" for m in preferences.MEDIA},
            source="chat", channel="webchat", conversation_id=None,
        )  # fmt: skip
        await preferences.record(
            session, contact, {"marketing:sms": "opt_out", "language": "fr"}, source="chat"
        )
        state = await preferences.current(session, contact)
        after = await session.scalar(select(func.count()).select_from(ConsentEvent))
    assert state.marketing == {"email": True, "sms": False, "phone": True, "post": True}
    assert state.language == "fr"
    assert after == (before or 0) + 6, "nothing is overwritten, every change is kept"
    assert "no marketing by SMS" in state.describe() and "French" in state.describe()


def test_media_words() -> None:
    assert preferences.parse_media("texts") == ["sms"]
    assert preferences.parse_media("E-mails") == ["email"]
    assert preferences.parse_media(None) == list(preferences.MEDIA)
    assert preferences.parse_language("French") == "fr"
    assert preferences.parse_language("klingon") is None


def test_unsubscribe_tokens_are_signed() -> None:
    token = preferences.unsubscribe_token(SECRET, 42, "email")
    assert preferences.read_unsubscribe_token(SECRET, token) == (42, "email")
    assert preferences.read_unsubscribe_token("another-secret", token) is None
    forged = (
        preferences.unsubscribe_token(SECRET, 43, "email").split(".")[0]
        + "."
        + (token.split(".")[1])
    )
    assert preferences.read_unsubscribe_token(SECRET, forged) is None
    assert preferences.read_unsubscribe_token(SECRET, "garbage") is None
    assert preferences.read_unsubscribe_token(SECRET, "a.b.c") is None
