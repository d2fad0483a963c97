"""The privacy queue acts on a request and tells the customer: complete, refuse with a reason,
ask for more information; on Telegram (queued), in an open web chat (in the transcript), or by
e-mail when the conversation is over. Over HTTP against a real gateway, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.gateway.conversations import record as conversations
from bot.gateway.conversations.record import InboundMessage
from bot.services import privacy_requests
from bot.settings import Settings
from bot.store.models import (
    AuditEntry,
    Channel,
    Contact,
    Conversation,
    Message,
    OutboxMessage,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from bot.store.types import utcnow
from tests.fakes.smtp import SmtpServer
from tests.helpers import MakeAgent, run_in_store

EMAIL = "isabelle.moreau@example.com"


@pytest.fixture
def inbox_settings(
    gateway_settings: Settings, database_url: str, smtp_server: SmtpServer
) -> Settings:
    return replace(
        gateway_settings,
        database_url=database_url,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
    )


async def filed_from(settings: Settings, channel: Channel, external_id: str) -> tuple[int, int]:
    """A demo customer files an access request from a conversation on `channel`."""

    async def file(session: Any) -> tuple[int, int]:
        message = InboundMessage(channel, external_id, "I want to see my data")
        found = await conversations.open_turn(session, message)
        await conversations.record_customer_message(session, found, message)
        contact = await session.scalar(select(Contact).where(Contact.email == EMAIL))
        request = await privacy_requests.file_request(
            session,
            contact,
            PrivacyRequestKind.ACCESS,
            channel=channel.value,
            conversation_id=found.id,
        )
        assert isinstance(request, PrivacyRequest)
        return request.id, found.id

    result: tuple[int, int] = await run_in_store(settings, file)
    return result


async def stored(settings: Settings, request_id: int) -> PrivacyRequest:
    async def read(session: Any) -> PrivacyRequest:
        return await session.get(PrivacyRequest, request_id)

    result: PrivacyRequest = await run_in_store(settings, read)
    return result


async def outbox_texts(settings: Settings) -> list[str]:
    async def read(session: Any) -> list[str]:
        rows = await session.scalars(
            select(Message.text).join(OutboxMessage, OutboxMessage.message_id == Message.id)
        )
        return list(rows)

    return list(await run_in_store(settings, read))


async def test_a_refusal_needs_a_reason_and_reaches_the_telegram_customer_once(
    demo_sessions: Any, make_agent: MakeAgent, inbox_settings: Settings
) -> None:
    claire, marc = await make_agent("Claire"), await make_agent("Marc")
    request_id, conversation_id = await filed_from(inbox_settings, Channel.TELEGRAM, "5150")

    page = await (await claire.client.get("/inbox/privacy")).text()
    assert f'href="/inbox/conversations/{conversation_id}"' in page, "linked to its conversation"

    without_reason = await claire.post(f"/inbox/privacy/{request_id}/refuse", {"note": "  "})
    assert without_reason.status == 400
    assert (await stored(inbox_settings, request_id)).status is PrivacyRequestStatus.OPEN

    reason = "We could not confirm that this account is yours."
    refused = await claire.post(f"/inbox/privacy/{request_id}/refuse", {"note": reason})
    assert refused.status == 303 and "notice=refused_channel" in refused.headers["Location"]
    again = await marc.post(f"/inbox/privacy/{request_id}/refuse", {"note": "twice"})
    assert again.status == 409

    request = await stored(inbox_settings, request_id)
    assert request.status is PrivacyRequestStatus.REFUSED
    assert request.resolution_note == reason and request.completed_by_agent_id == claire.id
    [told] = await outbox_texts(inbox_settings)
    assert request.reference in told and reason in told, "queued for Telegram, once"

    async def audited(session: Any) -> list[str]:
        rows = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject_id == str(request_id))
        )
        return list(rows)

    assert await run_in_store(inbox_settings, audited) == ["refuse_privacy_request"]
    closed = await (await claire.client.get("/inbox/privacy")).text()
    assert reason in closed.split('id="h-closed"')[1], "the reason shows among the closed"


async def test_asking_for_information_keeps_the_request_open_and_writes_in_the_web_chat(
    demo_sessions: Any, make_agent: MakeAgent, inbox_settings: Settings, smtp_server: SmtpServer
) -> None:
    agent = await make_agent()
    request_id, conversation_id = await filed_from(inbox_settings, Channel.WEBCHAT, "web-pq-1")
    question = "Which e-mail address did you use for your orders?"
    asked = await agent.post(f"/inbox/privacy/{request_id}/ask", {"note": question})
    assert "notice=asked_channel" in asked.headers["Location"]

    request = await stored(inbox_settings, request_id)
    assert request.status is PrivacyRequestStatus.IN_PROGRESS
    assert request.information_requested_at is not None and request.completed_at is None

    async def transcript(session: Any) -> list[str]:
        rows = await session.scalars(
            select(Message.text)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id)
        )
        return list(rows)

    assert question in (await run_in_store(inbox_settings, transcript))[-1]
    assert smtp_server.mailbox.messages == [], "the customer reads it in the chat"
    page = await (await agent.client.get("/inbox/privacy")).text()
    assert f'data-id="{request_id}"' in page and question in page, "still open, question shown"


async def test_a_customer_who_left_the_web_chat_is_told_by_email(
    demo_sessions: Any, make_agent: MakeAgent, inbox_settings: Settings, smtp_server: SmtpServer
) -> None:
    agent = await make_agent()
    request_id, conversation_id = await filed_from(inbox_settings, Channel.WEBCHAT, "web-pq-2")

    async def leave(session: Any) -> None:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_message_at=utcnow() - timedelta(days=2))
        )

    await run_in_store(inbox_settings, leave)
    done = await agent.post(f"/inbox/privacy/{request_id}/done", {"note": ""})
    assert "notice=done_email" in done.headers["Location"]
    [mail] = smtp_server.mailbox.messages
    reference = (await stored(inbox_settings, request_id)).reference
    assert mail["To"] == EMAIL and reference in mail["Subject"]
    assert "has been completed" in mail.get_payload(decode=True).decode()


async def test_the_admins_privacy_page_has_a_plain_title_and_one_erase_form(
    demo_sessions: Any, make_agent: MakeAgent
) -> None:
    from bot.store.models import AgentRole

    admin = await make_agent("Ada", AgentRole.ADMIN)
    page = await (await admin.client.get("/inbox/privacy")).text()
    title = page[page.index("<title>") + len("<title>") : page.index("</title>")]
    assert title.startswith("Privacy requests") and "<" not in title and "&lt;" not in title
    assert page.count('id="erase-contact"') == 1
