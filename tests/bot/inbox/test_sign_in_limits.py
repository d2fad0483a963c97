"""Sign-in limits count failures only, per account and per client address, and believe
X-Forwarded-For only from a trusted proxy (issue 17, item 9). Real gateway, real HTTP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.app import create_app
from bot.inbox.accounts import create_agent
from bot.inbox.throttle import PER_ACCOUNT, PER_ADDRESS
from bot.settings import Settings
from bot.store.models import AgentRole
from tests.helpers import PASSWORD, Client, run_in_store

TEAM = 3


async def agents(settings: Settings, count: int) -> list[str]:
    emails = [f"agent{i}@maison.example.com" for i in range(count)]

    async def create(session: Any) -> None:
        for email in emails:
            await create_agent(session, email, email.split("@")[0], PASSWORD, AgentRole.AGENT)

    await run_in_store(settings, create)
    return emails


async def gateway(aiohttp_client: Any, settings: Settings) -> Client:
    client: Client = await aiohttp_client(create_app(settings))
    return client


async def sign_in(client: Client, email: str, password: str, forwarded: str = "") -> int:
    client.session.cookie_jar.clear()  # another browser, the same address
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = await client.get("/inbox/login", headers=headers)
    token = (await page.text()).split('name="login_token" value="')[1].split('"')[0]
    response = await client.post(
        "/inbox/login",
        data={"email": email, "password": password, "login_token": token},
        headers=headers,
        allow_redirects=False,
    )
    return response.status


async def test_a_team_behind_one_address_is_never_locked_out_by_signing_in(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    client = await gateway(aiohttp_client, gateway_settings)
    team = await agents(gateway_settings, TEAM)
    statuses = [await sign_in(client, team[i % TEAM], PASSWORD) for i in range(PER_ADDRESS + 6)]
    assert statuses == [303] * (PER_ADDRESS + 6)


async def test_failures_from_one_address_lock_that_address(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    client = await gateway(aiohttp_client, gateway_settings)
    [agent] = await agents(gateway_settings, 1)
    # Spread over accounts (none reaching its own limit), and a forged X-Forwarded-For on
    # each: from an untrusted peer it is ignored, so the guesser stays one address.
    for i in range(PER_ADDRESS):
        email = f"guess{i % (PER_ACCOUNT * 7)}@maison.example.com"
        assert await sign_in(client, email, "wrong", forwarded=f"203.0.113.{i}") == 401
    assert await sign_in(client, agent, PASSWORD, forwarded="198.51.100.7") == 429


async def test_failures_lock_the_account_whatever_the_address(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    settings = replace(gateway_settings, trusted_proxies="127.0.0.1")
    client = await gateway(aiohttp_client, settings)
    [agent] = await agents(settings, 1)
    for i in range(PER_ACCOUNT):
        assert await sign_in(client, agent, "wrong", forwarded=f"203.0.113.{i}") == 401
    assert await sign_in(client, agent, PASSWORD, forwarded="198.51.100.7") == 429


async def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    settings = replace(gateway_settings, trusted_proxies="127.0.0.1")
    client = await gateway(aiohttp_client, settings)
    [agent] = await agents(settings, 1)
    guesser = "203.0.113.9"
    for i in range(PER_ADDRESS):
        email = f"guess{i % (PER_ACCOUNT * 7)}@maison.example.com"
        # The client is the right-most address the trusted proxy appended.
        assert await sign_in(client, email, "wrong", forwarded=f"10.9.9.9, {guesser}") == 401
    assert await sign_in(client, agent, PASSWORD, forwarded=guesser) == 429
    assert await sign_in(client, agent, PASSWORD, forwarded="198.51.100.7") == 303
