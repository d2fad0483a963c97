"""The privacy queue in Chromium: an agent refuses a request with a reason, and the customer
reads it in their open web chat at once (issue 14, item 6)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.inbox.accounts import create_agent
from bot.services import privacy_requests, verification
from bot.settings import Settings
from bot.store.demo_data import load_demo_data
from bot.store.models import (
    AgentRole,
    ChannelIdentity,
    Contact,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from tests.bot.inbox.browser_support import TIMEOUT_MS, artifact, serious_violations, sign_in
from tests.bot.inbox.test_inbox_browser import browser, chromium
from tests.helpers import PASSWORD, conversation_of, run_in_store

pytestmark = pytest.mark.browser
__all__ = ["browser", "chromium"]  # fixtures, used by name

EMAIL = "isabelle.moreau@example.com"


async def test_a_refusal_with_its_reason_reaches_the_customers_web_chat(
    browser: Any, server: TestServer, inbox_settings: Settings
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    base = str(server.make_url("")).rstrip("/")

    async def prepare(session: Any) -> None:
        await load_demo_data(session)
        await create_agent(session, "claire@maison.example.com", "Claire Dubois", PASSWORD,
                           AgentRole.AGENT)  # fmt: skip

    await run_in_store(inbox_settings, prepare)

    customer = await (await browser.new_context()).new_page()
    await customer.goto(base + "/")
    await customer.fill("#message-input", "hello")
    await customer.press("#message-input", "Enter")
    await expect(customer.locator(".message--bot")).to_have_text("You said: hello")
    session_id = str(await customer.evaluate("localStorage.getItem('maison.webchat.session')"))
    conversation_id = (await conversation_of(inbox_settings, session_id)).id

    async def filed(session: Any) -> int:  # as the assistant files it after the customer's Yes
        contact = await session.scalar(select(Contact).where(Contact.email == EMAIL))
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == session_id)
        )
        await verification.link_identity(session, identity.id, contact.id)
        request = await privacy_requests.file_request(
            session,
            contact,
            PrivacyRequestKind.CORRECTION,
            details="my ZIP code is 10022",
            channel="webchat",
            conversation_id=conversation_id,
        )
        assert isinstance(request, PrivacyRequest)
        return request.id

    request_id = await run_in_store(inbox_settings, filed)

    agent = await (await browser.new_context(viewport={"width": 1366, "height": 1000})).new_page()
    await sign_in(agent, base, "claire@maison.example.com")
    await agent.goto(base + "/inbox/privacy")
    row = agent.locator(f'tr[data-id="{request_id}"]')
    await expect(row.locator("a", has_text="Open the conversation")).to_have_attribute(
        "href", f"/inbox/conversations/{conversation_id}"
    )
    assert await serious_violations(agent) == []
    await agent.screenshot(path=str(artifact("privacy-queue.png")), full_page=True)

    reason = "We hold no ZIP code for you, so there is nothing to correct."
    await row.locator(f"#refuse-{request_id}").fill(reason)
    await row.get_by_role("button", name="Refuse").click()
    await expect(agent.locator(".notice").first).to_contain_text(
        "Refused; the customer was told the reason in their conversation."
    )
    await expect(agent.locator(f'tr[data-id="{request_id}"]')).to_have_count(0)
    await expect(agent.locator("#h-closed").locator("..")).to_contain_text(reason)

    told = customer.locator(".message--agent").last
    await expect(told).to_contain_text(reason)
    await expect(told).to_contain_text("closed it without acting on it")

    async def status(session: Any) -> PrivacyRequestStatus:
        return (await session.get(PrivacyRequest, request_id)).status

    assert await run_in_store(inbox_settings, status) is PrivacyRequestStatus.REFUSED
