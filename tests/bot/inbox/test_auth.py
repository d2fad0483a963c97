"""Signing in and out, sessions, CSRF, rate limiting and what each role may open."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.inbox.auth import COOKIE, token_hash
from bot.settings import Settings
from bot.store.models import AgentRole, AgentSession
from tests.helpers import (
    PASSWORD,
    MakeAgent,
    NewClient,
    customer_says,
    login,
    run_in_store,
    waiting_conversation,
)


@pytest.mark.parametrize(
    "path", ["/inbox/", "/inbox/privacy", "/inbox/conversations/1", "/inbox/canned", "/inbox/audit"]
)
async def test_pages_without_a_session_go_to_the_sign_in_page(
    new_client: NewClient, path: str
) -> None:
    client = await new_client()
    response = await client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/inbox/login?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/inbox/conversations/1/claim",
        "/inbox/conversations/1/reply",
        "/inbox/conversations/1/note",
        "/inbox/conversations/1/resolve",
        "/inbox/conversations/1/assign",
        "/inbox/privacy/1/done",
        "/inbox/canned",
        "/inbox/logout",
    ],
)
async def test_actions_without_a_session_are_refused_401(new_client: NewClient, path: str) -> None:
    client = await new_client()
    response = await client.post(path, data={"text": "hi", "csrf_token": "x"})
    assert response.status == 401


async def test_the_api_and_the_socket_need_a_session(new_client: NewClient) -> None:
    client = await new_client()
    assert (
        await client.get("/inbox/api/queue", headers={"Accept": "application/json"})
    ).status == 401
    assert (await client.get("/inbox/ws")).status == 401


async def test_a_forged_form_without_its_csrf_token_is_refused(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "forged-1")
    path = f"/inbox/conversations/{conversation_id}/claim"
    without = await agent.client.post(path, data={}, allow_redirects=False)
    wrong = await agent.client.post(path, data={"csrf_token": "not-it"}, allow_redirects=False)
    header = await agent.client.post(path, headers={"X-CSRF-Token": agent.csrf[:-1] + "x"})
    assert (without.status, wrong.status, header.status) == (403, 403, 403)
    # With the token it works: the refusals were about the token alone.
    assert (await agent.post(path)).status == 303


async def test_wrong_passwords_and_unknown_accounts_are_refused_alike(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    agent = await make_agent()
    client = await new_client()
    wrong = await login(client, agent.email, PASSWORD + "!")
    unknown = await login(client, "nobody@maison.example.com", PASSWORD)
    assert wrong.status == unknown.status == 401
    assert "Wrong e-mail address or password." in await wrong.text()
    assert COOKIE not in {c.key for c in client.session.cookie_jar}


async def test_sign_in_needs_the_forms_own_token(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    agent = await make_agent()
    client = await new_client()
    response = await client.post(
        "/inbox/login",
        data={"email": agent.email, "password": PASSWORD, "login_token": "guessed"},
        allow_redirects=False,
    )
    assert response.status == 403


async def test_the_session_cookie_is_http_only_and_same_site_strict(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    client = await new_client()
    response = await login(client, agent.email, PASSWORD)
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/inbox"
    assert not cookie["secure"], "plain http in tests"

    # Only the token's hash is stored.
    async def stored(session: Any) -> list[str]:
        return list(await session.scalars(select(AgentSession.token_hash)))

    hashes = await run_in_store(inbox_settings, stored)
    assert token_hash(cookie.value) in hashes
    assert cookie.value not in hashes


async def test_the_cookie_is_secure_behind_https(
    aiohttp_server: Any, aiohttp_client: Any, inbox_settings: Settings, make_agent: MakeAgent
) -> None:
    agent = await make_agent()
    https = replace(inbox_settings, public_base_url="https://concierge.example.com")
    client = await aiohttp_client(await aiohttp_server(create_app(https)))
    form = await client.get("/inbox/login")
    assert form.cookies["inbox_login"]["secure"] is True
    token = form.cookies["inbox_login"].value
    # The test talks plain http, so its cookie jar keeps Secure cookies back: sent by hand.
    response = await client.post(
        "/inbox/login",
        data={"email": agent.email, "password": PASSWORD, "login_token": token},
        headers={"Cookie": f"inbox_login={token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.cookies[COOKIE]["secure"] is True


async def test_logout_revokes_the_session_for_good(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    agent = await make_agent()
    token = next(c.value for c in agent.client.session.cookie_jar if c.key == COOKIE)
    response = await agent.post("/inbox/logout")
    assert response.status == 303
    # Even replaying the old cookie from another browser gets nothing.
    thief = await new_client()
    thief.session.cookie_jar.update_cookies({COOKIE: token})
    assert (await thief.get("/inbox/", allow_redirects=False)).status == 303
    claim = await thief.post("/inbox/conversations/1/claim", data={"csrf_token": agent.csrf})
    assert claim.status == 401


async def test_sign_in_attempts_are_limited_per_account(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    agent = await make_agent()
    client = await new_client()
    statuses = [(await login(client, agent.email, "wrong password!")).status for _ in range(5)]
    assert statuses == [401] * 5
    # The sixth attempt is refused before the password is even checked, right or not.
    assert (await login(client, agent.email, PASSWORD)).status == 429


async def test_an_agent_cannot_open_admin_pages_or_manage_canned_replies(
    make_agent: MakeAgent,
) -> None:
    agent = await make_agent()
    assert (await agent.client.get("/inbox/audit")).status == 403
    assert (await agent.client.get("/inbox/canned")).status == 403
    save = await agent.post("/inbox/canned", {"short_code": "x1", "title": "X", "text": "X"})
    assert save.status == 403
    assert (await agent.post("/inbox/canned/1/delete")).status == 403


async def test_an_admin_can(make_agent: MakeAgent) -> None:
    admin = await make_agent("Ada", AgentRole.ADMIN)
    assert (await admin.client.get("/inbox/audit")).status == 200
    assert "/thanks" in await (await admin.client.get("/inbox/canned")).text()
    saved = await admin.post(
        "/inbox/canned", {"short_code": "/Boutique", "title": "Boutiques", "text": "Our boutiques…"}
    )
    assert saved.status == 303
    assert "/boutique" in await (await admin.client.get("/inbox/canned")).text()


async def test_pages_carry_a_strict_content_security_policy(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    agent = await make_agent()
    response = await agent.client.get("/inbox/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    login_page = await (await new_client()).get("/inbox/login")
    assert "frame-ancestors 'none'" in login_page.headers["Content-Security-Policy"]


async def test_the_socket_refuses_another_sites_page(
    make_agent: MakeAgent, server: TestServer
) -> None:
    agent = await make_agent()
    response = await agent.client.get("/inbox/ws", headers={"Origin": "https://evil.example"})
    assert response.status == 403
    ws = await agent.client.ws_connect("/inbox/ws", origin=str(server.make_url("")).rstrip("/"))
    assert (await ws.receive_json(timeout=5))["type"] == "hello"
    await ws.close()


async def test_signing_out_closes_the_live_socket(
    make_agent: MakeAgent, server: TestServer
) -> None:
    agent = await make_agent()
    ws = await agent.client.ws_connect("/inbox/ws", origin=str(server.make_url("")).rstrip("/"))
    assert (await ws.receive_json(timeout=5))["type"] == "hello"
    await agent.post("/inbox/logout")
    closing = await ws.receive(timeout=5)
    assert ws.close_code == 4401 or closing.data == 4401


async def test_an_unknown_page_inside_the_inbox_is_404_not_a_leak(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    agent = await make_agent()
    customer = await new_client()
    await customer_says(customer, "s-404", "hello")
    assert (await agent.client.get("/inbox/conversations/999999")).status == 404


async def test_the_inbox_address_without_its_slash_leads_to_it(new_client: NewClient) -> None:
    client = await new_client()
    response = await client.get("/inbox", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (308, "/inbox/")
