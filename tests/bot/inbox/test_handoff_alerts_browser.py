"""A handoff as both sides live it, in Chromium: alerts, escalation, the customer's notices.

Nobody in the inbox: the handoff is e-mailed to the on-duty address. An agent signed in:
the next handoff alerts them (a notice, a sound, a desktop notification, the count in the
tab title). Left unclaimed past HANDOFF_ESCALATE_AFTER (3 s here), a handoff is escalated:
marked overdue and alerted again. The customer sees the waiting line, who joined, the agent's
replies even when scrolled up (the pill, the tab title), is asked before starting over, and
the agent sees that they left. axe-core finds no serious or critical violation on any page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.inbox.accounts import create_agent
from bot.inbox.actions import RESOLVED_NOTICE
from bot.settings import Settings
from bot.store.models import AgentRole, Alert, AlertKind, MailStatus
from tests.bot.inbox.browser_support import (
    RECORD_ALERTS,
    TIMEOUT_MS,
    artifact,
    serious_violations,
    sign_in,
)
from tests.bot.inbox.test_inbox_browser import CHROMIUM_ARGS, chromium
from tests.fakes.rasa import HANDOFF_TEXT
from tests.fakes.smtp import SmtpServer
from tests.helpers import PASSWORD, run_in_store, until

pytestmark = pytest.mark.browser
ON_DUTY = "duty@maison.example.com"

__all__ = ["chromium"]  # the fixture, used by name


@pytest.fixture
def inbox_settings(gateway_settings: Settings, smtp_server: SmtpServer) -> Settings:
    return replace(
        gateway_settings,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        on_duty_email=ON_DUTY,
        handoff_escalate_after_seconds=3.0,
        scheduler_tick_seconds=0.3,
    )


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium),
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
            headless=True,
        )
        try:
            yield launched
        finally:
            await launched.close()


async def alerts_in_store(settings: Settings) -> list[tuple[AlertKind, MailStatus, int]]:
    async def read(session: Any) -> list[tuple[AlertKind, MailStatus, int]]:
        rows = await session.scalars(select(Alert).order_by(Alert.id))
        return [(a.kind, a.mail_status, a.conversation_id) for a in rows]

    return list(await run_in_store(settings, read))


async def ask_for_a_person(customer: Any, base: str, words: str) -> None:
    from playwright.async_api import expect

    await customer.goto(base + "/")
    await customer.fill("#message-input", words)
    await customer.press("#message-input", "Enter")
    await expect(customer.locator(".message--bot").last).to_have_text(HANDOFF_TEXT)


async def test_alerts_escalation_and_what_the_customer_sees(
    browser: Any, server: TestServer, inbox_settings: Settings, smtp_server: SmtpServer
) -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    base = str(server.make_url("")).rstrip("/")

    async def make(session: Any) -> None:
        await create_agent(session, "claire@maison.example.com", "Claire Dubois", PASSWORD,
                           AgentRole.ADMIN)  # fmt: skip

    await run_in_store(inbox_settings, make)
    accessibility: dict[str, list[dict[str, Any]]] = {}

    # 1. Nobody has the inbox open: the handoff is e-mailed to the on-duty address, once.
    first_context = await browser.new_context(viewport={"width": 420, "height": 640})
    first = await first_context.new_page()
    await ask_for_a_person(first, base, "I would like to talk to a person please")
    status = first.locator("#chat-status")
    await expect(status).to_contain_text("Waiting for the concierge since")
    await expect(status).to_contain_text("You are next.")
    await until(lambda: len(smtp_server.mailbox.messages) == 1, 10, "the on-duty e-mail")
    mail = smtp_server.mailbox.messages[0]
    assert mail["To"] == ON_DUTY
    assert "is waiting for the concierge" in mail["Subject"]
    body = mail.get_payload()
    assert "Asked for a person" in body and "/inbox/conversations/" in body
    assert "talk to a person" not in body, "never what the customer wrote"
    accessibility["web chat, waiting"] = await serious_violations(first)
    await first.screenshot(path=str(artifact("webchat-waiting.png")))

    # 2. An agent signs in: the next handoff alerts them in the inbox, and is not e-mailed.
    agent_context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await agent_context.add_init_script(RECORD_ALERTS)
    inbox = await agent_context.new_page()
    errors: list[str] = []
    inbox.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(inbox, base, "claire@maison.example.com")
    await expect(inbox).to_have_title("(1) Queue · Maison concierge")
    second_context = await browser.new_context()
    second = await second_context.new_page()
    await ask_for_a_person(second, base, "A person, please: my strap broke")
    notice = inbox.locator("#alert-notice")
    await expect(notice).to_contain_text("is waiting — Asked for a person")
    await expect(inbox).to_have_title("(2) Queue · Maison concierge")
    await expect(inbox.locator("#queue-waiting a.row-link")).to_have_count(2)
    assert await inbox.evaluate("window.__chimes") >= 1
    notifications = await inbox.evaluate("window.__notifications")
    assert [n["title"] for n in notifications][-1].endswith("is waiting")
    stored = await alerts_in_store(inbox_settings)
    assert [(kind, mail) for kind, mail, _ in stored if kind is AlertKind.HANDOFF] == [
        (AlertKind.HANDOFF, MailStatus.SENT),
        (AlertKind.HANDOFF, MailStatus.NOT_NEEDED),
    ]

    # 3. Unclaimed past 3 s: escalated (overdue, alerted again, e-mailed), once each.
    await expect(inbox.locator("#queue-waiting tr.overdue")).to_have_count(2)
    await expect(notice).to_contain_text("Overdue:")
    await until(lambda: len(smtp_server.mailbox.messages) == 3, 10, "the escalation e-mails")
    assert all("Overdue" in m["Subject"] for m in smtp_server.mailbox.messages[1:])
    # The first may have been escalated before the agent signed in; the second was not.
    shown = await inbox.evaluate("window.__notifications")
    assert any(n["title"].startswith("Overdue") for n in shown), shown
    assert len({n["tag"] for n in shown}) == len(shown), "no event notified twice"
    stored = await alerts_in_store(inbox_settings)
    assert sorted(kind.value for kind, _, _ in stored) == ["escalation"] * 2 + ["handoff"] * 2
    accessibility["queue"] = await serious_violations(inbox)
    await inbox.screenshot(path=str(artifact("queue-alerts.png")), full_page=True)

    # 4. Claimed: the customer reads who joined (first name only), in the line and the chat.
    await inbox.locator("#queue-waiting a.row-link").first.click()
    await inbox.click("#claim")
    await expect(first.locator(".message--notice").last).to_have_text(
        "Claire from the concierge has joined the conversation."
    )
    await expect(status).to_have_text("Claire from the concierge is with you.")
    accessibility["conversation"] = await serious_violations(inbox)

    # 5. A reply that arrives while the customer reads further up: the pill and the title.
    long_reply = "\n".join(f"Line {n} of the care instructions." for n in range(1, 31))
    await inbox.fill("#composer-text", long_reply)
    await inbox.click("#send-reply")
    await expect(first.locator(".message--agent")).to_have_count(1)
    await first.evaluate("document.getElementById('chat-scroll').scrollTop = 0")
    await inbox.fill("#composer-text", "Is there anything else I can help with?")
    await inbox.click("#send-reply")
    pill = first.locator("#new-message-pill")
    await expect(pill).to_be_visible()
    await expect(first).to_have_title("(1) New message — Concierge — Maison (demo)")
    await first.screenshot(path=str(artifact("webchat-new-message.png")))
    await pill.click()
    await expect(pill).to_be_hidden()
    await expect(first).to_have_title("Concierge — Maison (demo)")

    # 6. Starting over while a person has the conversation asks first; leaving is seen.
    await first.click("#new-conversation")
    dialog = first.locator("#confirm-new")
    await expect(dialog).to_be_visible()
    accessibility["web chat, confirmation"] = await serious_violations(first)
    await first.click("#confirm-new-stay")
    await expect(dialog).to_be_hidden()
    await expect(first.locator(".message--agent")).to_have_count(2)
    await first.click("#new-conversation")
    await first.click("#confirm-new-leave")
    await expect(first.locator(".message")).to_have_count(0)
    await expect(inbox.locator("#transcript")).to_contain_text(
        "The customer left this conversation"
    )
    await expect(inbox.locator("#live-notice")).to_contain_text("Resolved")

    # 7. Resolved: the customer is told, as a notice.
    await inbox.goto(base + "/inbox/")
    await inbox.locator("#queue-waiting a.row-link").first.click()
    await inbox.click("#claim")
    await expect(second.locator(".message--notice").last).to_contain_text("has joined")
    await inbox.click("#resolve")
    await expect(second.locator(".message--notice").last).to_have_text(RESOLVED_NOTICE)
    await expect(second.locator("#chat-status")).to_be_hidden()

    # 8. Every inbox page and the web chat: no serious or critical violation.
    pages = {
        "privacy": "/inbox/privacy",
        "canned": "/inbox/canned",
        "audit": "/inbox/audit",
        "error": "/inbox/conversations/99999",
    }
    for name, path in pages.items():
        await inbox.goto(base + path)
        accessibility[name] = await serious_violations(inbox)
    accessibility["web chat, resolved"] = await serious_violations(second)
    login_context = await browser.new_context()
    login = await login_context.new_page()
    await login.goto(base + "/inbox/login")
    accessibility["login"] = await serious_violations(login)
    assert {name: found for name, found in accessibility.items() if found} == {}
    assert errors == []
    for context in (first_context, second_context, agent_context, login_context):
        await context.close()
