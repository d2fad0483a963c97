"""The queue a concierge team runs on, in Chromium, at desktop and phone (390 px) widths.

Three customers hand off: one proved an order in the chat, one is a verified VIP, one asks
about a boutique. The queue says who and why (name when verified, topic, labels, team,
priority before age), the conversation page carries what was proved and the handoff digest,
and search, filters, labels, teams and snooze all work from the page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select, update

from bot.inbox.accounts import create_agent
from bot.services import proofs, verification
from bot.settings import Settings
from bot.store.demo_data import load_demo_data
from bot.store.models import (
    Agent,
    AgentRole,
    ChannelIdentity,
    Contact,
    Priority,
    ProofMethod,
)
from tests.bot.inbox.browser_support import TIMEOUT_MS, artifact, serious_violations, sign_in
from tests.bot.inbox.test_handoff_alerts_browser import ask_for_a_person, browser
from tests.bot.inbox.test_inbox_browser import chromium
from tests.fakes.rasa import HANDOFF_TEXT, FakeRasa
from tests.helpers import PASSWORD, run_in_store
from tests.helpers import conversation_of as _conversation_of

pytestmark = pytest.mark.browser
__all__ = ["browser", "chromium"]  # fixtures, used by name

# What the fake Rasa "recognised" before each handoff, as rasa_addons sends it.
UNDERSTOOD = {
    "order": ["greet", "check_order_status", "inform", "request_human"],
    "boutique": ["find_boutique", "request_human"],
}


@pytest.fixture
def inbox_settings(gateway_settings: Settings) -> Settings:
    return replace(gateway_settings, handoff_escalate_after_seconds=3600.0)


@pytest.fixture
def fake(fake_rasa: tuple[FakeRasa, str]) -> FakeRasa:
    rasa = fake_rasa[0]

    async def script(body: dict[str, Any]) -> web.Response:
        text, sender = body["message"], body["sender"]
        if "person" not in text:
            return web.json_response([{"recipient_id": sender, "text": f"You said: {text}"}])
        topic = next((key for key in UNDERSTOOD if key in text), None)
        answer: list[dict[str, Any]] = [
            {"recipient_id": sender, "text": HANDOFF_TEXT},
            {"recipient_id": sender, "custom": {"handoff": {"reason": "customer_request"}}},
        ]
        if topic:
            answer.append(
                {"recipient_id": sender, "custom": {"understood": {"intents": UNDERSTOOD[topic]}}}
            )
        return web.json_response(answer)

    rasa.script = script
    return rasa


async def prepare(settings: Settings) -> None:
    async def work(session: Any) -> None:
        await load_demo_data(session)
        await create_agent(session, "claire@maison.example.com", "Claire Dubois", PASSWORD,
                           AgentRole.AGENT)  # fmt: skip
        await create_agent(session, "marc@maison.example.com", "Marc Lefort", PASSWORD,
                           AgentRole.AGENT)  # fmt: skip
        await session.execute(
            update(Agent).where(Agent.email.like("claire%")).values(team="after-sales")
        )
        await session.execute(
            update(Contact)
            .where(Contact.email == "james.whitaker@example.com")
            .values(priority=Priority.VIP)
        )

    await run_in_store(settings, work)


async def proved(settings: Settings, session_id: str, method: ProofMethod, email: str,
                 subject: str | None = None) -> None:  # fmt: skip
    """What the actions record when the customer passes a check in the chat."""
    conversation_id = (await _conversation_of(settings, session_id)).id

    async def work(session: Any) -> None:
        contact = await session.scalar(select(Contact).where(Contact.email == email))
        if method is ProofMethod.CODE:
            identity = await session.scalar(
                select(ChannelIdentity).where(ChannelIdentity.external_id == session_id)
            )
            await verification.link_identity(session, identity.id, contact.id)
        await proofs.record(session, conversation_id, method, contact.id, subject)

    await run_in_store(settings, work)


async def session_id_of(page: Any) -> str:
    return str(await page.evaluate("localStorage.getItem('maison.webchat.session')"))


async def test_who_and_why_search_filters_labels_teams_priority_and_snooze(
    browser: Any, server: TestServer, inbox_settings: Settings, fake: FakeRasa
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    base = str(server.make_url("")).rstrip("/")
    await prepare(inbox_settings)

    # Three customers; the order one proved PG-100234 in the chat, the VIP typed the code.
    pages = {}
    for name, words in [
        ("order", "My order PG-100234 has not arrived, I want a person"),
        ("vip", "A person please"),
        ("boutique", "Which boutique is open? A person please"),
    ]:
        context = await browser.new_context()
        pages[name] = await context.new_page()
        if name == "vip":  # verified before the handoff
            await pages[name].goto(base + "/")
            await pages[name].fill("#message-input", "hello")
            await pages[name].press("#message-input", "Enter")
            await expect(pages[name].locator(".message--bot")).to_have_text("You said: hello")
            await proved(inbox_settings, await session_id_of(pages[name]), ProofMethod.CODE,
                         "james.whitaker@example.com")  # fmt: skip
        await ask_for_a_person(pages[name], base, words)
    order_session = await session_id_of(pages["order"])
    await proved(inbox_settings, order_session, ProofMethod.ORDER_CHECK,
                 "isabelle.moreau@example.com", "PG-100234")  # fmt: skip

    # Claire (after-sales) on a phone: her team's queue first, then the others, VIP first.
    phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    inbox = await phone.new_page()
    await sign_in(inbox, base, "claire@maison.example.com")
    team = inbox.locator("#queue-team")
    await expect(inbox.locator("#h-team")).to_contain_text("Waiting for your team (After-sales)")
    await expect(team.locator("a.row-link")).to_have_text(["Isabelle Moreau"])
    await expect(team).to_contain_text("order checked")
    await expect(team).to_contain_text("Topic: Order status")
    await expect(team).to_contain_text("After-sales")
    others = inbox.locator("#queue-waiting a.row-link")
    await expect(others).to_have_text(["James Whitaker", "Web chat visitor #3"])
    await expect(inbox.locator("#queue-waiting tr").first).to_contain_text("VIP")
    await expect(inbox.locator("#queue-waiting")).to_contain_text("Topic: Boutiques")
    await expect(inbox.locator("#queue-waiting [data-wait-state]").first).to_have_attribute(
        "data-wait-state", "green"
    )
    width = await inbox.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue scrolls sideways at 390 px ({width} px wide)"
    assert await serious_violations(inbox) == []
    await inbox.screenshot(path=str(artifact("queue-phone.png")), full_page=True)

    # Search over customers and message text; filters by label, channel, status, assignee.
    await inbox.fill("#queue-search", "PG-100234")
    await inbox.click(".filters button[type=submit]")
    await expect(inbox.locator("#queue-results a.row-link")).to_have_text(["Isabelle Moreau"])
    await inbox.goto(base + "/inbox/?q=whitaker")
    await expect(inbox.locator("#queue-results a.row-link")).to_have_text(["James Whitaker"])
    await inbox.goto(base + "/inbox/")
    await inbox.select_option("#filter-label", "boutique")
    await inbox.click(".filters button[type=submit]")
    await expect(inbox.locator("#queue-results a.row-link")).to_have_text(["Web chat visitor #3"])
    await inbox.goto(base + "/inbox/?channel=telegram")
    await expect(inbox.locator("#queue-results")).to_have_text("Nothing matches.")
    await inbox.goto(base + "/inbox/?status=waiting&assignee=none&channel=webchat")
    await expect(inbox.locator("#queue-results a.row-link")).to_have_count(3)

    # The order customer's page: what was proved, and the digest of the handoff.
    desk = await browser.new_context(viewport={"width": 1366, "height": 1000})
    page = await desk.new_page()
    await sign_in(page, base, "claire@maison.example.com")
    await page.locator("#queue-team a.row-link").click()
    proof = page.locator(".proof")
    await expect(proof).to_contain_text("order check")
    await expect(proof).to_contain_text("PG-100234")
    await expect(proof).to_contain_text("Proves this order only")
    await expect(page.locator("#h-proofs").locator("..")).to_contain_text("shipped")
    digest = page.locator("#digest")
    await expect(digest).to_contain_text("Greeting → Order status → Gave details → Asked for a")
    await expect(digest).to_contain_text("PG-100234")
    transcript = page.locator("#transcript")
    await expect(transcript).to_have_attribute("tabindex", "0")
    assert await serious_violations(page) == []
    await page.screenshot(path=str(artifact("conversation.png")), full_page=True)

    # Labels are the agent's to change.
    await page.uncheck("input[name=label][value=after-sales]")
    await page.check("input[name=label][value=complaint]")
    await page.click("#labels-save")
    await expect(page.locator(".notice").first).to_contain_text("Labels saved")
    await inbox.goto(base + "/inbox/?label=complaint")
    await expect(inbox.locator("#queue-results a.row-link")).to_have_text(["Isabelle Moreau"])

    # Snooze until the customer answers: out of Mine, back by itself when they write.
    await page.click("#claim")
    await expect(pages["order"].locator(".message--notice")).to_contain_text("Claire")
    await page.select_option("#snooze-until", "reply")
    await page.click("#snooze")
    await expect(page.locator(".notice").first).to_contain_text("Snoozed")
    await page.goto(base + "/inbox/")  # not open anywhere: what she writes is unread
    await inbox.goto(base + "/inbox/")
    await expect(inbox.locator("#queue-snoozed a.row-link")).to_have_text(["Isabelle Moreau"])
    await expect(inbox.locator("#queue-mine")).to_contain_text("You hold no conversation.")
    await pages["order"].fill("#message-input", "Here are the photos you asked for")
    await pages["order"].press("#message-input", "Enter")
    await expect(inbox.locator("#queue-mine a.row-link")).to_have_text(["Isabelle Moreau"])
    await expect(inbox.locator("#queue-mine")).to_contain_text("1 unread")
    await expect(inbox.locator("#queue-snoozed")).to_contain_text("Nothing is snoozed.")

    # Hand the boutique question to Claire's team: it joins her team's queue.
    await page.locator("#queue-waiting a.row-link", has_text="visitor").click()
    await page.select_option("#team-select", "after-sales")
    await page.click("#team-submit")
    await expect(page.locator(".notice").first).to_contain_text("Handed to the team")
    await expect(inbox.locator("#queue-team a.row-link")).to_have_text(["Web chat visitor #3"])
    await inbox.set_viewport_size({"width": 1366, "height": 1000})
    await inbox.screenshot(path=str(artifact("queue.png")), full_page=True)
    for context in (phone, desk, *(p.context for p in pages.values())):
        await context.close()
