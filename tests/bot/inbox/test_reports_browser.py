"""The reports page in Chromium, at desktop and phone (390 px) widths: the figures, the
server-drawn charts under the strict CSP (no violation reported), and axe-core's check."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.inbox.accounts import create_agent
from bot.settings import Settings
from bot.store.models import AgentRole
from tests.bot.inbox.browser_support import TIMEOUT_MS, artifact, serious_violations, sign_in
from tests.bot.inbox.test_handoff_alerts_browser import ask_for_a_person, browser
from tests.bot.inbox.test_inbox_browser import chromium
from tests.fakes.rasa import FakeRasa
from tests.helpers import PASSWORD, run_in_store

pytestmark = pytest.mark.browser
__all__ = ["browser", "chromium"]  # fixtures, used by name


@pytest.fixture
def inbox_settings(gateway_settings: Settings) -> Settings:
    return replace(gateway_settings, handoff_escalate_after_seconds=3600.0)


async def test_the_reports_page_reads_well_and_keeps_the_policy(
    browser: Any, server: TestServer, inbox_settings: Settings, fake: FakeRasa
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    base = str(server.make_url("")).rstrip("/")

    async def admin(session: Any) -> None:
        await create_agent(session, "ada@maison.example.com", "Ada Laurent", PASSWORD,
                           AgentRole.ADMIN)  # fmt: skip

    await run_in_store(inbox_settings, admin)
    customer = await (await browser.new_context()).new_page()
    await ask_for_a_person(customer, base, "I would like a person please")

    for name, viewport in [("desktop", {"width": 1280, "height": 900}),
                           ("phone", {"width": 390, "height": 844})]:  # fmt: skip
        context = await browser.new_context(viewport=viewport)
        page = await context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message, refused=refused: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        await sign_in(page, base, "ada@maison.example.com")
        await page.click("text=Reports")
        await expect(page.locator("#h-reports")).to_have_text("Reports")
        await expect(page.locator('[data-figure="conversations"]')).to_have_text("1")
        await expect(page.locator('[data-figure="outcome-handed_off"]')).to_have_text("1")
        await expect(page.locator("svg.chart")).to_have_count(3)
        await expect(page.locator("svg.chart").first.locator("rect").last).to_be_visible()  # today
        await page.select_option('select[name="channel"]', "telegram")
        await page.click('button:has-text("Show")')
        await expect(page.locator('[data-figure="conversations"]')).to_have_text("0")
        await page.screenshot(path=str(artifact(f"reports-{name}.png")), full_page=True)
        assert refused == []
        assert await serious_violations(page) == []
        await context.close()
