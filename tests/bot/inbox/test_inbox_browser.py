"""The handoff in real browsers: a customer on the web chat, an agent in the inbox.

The gateway runs for real (an aiohttp server on a free port) with the scripted fake Rasa
(it hands off when asked for a person and echoes anything else); Debian's Chromium, driven
by Playwright, opens the customer's page and the inbox in two separate browser contexts.
Every wait is on a condition, bounded by Playwright's timeout: nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.inbox.accounts import create_agent
from bot.inbox.actions import RESOLVED_NOTICE
from bot.settings import PROJECT_ROOT, Settings
from bot.store.models import AgentRole
from tests.fakes.rasa import HANDOFF_TEXT
from tests.helpers import PASSWORD, run_in_store, skip_or_fail

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = PROJECT_ROOT / "tests" / "artifacts" / "inbox.png"
TIMEOUT_MS = 15_000
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture
def inbox_settings(gateway_settings: Settings) -> Settings:
    """One run on SQLite is enough here: the store's behaviour is covered elsewhere."""
    return gateway_settings


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        skip_or_fail(
            f"Debian's Chromium is not installed at {CHROMIUM}: "
            "`make browser` installs it (apt-get install -y chromium)"
        )
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def test_a_customer_asks_for_a_person_and_an_agent_takes_over_and_back(
    browser: Any, server: TestServer, inbox_settings: Settings
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    base = str(server.make_url("")).rstrip("/")

    async def make(session: Any) -> None:
        await create_agent(
            session, "claire@maison.example.com", "Claire", PASSWORD, AgentRole.AGENT
        )

    await run_in_store(inbox_settings, make)

    # The agent signs in first and watches the queue.
    agent_context = await browser.new_context(viewport={"width": 1440, "height": 960})
    inbox = await agent_context.new_page()
    inbox_errors: list[str] = []
    inbox.on("pageerror", lambda error: inbox_errors.append(str(error)))
    await inbox.goto(base + "/inbox/")
    await expect(inbox).to_have_url(base + "/inbox/login?next=/inbox/")
    await inbox.fill('input[name="email"]', "claire@maison.example.com")
    await inbox.fill('input[name="password"]', PASSWORD)
    await inbox.click('button[type="submit"]')
    await expect(inbox).to_have_url(base + "/inbox/")
    await expect(inbox.locator("#live-status")).to_have_text("Live")
    await expect(inbox.locator("#queue-waiting.empty")).to_be_visible()

    # The customer asks for a person on the web chat.
    customer_context = await browser.new_context()
    customer = await customer_context.new_page()
    await customer.goto(base + "/")
    await customer.fill("#message-input", "I would like to talk to a person please")
    await customer.press("#message-input", "Enter")
    await expect(customer.locator(".message--bot").last).to_have_text(HANDOFF_TEXT)

    # It appears in the agent's queue without a reload.
    waiting = inbox.locator("#queue-waiting a.row-link")
    await expect(waiting).to_have_count(1)
    await expect(inbox.locator("#queue-waiting")).to_contain_text("Asked for a person")
    await waiting.click()
    await expect(inbox.locator("#transcript")).to_contain_text(
        "I would like to talk to a person please"
    )
    await inbox.click("#claim")
    await expect(inbox.locator(".notice").first).to_contain_text("You have claimed")
    await expect(inbox.locator("#live-status")).to_have_text("Live")

    # The agent's reply reaches the customer's page live.
    await inbox.fill("#composer-text", "Good afternoon, this is Claire from the concierge.")
    await inbox.click("#send-reply")
    await expect(customer.locator(".message--agent")).to_have_text(
        "Good afternoon, this is Claire from the concierge."
    )
    # A private note shows in the inbox only.
    await inbox.fill("#composer-text", "Customer sounds in a hurry.")
    await inbox.click("#add-note")
    await expect(inbox.locator("#transcript li.msg--note")).to_contain_text(
        "Customer sounds in a hurry."
    )

    # The customer's answer, and an attempt at script injection, arrive in the inbox live.
    await customer.fill("#message-input", "Thank you, Claire!")
    await customer.press("#message-input", "Enter")
    customer_lines = inbox.locator("#transcript li.msg--customer .msg__text")
    await expect(customer_lines.last).to_have_text("Thank you, Claire!")
    await customer.fill("#message-input", XSS)
    await customer.press("#message-input", "Enter")
    await expect(customer_lines.last).to_have_text(XSS)
    # And the agent's text is inert on the customer's page too.
    await inbox.fill("#composer-text", '<img src=x onerror="window.__xss=3">')
    await inbox.click("#send-reply")
    await expect(customer.locator(".message--agent").last).to_have_text(
        '<img src=x onerror="window.__xss=3">'
    )
    await inbox.reload()  # the server-rendered transcript escapes it as well
    await expect(customer_lines.last).to_have_text(XSS)
    for page in (inbox, customer):
        assert await page.evaluate("typeof window.__xss") == "undefined"
    assert await inbox.locator("#transcript img").count() == 0
    assert await customer.locator("#transcript img").count() == 0
    await expect(customer.locator("#transcript")).not_to_contain_text("Customer sounds in a hurry")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    await expect(inbox.locator("#live-status")).to_have_text("Live")
    await inbox.screenshot(path=str(SCREENSHOT), full_page=True)

    # Resolve: the bot says so on the customer's page, and answers the next message.
    await inbox.click("#resolve")
    await expect(inbox.locator(".notice").first).to_contain_text("Resolved")
    await expect(customer.locator(".message--notice").last).to_have_text(RESOLVED_NOTICE)
    await customer.fill("#message-input", "One more question")
    await customer.press("#message-input", "Enter")
    await expect(customer.locator(".message--bot").last).to_have_text("You said: One more question")
    assert inbox_errors == []
    await agent_context.close()
    await customer_context.close()
