"""Erasing from the inbox reaches Rasa's SQL tracker store too, when the gateway knows it
(RASA_TRACKER_STORE_URL), and the audit log says how many of its events went."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine
from bot.store.models import AgentRole, AuditEntry
from tests.bot.inbox.test_privacy_and_audit import EMAIL, verify
from tests.helpers import MakeAgent, NewClient, waiting_conversation


@pytest.fixture
def inbox_settings(gateway_settings: Settings, database_url: str, tmp_path: Path) -> Settings:
    tracker = tmp_path / "rasa-tracker.db"
    return replace(
        gateway_settings, database_url=database_url, rasa_tracker_store_url=f"sqlite:///{tracker}"
    )


async def test_erasing_a_contact_deletes_their_events_in_rasas_tracker_store(
    demo_sessions: SessionFactory,
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
) -> None:
    admin = await make_agent("Ada", AgentRole.ADMIN)
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "track-1")
    contact = await verify(inbox_settings, "track-1")
    tracker = create_engine(
        inbox_settings.rasa_tracker_store_url.replace("sqlite", "sqlite+aiosqlite", 1)
    )
    async with tracker.begin() as connection:
        await connection.execute(text("CREATE TABLE events (sender_id TEXT, data TEXT)"))
        for sender in (f"conversation-{conversation_id}", "conversation-999"):
            await connection.execute(
                text("INSERT INTO events VALUES (:sender, :data)"),
                {"sender": sender, "data": f"I am {EMAIL}"},
            )
    try:
        done = await admin.post(
            "/inbox/contacts/erase",
            {"contact_id": str(contact), "reason": "asked_another_way", "confirm": "yes"},
        )
        assert done.status == 303
        async with tracker.connect() as connection:
            left = (await connection.execute(text("SELECT sender_id FROM events"))).all()
        assert [row[0] for row in left] == ["conversation-999"]
    finally:
        await tracker.dispose()
    async with demo_sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "erase_tracker"))
    assert entry is not None and entry.detail == f"1 tracker events of contact {contact}"
