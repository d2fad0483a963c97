"""A verified customer's context, the privacy-request queue, the export, and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.services import privacy_requests, verification
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import (
    AgentRole,
    AuditEntry,
    ChannelIdentity,
    Contact,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from bot.store.types import utcnow
from tests.helpers import MakeAgent, NewClient, run_in_store, waiting_conversation

EMAIL = "isabelle.moreau@example.com"


async def contact_id(settings: Settings, email: str = EMAIL) -> int:
    async def find(session: Any) -> int:
        return int(await session.scalar(select(Contact.id).where(Contact.email == email)))

    return int(await run_in_store(settings, find))


async def verify(settings: Settings, session_id: str, email: str = EMAIL) -> int:
    """The web chat customer proved they are the contact (as a one-time code does)."""
    contact = await contact_id(settings, email)

    async def link(session: Any) -> None:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == session_id)
        )
        await verification.link_identity(session, identity.id, contact)

    await run_in_store(settings, link)
    return contact


async def audit_entries(settings: Settings) -> list[tuple[int | None, str, str, str]]:
    async def read(session: Any) -> list[tuple[int | None, str, str, str]]:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.agent_id, e.action, e.subject_type, e.subject_id) for e in rows]

    return list(await run_in_store(settings, read))


async def test_a_verified_customers_context_is_shown_and_the_view_audited(
    demo_sessions: SessionFactory,
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
) -> None:
    agent = await make_agent()
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "ctx-1")
    contact = await verify(inbox_settings, "ctx-1")
    async with demo_sessions.begin() as session:
        found = await session.get(Contact, contact)
        assert found is not None
        await privacy_requests.file_request(session, found, PrivacyRequestKind.DELETION)

    queue = await (
        await agent.client.get("/inbox/api/queue", headers={"Accept": "application/json"})
    ).json()
    assert queue["waiting"][0]["proof"] == "verified"
    assert queue["waiting"][0]["customer"] == "Isabelle Moreau", "named once verified"
    page = await (await agent.client.get(f"/inbox/conversations/{conversation_id}")).text()
    for expected in ("Isabelle Moreau", EMAIL, "PG-100211", "PG-100234", "shipped", "deletion"):
        assert expected in page, expected
    assert "Currently" in page and "Preferred language" in page, "marketing preferences"

    entries = await audit_entries(inbox_settings)
    assert (agent.id, "view_conversation", "conversation", str(conversation_id)) in entries
    assert (agent.id, "view_contact", "contact", str(contact)) in entries


async def test_an_unverified_customer_shows_no_account_data(
    demo_sessions: SessionFactory,
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
) -> None:
    agent = await make_agent()
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "ctx-2")
    page = await (await agent.client.get(f"/inbox/conversations/{conversation_id}")).text()
    assert "not verified" in page and "PG-1" not in page
    assert [e[1] for e in await audit_entries(inbox_settings)].count("view_contact") == 0


async def test_the_privacy_queue_highlights_overdue_requests_and_closes_them_once(
    demo_sessions: SessionFactory, make_agent: MakeAgent, inbox_settings: Settings
) -> None:
    claire, marc = await make_agent("Claire"), await make_agent("Marc")
    contact = await contact_id(inbox_settings)
    async with demo_sessions.begin() as session:
        found = await session.get(Contact, contact)
        assert found is not None
        late = await privacy_requests.file_request(
            session, found, PrivacyRequestKind.ACCESS, now=utcnow() - timedelta(days=40)
        )
        assert isinstance(late, PrivacyRequest)
        late_id, reference = late.id, late.reference

    page = await (await claire.client.get("/inbox/privacy")).text()
    row = page[page.index(f'data-id="{late_id}"') - 40 :]
    assert 'class="overdue"' in row[:60] and "overdue" in row[:400]
    assert reference in page and "Charlotte Dubois" in page, "the demo's open request too"
    due_times = page[page.index('id="due-times"') :][:600]
    assert "access to your personal information, 30 days" in due_times
    assert "California Privacy Information (Civil Code 1798.83), 30 days" in due_times
    assert "overdue</span></h1>" in page, "the heading counts the overdue requests"

    done = await claire.post(f"/inbox/privacy/{late_id}/done")
    assert done.status == 303
    assert (await marc.post(f"/inbox/privacy/{late_id}/done")).status == 409
    async with demo_sessions() as session:
        stored = await session.get(PrivacyRequest, late_id)
    assert stored is not None
    assert stored.status is PrivacyRequestStatus.DONE
    assert stored.completed_by_agent_id == claire.id
    assert stored.completed_at is not None
    entries = await audit_entries(inbox_settings)
    assert (claire.id, "complete_privacy_request", "privacy_request", str(late_id)) in entries
    assert (claire.id, "view_privacy_requests", "privacy_requests", "open") in entries


async def test_the_export_is_a_json_download_of_the_contacts_data_without_staff_notes(
    demo_sessions: SessionFactory,
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "export-1")
    contact = await verify(inbox_settings, "export-1")
    base = f"/inbox/conversations/{conversation_id}"
    await agent.post(base + "/claim")
    await agent.post(base + "/note", {"text": "staff only: difficult customer"})
    await agent.post(base + "/reply", {"text": "Here is your answer"})

    # A plain agent may export only what an open access request asks for.
    export = f"/inbox/contacts/{contact}/export.json"
    assert (await agent.client.get(export)).status == 403
    async with demo_sessions.begin() as session:
        found = await session.get(Contact, contact)
        assert found is not None
        await privacy_requests.file_request(session, found, PrivacyRequestKind.ACCESS)

    response = await agent.client.get(export)
    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="contact-{contact}.json"'
    )
    data = await response.json()
    assert data["contact"]["email"] == EMAIL
    assert {o["number"] for o in data["orders"]} == {"PG-100211", "PG-100234"}
    texts = [m["text"] for m in data["messages"]]
    assert "Here is your answer" in texts and "I would like a person please" in texts
    assert "staff only: difficult customer" not in texts
    assert all("agent_id" not in m for m in data["messages"])
    # The web chat's session id is that chat's only key: never in an export.
    assert "export-1" not in await response.text()
    assert [i["channel"] for i in data["channel_identities"]] == ["webchat"]
    assert (agent.id, "export_contact", "contact", str(contact)) in await audit_entries(
        inbox_settings
    )
    unknown = "/inbox/contacts/999999/export.json"
    assert (await agent.client.get(unknown)).status == 403, "says nothing of who exists"
    admin = await make_agent("Ada", AgentRole.ADMIN)
    assert (await admin.client.get(unknown)).status == 404


async def test_the_audit_log_reads_as_sentences_for_admins(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    claire = await make_agent("Claire")
    ada = await make_agent("Ada", AgentRole.ADMIN)
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "audit-1")
    await claire.client.get(f"/inbox/conversations/{conversation_id}")
    await claire.post(f"/inbox/conversations/{conversation_id}/claim")
    await claire.post(f"/inbox/conversations/{conversation_id}/reply", {"text": "hi"})
    await claire.post(f"/inbox/conversations/{conversation_id}/resolve")
    actions = [e[1] for e in await audit_entries(inbox_settings) if e[0] == claire.id]
    assert actions == ["login", "view_conversation", "claim", "reply", "resolve"]
    page = await (await ada.client.get("/inbox/audit")).text()
    assert "Claire" in page and "claimed the conversation" in page and "resolved" in page


# --- Erasure from the inbox (issue 16, item 1) ----------------------------------------------------


async def test_an_admin_fulfils_a_deletion_request_once_and_the_audit_keeps_no_erased_data(
    demo_sessions: SessionFactory,
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
) -> None:
    agent, admin = await make_agent("Claire"), await make_agent("Ada", AgentRole.ADMIN)
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "erase-1")
    contact = await verify(inbox_settings, "erase-1")
    async with demo_sessions.begin() as session:
        found = await session.get(Contact, contact)
        assert found is not None
        filed = await privacy_requests.file_request(session, found, PrivacyRequestKind.DELETION)
        assert isinstance(filed, PrivacyRequest)
        request_id = filed.id
    path = f"/inbox/privacy/{request_id}/erase"

    page = await (await admin.client.get("/inbox/privacy")).text()
    assert f'action="{path}"' in page and 'action="/inbox/contacts/erase"' in page
    assert path not in await (await agent.client.get("/inbox/privacy")).text()

    # Refused: an agent, a forged form (no CSRF token), and an unconfirmed one.
    assert (await agent.post(path, {"confirm": "yes"})).status == 403
    forged = await admin.client.post(path, data={"confirm": "yes"}, allow_redirects=False)
    assert forged.status == 403
    assert (await admin.post(path)).status == 400
    async with demo_sessions() as session:
        still = await session.get(Contact, contact)
        assert still is not None and still.email == EMAIL, "nothing erased yet"

    erased = await admin.post(path, {"confirm": "yes"})
    assert erased.status == 303 and "notice=erased" in erased.headers["Location"]
    assert (await admin.post(path, {"confirm": "yes"})).status == 409, "once"
    again = await admin.post(
        "/inbox/contacts/erase",
        {"contact_id": str(contact), "reason": "asked_another_way", "confirm": "yes"},
    )
    assert again.status == 303 and "already_erased" in again.headers["Location"]

    async with demo_sessions() as session:
        gone = await session.get(Contact, contact)
        assert gone is not None and gone.email is None and gone.erased_at is not None
        request = await session.get(PrivacyRequest, request_id)
        assert request is not None and request.status is PrivacyRequestStatus.DONE
        assert request.completed_by_agent_id == admin.id
        erase_entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "erase_contact"))
        )
    (entry,) = erase_entries
    assert (entry.agent_id, entry.subject_id) == (admin.id, str(contact)) and entry.created_at
    assert entry.detail and "reason: deletion_request" in entry.detail
    for erased_data in (EMAIL, "Isabelle", "Moreau", "10021"):
        assert erased_data not in entry.detail
    conversation = await (await admin.client.get(f"/inbox/conversations/{conversation_id}")).text()
    assert EMAIL not in conversation and "Isabelle" not in conversation
    assert "I would like a person please" not in conversation, "the messages are erased"


async def test_erasing_directly_needs_a_known_reason(
    demo_sessions: SessionFactory, make_agent: MakeAgent, inbox_settings: Settings
) -> None:
    admin = await make_agent("Ada", AgentRole.ADMIN)
    contact = await contact_id(inbox_settings)
    form = {"contact_id": str(contact), "confirm": "yes"}
    assert (await admin.post("/inbox/contacts/erase", {**form, "reason": "Isabelle"})).status == 400
    done = await admin.post("/inbox/contacts/erase", {**form, "reason": "legal_obligation"})
    assert done.status == 303
    async with demo_sessions() as session:
        found = await session.get(Contact, contact)
        assert found is not None and found.erased_at is not None and found.email is None
    entries = await audit_entries(inbox_settings)
    assert (admin.id, "erase_contact", "contact", str(contact)) in entries
