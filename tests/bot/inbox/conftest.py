"""The inbox against a real gateway: agents signed in over HTTP, customers on the web chat,
the scripted fake Rasa, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.inbox.accounts import create_agent
from bot.settings import Settings
from bot.store.db import create_engine, create_session_factory
from bot.store.models import AgentRole, Conversation, Message
from tests.fakes.rasa import FakeRasa

PASSWORD = "correct horse battery staple"
HANDOFF_TEXT = "A member of our concierge will join this conversation shortly."
Client = TestClient[Any, Any]


@pytest.fixture
def inbox_settings(gateway_settings: Settings, database_url: str) -> Settings:
    return replace(gateway_settings, database_url=database_url)


@pytest.fixture
def fake(fake_rasa: tuple[FakeRasa, str]) -> FakeRasa:
    """Rasa hands off when the customer asks for a person, and echoes anything else."""
    rasa = fake_rasa[0]

    async def script(body: dict[str, Any]) -> web.Response:
        text = body["message"]
        if "person" in text:
            return web.json_response(
                [
                    {"recipient_id": body["sender"], "text": HANDOFF_TEXT},
                    {
                        "recipient_id": body["sender"],
                        "custom": {"handoff": {"reason": "customer_request"}},
                    },
                ]
            )
        return web.json_response([{"recipient_id": body["sender"], "text": f"You said: {text}"}])

    rasa.script = script
    return rasa


@pytest.fixture
async def server(
    aiohttp_server: Callable[..., Awaitable[TestServer]], inbox_settings: Settings, fake: FakeRasa
) -> TestServer:
    return await aiohttp_server(create_app(inbox_settings), host="127.0.0.1")


NewClient = Callable[[], Awaitable[Client]]


@pytest.fixture
def new_client(aiohttp_client: Callable[..., Awaitable[Client]], server: TestServer) -> NewClient:
    """Another browser: its own cookie jar, the same gateway."""

    async def make() -> Client:
        return await aiohttp_client(server)

    return make


async def run_in_store(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


@dataclass
class Agent:
    """A signed-in agent's browser."""

    id: int
    email: str
    client: Client
    csrf: str = ""

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        form = {"csrf_token": self.csrf, **(data or {})}
        return await self.client.post(path, data=form, allow_redirects=False, **kwargs)

    async def post_json(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """As the page's fetch does: the token in the X-CSRF-Token header."""
        return await self.client.post(
            path,
            data=data or {},
            headers={"X-CSRF-Token": self.csrf, "Accept": "application/json"},
            allow_redirects=False,
        )


MakeAgent = Callable[..., Awaitable[Agent]]


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


async def login(client: Client, email: str, password: str) -> Any:
    page = await client.get("/inbox/login")
    token = re.search(r'name="login_token" value="([^"]+)"', await page.text())
    assert token, "the sign-in form carries its token"
    return await client.post(
        "/inbox/login",
        data={"email": email, "password": password, "login_token": token.group(1)},
        allow_redirects=False,
    )


async def csrf_of(client: Client) -> str:
    page = await client.get("/inbox/")
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', await page.text())
    assert match, "a signed-in page carries the CSRF token"
    return match.group(1)


async def customer_says(client: Client, session_id: str, text: str) -> list[dict[str, Any]]:
    response = await client.post("/api/chat", json={"session_id": session_id, "text": text})
    assert response.status == 200
    replies: list[dict[str, Any]] = (await response.json())["replies"]
    return replies


async def waiting_conversation(client: Client, settings: Settings, session_id: str) -> int:
    """A web chat customer who asked for a person: their conversation's id."""
    await customer_says(client, session_id, "I would like a person please")
    return int(await conversation_id_of(settings, session_id))


async def conversation_id_of(settings: Settings, external_id: str) -> int:
    from bot.store.models import ChannelIdentity

    async def find(session: Any) -> int:
        found = await session.scalar(
            select(Conversation.id)
            .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
            .where(ChannelIdentity.external_id == external_id)
        )
        assert found is not None
        return int(found)

    return int(await run_in_store(settings, find))


async def conversation(settings: Settings, conversation_id: int) -> Conversation:
    async def get(session: Any) -> Conversation:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found

    result: Conversation = await run_in_store(settings, get)
    return result


async def messages(settings: Settings, conversation_id: int) -> list[Message]:
    async def get(session: Any) -> list[Message]:
        return list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
        )

    result: list[Message] = await run_in_store(settings, get)
    return result
