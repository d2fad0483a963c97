"""Alerts across two gateways on PostgreSQL: each event is alerted exactly once.

Two gateways share the store and their live events (LIVE_BROADCAST=postgres), with an
agent's inbox socket on each. A handoff reaches both agents once; an escalation, run by both
gateways' schedulers at the same moment, is raised once and reaches both agents once; with
nobody in the inbox the on-duty address gets one e-mail per event.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.gateway.keys import PIPELINE, SESSIONS
from bot.gateway.scheduler import Scheduler
from bot.inbox.accounts import create_agent
from bot.settings import Settings
from bot.store.models import AgentRole, Alert, MailStatus
from bot.store.types import utcnow
from tests.fakes.rasa import FakeRasa
from tests.fakes.smtp import SmtpServer
from tests.helpers import PASSWORD, login, run_in_store, until

pytestmark = pytest.mark.postgres
ON_DUTY = "duty@maison.example.com"
Client = TestClient[Any, Any]


@pytest.fixture
def settings_pg(
    gateway_settings: Settings, postgres_url: str, smtp_server: SmtpServer, fake_rasa: Any
) -> Settings:
    rasa: FakeRasa = fake_rasa[0]
    rasa.answer([])  # replaced per test below

    return replace(
        gateway_settings,
        database_url=postgres_url,
        live_broadcast="postgres",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        on_duty_email=ON_DUTY,
        handoff_escalate_after_seconds=600.0,
        scheduler_tick_seconds=3600.0,  # the tests run the schedulers themselves
    )


@pytest.fixture
def handing_off(fake_rasa: Any) -> FakeRasa:
    rasa: FakeRasa = fake_rasa[0]

    async def script(body: dict[str, Any]) -> Any:
        from aiohttp import web

        return web.json_response(
            [
                {"recipient_id": body["sender"], "text": "A person will join you."},
                {"recipient_id": body["sender"], "custom": {"handoff": {"reason": "complaint"}}},
            ]
        )

    rasa.script = script
    return rasa


async def alerts(settings: Settings) -> list[Alert]:
    async def read(session: Any) -> list[Alert]:
        return list(await session.scalars(select(Alert).order_by(Alert.id)))

    return list(await run_in_store(settings, read))


async def frames_until(ws: Any, key: str) -> list[dict[str, Any]]:
    """The socket's alert frames up to and including the alert with this key."""
    seen: list[dict[str, Any]] = []
    while True:
        frame = await ws.receive_json(timeout=15)
        if frame["type"] == "alert":
            seen.append(frame)
            if frame["alert"]["key"] == key:
                return seen


async def test_each_alert_once_across_two_gateways(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    aiohttp_client: Callable[..., Awaitable[Client]],
    settings_pg: Settings,
    handing_off: FakeRasa,
    smtp_server: SmtpServer,
) -> None:
    gateways = [await aiohttp_server(create_app(settings_pg), host="127.0.0.1") for _ in "12"]
    customers = [await aiohttp_client(g) for g in gateways]
    schedulers = [
        Scheduler(g.app[SESSIONS], g.app[PIPELINE].alerter.jobs(), holder=f"gateway-{n}")
        for n, g in enumerate(gateways, 1)
    ]

    async def escalate_on_both(hours: int) -> None:
        later = utcnow() + timedelta(hours=hours)
        await asyncio.gather(*(s.run_due(later) for s in schedulers))

    async def make(session: Any) -> None:
        for name in ("claire", "marc"):
            await create_agent(session, f"{name}@maison.example.com", name.title(), PASSWORD,
                               AgentRole.AGENT)  # fmt: skip

    await run_in_store(settings_pg, make)

    async def mailed(count: int) -> None:
        async def done() -> bool:
            stored = await alerts(settings_pg)
            busy = (MailStatus.PENDING, MailStatus.SENDING)
            settled = not any(a.mail_status in busy for a in stored)
            return settled and len(smtp_server.mailbox.messages) >= count

        await until(done, 15, f"{count} e-mails")
        assert len(smtp_server.mailbox.messages) == count

    # Nobody in the inbox: the handoff, then its escalation, e-mailed once each.
    await customers[0].post("/api/chat", json={"session_id": "alone-1", "text": "help"})
    await mailed(1)
    await escalate_on_both(2)
    await mailed(2)
    assert [m["Subject"].startswith("Overdue") for m in smtp_server.mailbox.messages] == [
        False,
        True,
    ]

    # An agent on each gateway.
    sockets = []
    for name, gateway in zip(("claire", "marc"), gateways, strict=True):
        client = await aiohttp_client(gateway)
        assert (await login(client, f"{name}@maison.example.com", PASSWORD)).status == 303
        ws = await client.ws_connect("/inbox/ws", origin=str(gateway.make_url("")).rstrip("/"))
        assert (await ws.receive_json(timeout=5))["type"] == "hello"
        sockets.append(ws)

    # A handoff on the second gateway and its escalation by both schedulers at once.
    await customers[1].post("/api/chat", json={"session_id": "seen-1", "text": "help"})
    await until(lambda: _count(alerts(settings_pg), 3), 10, "the third alert")
    await escalate_on_both(4)
    # A last handoff, so that every earlier frame has arrived when its alert does.
    await customers[0].post("/api/chat", json={"session_id": "last-1", "text": "help"})
    stored = await alerts(settings_pg)
    assert len(stored) == 5
    last_key = stored[-1].key
    for ws in sockets:
        seen = Counter(frame["alert"]["key"] for frame in await frames_until(ws, last_key))
        assert set(seen.values()) == {1}, f"an alert reached an agent twice: {seen}"
        assert set(seen) == {a.key for a in stored[2:]}
    assert [(a.kind.value, a.mail_status.value) for a in stored] == [
        ("handoff", "sent"),
        ("escalation", "sent"),
        ("handoff", "not_needed"),  # agents were on duty
        ("escalation", "sent"),  # escalations always go to the on-duty address
        ("handoff", "not_needed"),
    ]
    await mailed(3)
    for ws in sockets:
        await ws.close()


async def _count(found: Awaitable[list[Alert]], expected: int) -> bool:
    return len(await found) >= expected
