"""The command line for the queue: an agent's team, and the house's priority flag."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.store.db import create_engine, create_session_factory
from bot.store.models import Contact, Priority
from tests.bot.inbox.test_accounts import main, run_cli, stored_agents


def test_an_agent_is_created_in_a_team(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    code = run_cli(
        monkeypatch, sqlite_url, "a very long passphrase\n",
        "--email", "ada@maison.example.com", "--name", "Ada", "--team", "after-sales",
    )  # fmt: skip
    assert code == 0
    assert [a.team for a in stored_agents(sqlite_url)] == ["after-sales"]


def test_the_house_marks_a_contact_vip(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def add() -> None:
        engine = create_engine(sqlite_url)
        try:
            async with create_session_factory(engine).begin() as session:
                session.add(Contact(first_name="Ada", last_name="L", email="ada@example.com"))
        finally:
            await engine.dispose()

    async def priority() -> Priority:
        engine = create_engine(sqlite_url)
        try:
            async with create_session_factory(engine)() as session:
                return Priority((await session.scalar(select(Contact.priority))).value)
        finally:
            await engine.dispose()

    asyncio.run(add())
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert asyncio.run(priority()) is Priority.NORMAL
    assert main(["set-priority", "--email", "ADA@example.com", "--priority", "vip"]) == 0
    assert asyncio.run(priority()) is Priority.VIP
    assert main(["set-priority", "--email", "nobody@example.com", "--priority", "vip"]) == 1
    assert "no contact" in capsys.readouterr().err
