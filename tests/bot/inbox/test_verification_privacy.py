"""A full verification by code through the gateway: the e-mail address and the code the
customer types reach no log line, and the inbox shows the code's message masked.

The web chat customer talks to the real gateway; the scripted Rasa runs the real form
validation (actions/identity.py) in this process for each turn, as the action server would,
mailing the code through the test SMTP server, so every log line of the gateway, the actions
and the services is in `caplog`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.identity import ValidateVerifyIdentityForm
from bot.settings import Settings
from bot.store.db import SessionFactory
from tests.actions.support import Trackers, mailed_code, run, slot_events
from tests.fakes.rasa import FakeRasa
from tests.fakes.smtp import SmtpServer
from tests.helpers import MakeAgent, NewClient, conversation_of, customer_says, messages

EMAIL = "isabelle.moreau@example.com"
FORM = ValidateVerifyIdentityForm()


def validating_rasa(rasa: FakeRasa) -> dict[str, Any]:
    """Rasa with verify_identity_form active: each message is validated by the real form
    action, the slots carried from turn to turn. The slots it holds, for the test to read."""
    slots: dict[str, Any] = {"account_task": "show_preferences"}

    async def script(body: dict[str, Any]) -> web.Response:
        text, metadata = body["message"], body.get("metadata") or {}
        asked = "account_email" if slots.get("account_email") is None else "verification_code"
        tracker = Trackers(sender=body["sender"], metadata=metadata)(
            text,
            slots={**slots, "requested_slot": asked},
            candidates={asked: text},
            active_loop="verify_identity_form",
        )
        said, events = await run(FORM, CollectingDispatcher(), tracker)
        slots.update(slot_events(events))
        return web.json_response(
            [{"recipient_id": body["sender"], "text": m.get("response") or ""} for m in said]
        )

    rasa.script = script
    return slots


async def test_no_log_line_holds_the_address_or_the_code_and_the_inbox_masks_the_code(
    caplog: pytest.LogCaptureFixture,
    demo_sessions: SessionFactory,
    inbox_settings: Settings,
    fake: FakeRasa,
    new_client: NewClient,
    make_agent: MakeAgent,
    smtp_server: SmtpServer,
) -> None:
    caplog.set_level(logging.DEBUG)
    before = runtime._settings, runtime._sessions
    mailing = replace(inbox_settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    runtime.configure(mailing, demo_sessions)
    try:
        slots = validating_rasa(fake)
        customer = await new_client()
        sent = await customer_says(customer, "verify-logs", f"it is {EMAIL}")
        assert [r["text"] for r in sent] == ["utter_verification_code_sent"]
        assert slots["account_email"] == "i***u@example.com", "only the masked form stays"
        code = mailed_code(smtp_server)
        verified = await customer_says(customer, "verify-logs", f"{code[:3]} {code[3:]}")
        assert [r["text"] for r in verified] == ["utter_verification_succeeded"]
        assert slots["verified_contact_id"] and slots["verification_code"] == "verified"
        assert slots["account_email"] is None, "the address is not kept past its turn"
    finally:
        runtime._settings, runtime._sessions = before

    conversation = await conversation_of(inbox_settings, "verify-logs")
    stored = [m.text for m in await messages(inbox_settings, conversation.id)]
    assert f"it is {EMAIL}" in stored, "the address was the customer's message: it stays"
    assert "••••••" in stored and not any(code in text.replace(" ", "") for text in stored)

    agent = await make_agent()
    page = await (await agent.client.get(f"/inbox/conversations/{conversation.id}")).text()
    assert "••••••" in page and f"{code[:3]} {code[3:]}" not in page and code not in page

    # Every logger but the test's own SMTP server ("mail.log", aiosmtpd, which stands in for
    # the mail provider: the address is the mail's recipient there).
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in ours)
    assert ours and logging.getLogger().level == logging.DEBUG, "everything was captured"
    assert EMAIL not in logged, "the e-mail address reached a log line"
    assert code not in logged and f"{code[:3]} {code[3:]}" not in logged, "the code was logged"
