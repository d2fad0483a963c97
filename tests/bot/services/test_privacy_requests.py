"""Privacy requests: references, due dates, the once-a-year California rule, the JSON export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.services import privacy_requests
from bot.services.privacy_requests import AlreadyAskedThisYear
from bot.store.db import SessionFactory
from bot.store.models import AgentRole, Contact, PrivacyRequest, PrivacyRequestKind

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
