"""The web chat page shows the rate limit's polite message, and keeps the unsent text, when
the gateway answers 429 (issue 17, item 10): never a silent failure. Real Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.gateway.limits import POLITE_REFUSAL
from bot.settings import Settings
from tests.helpers import skip_or_fail

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 15_000


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        skip_or_fail(f"Debian's Chromium is not installed at {CHROMIUM}: `make browser`")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox"], headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def test_the_page_shows_the_polite_message_when_it_is_too_fast(
    browser: Any,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    gateway_settings: Settings,
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    settings = replace(gateway_settings, chat_limit_per_session="1/1000h")
    server = await aiohttp_server(create_app(settings), host="127.0.0.1")
    page = await (await browser.new_context()).new_page()
    await page.goto(str(server.make_url("/")))
    await page.fill("#message-input", "hello")
    await page.press("#message-input", "Enter")
    await expect(page.locator(".message--bot")).to_have_count(1)

    await page.fill("#message-input", "and another thing")
    await page.press("#message-input", "Enter")
    await expect(page.locator("#chat-error-text")).to_have_text(POLITE_REFUSAL)
    await expect(page.locator("#message-input")).to_have_value("and another thing")
    await expect(page.locator(".message--customer")).to_have_count(1)
