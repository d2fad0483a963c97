"""Issue 17 item 5: every read of a transcript is audited, by any route (the page, the
messages API, the live socket's `watch`), once per view; sign-outs and failed sign-ins too."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.settings import Settings
from bot.store.models import AuditEntry
from tests.helpers import (
    MakeAgent,
    NewClient,
    login,
    run_in_store,
    until,
    waiting_conversation,
)


async def entries(settings: Settings, action: str) -> list[tuple[int | None, str, str]]:
    async def read(session: Any) -> list[tuple[int | None, str, str]]:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return [(e.agent_id, e.subject_type, e.subject_id) for e in rows]

    return list(await run_in_store(settings, read))


async def test_the_messages_api_audits_a_read_once_per_view(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    conversation = await waiting_conversation(await new_client(), inbox_settings, "api-1")
    agent = await make_agent()
    url = f"/inbox/api/conversations/{conversation}/messages"

    response = await agent.client.get(f"{url}?after=0")
    assert response.status == 200 and (await response.json())["messages"]
    viewed = (agent.id, "conversation", str(conversation))
    assert await entries(inbox_settings, "view_conversation") == [viewed]

    # The page polling for what came after is the same view: no entry per poll.
    for after in (1, 2, 3):
        assert (await agent.client.get(f"{url}?after={after}")).status == 200
    assert await entries(inbox_settings, "view_conversation") == [viewed]

    # Reading with after>0 without having opened it is a read of its own.
    other = await make_agent("Marc")
    assert (await other.client.get(f"{url}?after=1")).status == 200
    assert (other.id, "conversation", str(conversation)) in await entries(
        inbox_settings, "view_conversation"
    )


async def test_each_watch_on_the_live_socket_is_audited(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, server: TestServer
) -> None:
    conversation = await waiting_conversation(await new_client(), inbox_settings, "ws-1")
    agent = await make_agent()
    ws = await agent.client.ws_connect("/inbox/ws", origin=str(server.make_url("")).rstrip("/"))
    assert (await ws.receive_json(timeout=5))["type"] == "hello"
    await ws.send_json({"type": "watch", "conversation_id": conversation})
    await ws.send_json({"type": "watch", "conversation_id": conversation})
    watched = (agent.id, "conversation", str(conversation))

    async def both_audited() -> bool:
        return await entries(inbox_settings, "watch_conversation") == [watched, watched]

    await until(both_audited, what="each watch audited")
    await ws.close()


async def test_sign_out_and_failed_sign_ins_are_audited(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    await agent.post("/inbox/logout")
    assert await entries(inbox_settings, "logout") == [(agent.id, "agent", str(agent.id))]

    guesser = await new_client()
    response = await login(guesser, agent.email, "wrong password")
    assert response.status == 401
    response = await login(guesser, "nobody@maison.example.com", "whatever")
    assert response.status == 401
    assert await entries(inbox_settings, "login_failed") == [
        (None, "email", agent.email),
        (None, "email", "nobody@maison.example.com"),
    ]
