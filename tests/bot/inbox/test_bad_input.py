"""Malformed ids, numbers and return addresses in the inbox get a 400 and a reason, never a
500 (issue 17, item 12): a number past the store's 64-bit integers used to overflow the
database driver, and CR/LF in the sign-in form's `next` used to split the redirect header."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.settings import Settings
from bot.store.models import AgentRole, AgentSession
from tests import helpers
from tests.helpers import PASSWORD, Client, MakeAgent, NewClient

HUGE = "9" * 30
JUST_PAST = str(2**63)


@pytest.mark.parametrize("number", [HUGE, JUST_PAST, "١٢"], ids=["huge", "2**63", "arabic"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/inbox/conversations/{n}"),
        ("GET", "/inbox/api/conversations/{n}/messages"),
        ("POST", "/inbox/conversations/{n}/claim"),
        ("POST", "/inbox/conversations/{n}/reply"),
        ("GET", "/inbox/contacts/{n}/export.json"),
        ("POST", "/inbox/privacy/{n}/done"),
        ("POST", "/inbox/canned/{n}/delete"),
        ("GET", "/inbox/audit?before={n}"),
    ],
)
async def test_an_id_the_store_cannot_hold_gets_a_400(
    make_agent: MakeAgent, method: str, path: str, number: str
) -> None:
    admin = await make_agent("Ada", AgentRole.ADMIN)
    url = path.format(n=number)
    headers = {"Accept": "application/json", "X-CSRF-Token": admin.csrf}
    response = await admin.client.request(
        method, url, headers=headers, data={"text": "hi"}, allow_redirects=False
    )
    assert response.status == 400, await response.text()
    assert "must be a whole number" in (await response.json())["error"]


@pytest.mark.parametrize("after", [HUGE, JUST_PAST, "-1"])
async def test_an_after_the_store_cannot_hold_gets_a_400(
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
    after: str,
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await helpers.waiting_conversation(customer, inbox_settings, "s-after")
    response = await agent.client.get(
        f"/inbox/api/conversations/{conversation_id}/messages?after={after}"
    )
    assert response.status == 400
    assert "after must be a whole number" in (await response.json())["error"]


async def test_an_assignee_filter_past_the_store_is_ignored(make_agent: MakeAgent) -> None:
    agent = await make_agent()
    response = await agent.client.get(f"/inbox/api/queue?assignee={HUGE}")
    assert response.status == 200


async def _login_with_next(client: Client, email: str, next_path: str) -> Any:
    page = await client.get("/inbox/login")
    token = re.search(r'name="login_token" value="([^"]+)"', await page.text())
    assert token
    return await client.post(
        "/inbox/login",
        data={
            "email": email,
            "password": PASSWORD,
            "login_token": token.group(1),
            "next": next_path,
        },
        allow_redirects=False,
    )


@pytest.mark.parametrize(
    "next_path",
    [
        "/inbox/\r\nSet-Cookie: inbox_session=attacker",
        "/inbox/\nLocation: https://evil.example",
        "/inbox/\r",
        "/inbox/\x00",
    ],
    ids=["crlf-cookie", "lf-location", "cr", "nul"],
)
async def test_a_control_character_in_next_gets_a_400_and_no_session(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, next_path: str
) -> None:
    agent = await make_agent()
    sessions_before = await helpers.count(inbox_settings, AgentSession)
    response = await _login_with_next(await new_client(), agent.email, next_path)
    assert response.status == 400
    assert "not a valid address" in await response.text()
    assert "Set-Cookie" not in response.headers or "attacker" not in response.headers["Set-Cookie"]
    assert await helpers.count(inbox_settings, AgentSession) == sessions_before


async def test_a_control_character_in_next_of_the_signed_in_form_goes_to_the_inbox(
    make_agent: MakeAgent,
) -> None:
    agent = await make_agent()
    response = await agent.client.get(
        "/inbox/login?next=/inbox/%0d%0aSet-Cookie:%20x=y", allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == "/inbox/"
