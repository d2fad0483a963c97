"""The inbox against a real gateway: agents signed in over HTTP, customers on the web chat,
the scripted fake Rasa, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.inbox.accounts import create_agent
from bot.settings import Settings
from bot.store.models import AgentRole
from tests.fakes.rasa import FakeRasa
from tests.helpers import (
    PASSWORD,
    Agent,
    Client,
    MakeAgent,
    NewClient,
    csrf_of,
    login,
    run_in_store,
)


@pytest.fixture
def inbox_settings(gateway_settings: Settings, database_url: str) -> Settings:
    return replace(gateway_settings, database_url=database_url)


@pytest.fixture
def fake(fake_rasa: tuple[FakeRasa, str]) -> FakeRasa:
    """Rasa hands off when the customer asks for a person, and echoes anything else."""
    rasa = fake_rasa[0]
    rasa.hand_off_when_asked()
    return rasa


@pytest.fixture
async def server(
    aiohttp_server: Callable[..., Awaitable[TestServer]], inbox_settings: Settings, fake: FakeRasa
) -> TestServer:
    return await aiohttp_server(create_app(inbox_settings), host="127.0.0.1")


@pytest.fixture
def new_client(aiohttp_client: Callable[..., Awaitable[Client]], server: TestServer) -> NewClient:
    """Another browser: its own cookie jar, the same gateway."""

    async def make() -> Client:
        return await aiohttp_client(server)

    return make


@pytest.fixture
def make_agent(inbox_settings: Settings, new_client: NewClient) -> MakeAgent:
    """Create an agent in the store and sign them in from a fresh browser."""

    async def make(name: str = "Claire", role: AgentRole = AgentRole.AGENT) -> Agent:
        email = f"{name.lower()}@maison.example.com"

        async def create(session: Any) -> int:
            return (await create_agent(session, email, name, PASSWORD, role)).id

        agent_id = await run_in_store(inbox_settings, create)
        agent = Agent(agent_id, email, await new_client())
        response = await login(agent.client, email, PASSWORD)
        assert response.status == 303, await response.text()
        agent.csrf = await csrf_of(agent.client)
        return agent

    return make
