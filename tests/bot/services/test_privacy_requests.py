"""Privacy requests: references, due dates by kind, the once-a-year California rule, the JSON
export, and the overdue alert."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.gateway.alerting import Alerter
from bot.gateway.live.broadcast import LocalBroadcaster
from bot.services import privacy_requests
from bot.services.privacy_requests import AlreadyAskedThisYear
from bot.settings import Settings, SettingsError
from bot.store.db import SessionFactory, create_engine
from bot.store.models import (
    AgentRole,
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from bot.store.types import utcnow
from tests.fakes.smtp import SmtpServer

CALIFORNIA = PrivacyRequestKind.CALIFORNIA_1798_83


async def contact(session, email: str) -> Contact:  # type: ignore[no-untyped-def]
    found = await session.scalar(select(Contact).where(Contact.email == email))
    assert found is not None
    return found


async def test_a_request_gets_a_reference_and_a_due_date(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        isabelle = await contact(session, "isabelle.moreau@example.com")
        request = await privacy_requests.file_request(session, isabelle, PrivacyRequestKind.ACCESS)
        assert isinstance(request, PrivacyRequest)
        assert request.reference.startswith("PR-") and len(request.reference) == 11
        assert request.due_at - request.created_at == timedelta(days=30)
        listed = await privacy_requests.requests_of(session, isabelle.id)
    assert request in listed
    assert request.reference in privacy_requests.describe_request(request)


async def test_california_request_once_per_calendar_year(demo_sessions: SessionFactory) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    async with demo_sessions.begin() as session:
        lucas = await contact(session, "lucas.martin@example.com")
        first = await privacy_requests.file_request(session, lucas, CALIFORNIA, now=now)
        second = await privacy_requests.file_request(
            session, lucas, CALIFORNIA, now=now + timedelta(days=90)
        )
        next_year = await privacy_requests.file_request(
            session, lucas, CALIFORNIA, now=datetime(2027, 1, 1, 9, tzinfo=timezone.utc)
        )
    assert isinstance(first, PrivacyRequest)
    assert isinstance(second, AlreadyAskedThisYear)
    assert second.previous.reference == first.reference
    assert second.next_allowed.isoformat() == "2027-01-01"
    assert isinstance(next_year, PrivacyRequest)


async def test_export_holds_everything_about_the_contact_and_nobody_else(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions.begin() as session:
        isabelle = await contact(session, "isabelle.moreau@example.com")
        export = await privacy_requests.export_contact(session, isabelle.id)
    text = json.dumps(export)  # JSON-ready, no datetimes or enums left
    assert export["contact"]["email"] == "isabelle.moreau@example.com"
    assert {o["number"] for o in export["orders"]} == {"PG-100234", "PG-100211"}
    assert export["consent_events"], "the consent history is part of the export"
    assert "james.whitaker@example.com" not in text


async def test_the_same_request_while_one_is_open_is_linked_not_filed_twice(
    demo_sessions: SessionFactory,
) -> None:
    from bot.services.privacy_requests import AlreadyOpen, Resolution

    async with demo_sessions.begin() as session:
        isabelle = await contact(session, "isabelle.moreau@example.com")
        first = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.CORRECTION, details="my address is 2 rue X"
        )
        again = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.CORRECTION, details="and my phone is 0612"
        )
        other_kind = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.ACCESS
        )
        assert isinstance(first, PrivacyRequest) and isinstance(other_kind, PrivacyRequest)
        assert isinstance(again, AlreadyOpen) and again.request.id == first.id
        assert first.times_asked == 2
        assert "2 rue X" in first.details and "0612" in first.details, "both kept, on one request"
        corrections = [
            r
            for r in await privacy_requests.requests_of(session, isabelle.id)
            if r.kind is PrivacyRequestKind.CORRECTION
        ]
        assert corrections == [first]

        # Once it is closed, asking again files a new request.
        from bot.inbox.accounts import create_agent

        agent = await create_agent(
            session, "ada@maison.example.com", "Ada", "a long passphrase", AgentRole.ADMIN
        )
        await privacy_requests.resolve(session, first.id, agent.id, Resolution.COMPLETE)
        after = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.CORRECTION
        )
        assert isinstance(after, PrivacyRequest) and after.id != first.id


# --- Due dates by kind, and the overdue alert (issue 16, item 5) ---------------------------------


async def test_due_dates_are_set_per_kind_and_california_stays_30_days(
    demo_sessions: SessionFactory,
) -> None:
    settings = Settings.from_env(
        {
            "PRIVACY_DUE_DAYS_ACCESS": "10",
            "PRIVACY_DUE_DAYS_CORRECTION": "7",
            "PRIVACY_DUE_DAYS_DELETION": "45",
        }
    )
    now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    expected = {
        PrivacyRequestKind.ACCESS: 10,
        PrivacyRequestKind.CORRECTION: 7,
        PrivacyRequestKind.DELETION: 45,
        CALIFORNIA: 30,
    }
    async with demo_sessions.begin() as session:
        isabelle = await contact(session, "isabelle.moreau@example.com")
        for kind, days in expected.items():
            request = await privacy_requests.file_request(
                session, isabelle, kind, now=now, settings=settings
            )
            assert isinstance(request, PrivacyRequest)
            assert request.due_at - now == timedelta(days=days), kind
    assert privacy_requests.due_after(PrivacyRequestKind.DELETION, Settings()).days == 30


def test_due_days_must_be_a_sensible_number_of_days() -> None:
    for bad in ("0", "-3", "400", "ten"):
        with pytest.raises(SettingsError, match="PRIVACY_DUE_DAYS_ACCESS"):
            Settings.from_env({"PRIVACY_DUE_DAYS_ACCESS": bad})


async def test_an_overdue_request_is_mailed_to_the_on_duty_address_once(
    demo_sessions: SessionFactory, settings: Settings, smtp_server: SmtpServer
) -> None:
    mail_settings = replace(
        settings,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        on_duty_email="duty@maison.example.com",
    )
    now = utcnow()
    async with demo_sessions.begin() as session:
        isabelle = await contact(session, "isabelle.moreau@example.com")
        late = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.DELETION, now=now - timedelta(days=31)
        )
        on_time = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.ACCESS, now=now - timedelta(days=29)
        )
        closed = await privacy_requests.file_request(
            session, isabelle, PrivacyRequestKind.CORRECTION, now=now - timedelta(days=60)
        )
        assert isinstance(late, PrivacyRequest) and isinstance(on_time, PrivacyRequest)
        assert isinstance(closed, PrivacyRequest)
        closed.status = PrivacyRequestStatus.DONE
    # Two gateways' alerters at the same moment (the scheduler's lease aside): one e-mail.
    alerters = [Alerter(mail_settings, demo_sessions, LocalBroadcaster()) for _ in "12"]
    reports = await asyncio.gather(*(a.privacy_overdue(demo_sessions, now) for a in alerters))
    again = await alerters[0].privacy_overdue(demo_sessions, now + timedelta(hours=1))
    assert again == {"privacy_overdue": 0, "mailed": 0}, "alerted once, not every tick"

    mine = [m for m in smtp_server.mailbox.messages if late.reference in str(m["Subject"])]
    assert len(mine) == 1
    body = mine[0].get_payload(decode=True).decode()
    assert "Overdue privacy request" in str(mine[0]["Subject"])
    assert "deletion of your personal information" in body and "/inbox/privacy" in body
    for private in ("Isabelle", "Moreau", "isabelle.moreau@example.com"):
        assert private not in body, "who the customer is stays in the inbox"
    subjects = " ".join(str(m["Subject"]) for m in smtp_server.mailbox.messages)
    assert on_time.reference not in subjects and closed.reference not in subjects
    assert sum(r["mailed"] for r in reports) == len(smtp_server.mailbox.messages)
    async with demo_sessions() as session:
        stored = await session.get(PrivacyRequest, late.id)
        assert stored is not None and stored.overdue_alerted_at is not None
        fresh = await session.get(PrivacyRequest, on_time.id)
        assert fresh is not None and fresh.overdue_alerted_at is None


async def test_export_adds_rasas_tracker_events_and_a_summary_never_the_web_chat_session(
    demo_sessions: SessionFactory, tmp_path: Path
) -> None:
    """Rasa's tracker store (a SQLite file with its `events` table) is part of the export: the
    events of the contact's conversations only, with any web chat session id masked."""
    session_id = "wc-session-5f1e2d3c4b5a"
    async with demo_sessions.begin() as session:
        isabelle = await contact(session, "isabelle.moreau@example.com")
        mine, others = [], []
        for channel, external_id, owner in (
            (Channel.WEBCHAT, session_id, isabelle.id),
            (Channel.TELEGRAM, "tg-777001", isabelle.id),
            (Channel.TELEGRAM, "tg-999999", None),
        ):
            identity = ChannelIdentity(channel=channel, external_id=external_id, contact_id=owner)
            session.add(identity)
            await session.flush()
            record = Conversation(identity_id=identity.id, channel=channel)
            session.add(record)
            await session.flush()
            (mine if owner else others).append(f"conversation-{record.id}")
    tracker = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}")
    async with tracker.begin() as connection:
        await connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
        )
        for sender, data in (
            (mine[0], {"event": "user", "text": "hello", "metadata": {"session": session_id}}),
            (others[0], {"event": "user", "text": "someone else's words"}),
            (mine[1], {"event": "user", "text": "my order"}),
            (mine[1], {"event": "bot", "text": "Which order?"}),
        ):
            await connection.execute(
                text("INSERT INTO events (sender_id, data) VALUES (:sender, :data)"),
                {"sender": sender, "data": json.dumps(data)},
            )
    await tracker.dispose()

    async with demo_sessions.begin() as session:
        export = await privacy_requests.export_contact(
            session, isabelle.id, f"sqlite:///{tmp_path / 'tracker.db'}"
        )
        without = await privacy_requests.export_contact(session, isabelle.id)
    as_text = json.dumps(export)
    assert [e["sender_id"] for e in export["tracker_events"]] == [mine[0], mine[1], mine[1]]
    assert export["tracker_events"][2]["event"] == {"event": "bot", "text": "Which order?"}
    assert "someone else's words" not in as_text
    assert session_id not in as_text, "a web chat session id is a credential"
    summary = export["summary"]
    assert summary.startswith("This export holds your contact record, ")
    identities = len(export["channel_identities"])
    assert f"{identities} channel accounts" in summary
    assert f"{len(export['orders'])} order" in summary
    assert "conversation memory holds 3 events" in summary
    assert without["tracker_events"] == [] and "memory" not in without["summary"]
