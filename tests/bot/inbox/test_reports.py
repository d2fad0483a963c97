"""Outcomes recorded by the real gateway and inbox, and the reports page and CSV over HTTP."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from aiohttp import web
from sqlalchemy import select

from bot.settings import Settings
from bot.store.models import AgentRole, ConversationOutcome, OutcomeKind
from tests.fakes.rasa import FakeRasa
from tests.helpers import MakeAgent, NewClient, customer_says, query, waiting_conversation


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


async def test_a_handled_conversation_is_recorded_and_reported(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    claire = await make_agent("Claire")
    admin = await make_agent("Ada", AgentRole.ADMIN)
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "rep-1")
    await customer_says(customer, "rep-2", "just browsing")  # the assistant's alone
    base = f"/inbox/conversations/{conversation_id}"
    assert (await claire.post(base + "/claim")).status == 303
    assert (await claire.post(base + "/reply", {"text": "Good afternoon"})).status == 303
    assert (await claire.post(base + "/reply", {"text": "Done"})).status == 303
    assert (await claire.post(base + "/resolve")).status == 303

    [row] = await query(
        inbox_settings,
        select(ConversationOutcome).where(ConversationOutcome.conversation_id == conversation_id),
    )
    assert row.outcome is OutcomeKind.AGENT_RESOLVED
    assert (row.handoff_reason, row.agent_id, row.agent_messages) == (
        "customer_request",
        claire.id,
        2,
    )
    assert row.first_response_seconds is not None and row.resolution_seconds is not None

    response = await admin.client.get("/inbox/reports")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = await response.text()
    assert figure(page, "conversations") == "2"
    assert figure(page, "outcome-agent_resolved") == "1"
    assert figure(page, "outcome-open") == "1"  # the other is still going
    assert figure(page, "resolution-rate") == "0.0 %"  # of those ended, none by the bot
    assert "<svg" in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "customer request" in page

    chosen = await (await admin.client.get("/inbox/reports?channel=webchat&junk=1")).text()
    [link] = re.findall(r'href="(/inbox/reports/figures\.csv[^"]*)"', chosen)
    assert "channel=webchat" in link and "from=" in link and "junk" not in link

    # An agent sees their own figures, whatever the address asks for.
    mine = await (await claire.client.get(f"/inbox/reports?agent={admin.id}")).text()
    assert figure(mine, "conversations") == "1"
    marc = await make_agent("Marc")
    assert figure(await (await marc.client.get("/inbox/reports")).text(), "conversations") == "0"

    figures = await admin.client.get("/inbox/reports/figures.csv")
    assert figures.status == 200 and figures.content_type == "text/csv"
    lines = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(await figures.text()))}
    assert lines[("total", "conversations")] == "2"
    assert lines[("outcome", "agent_resolved")] == "1"
    assert lines[("handoff_reason", "customer_request")] == "1"
    each = await (await admin.client.get("/inbox/reports/conversations.csv")).text()
    rows = list(csv.DictReader(io.StringIO(each)))
    assert [(r["conversation_id"], r["outcome"]) for r in rows if r["agent_messages"] == "2"] == [
        (str(conversation_id), "agent_resolved")
    ]


async def test_a_bad_period_is_refused_and_signing_in_is_required(
    make_agent: MakeAgent, new_client: NewClient
) -> None:
    admin = await make_agent("Ada", AgentRole.ADMIN)
    assert (await admin.client.get("/inbox/reports?from=2026-02-01&to=2026-01-01")).status == 400
    assert (await admin.client.get("/inbox/reports?from=yesterday")).status == 400
    assert (await admin.client.get("/inbox/reports?channel=fax")).status == 400
    assert (await admin.client.get("/inbox/reports/other.csv")).status == 404
    stranger = await new_client()
    response = await stranger.get("/inbox/reports", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/inbox/login")


async def test_what_rasa_recognised_and_a_failing_assistant_are_recorded(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, fake: FakeRasa
) -> None:
    async def script(body: dict[str, Any]) -> web.Response:
        sender = body["sender"]
        return web.json_response([
            {"recipient_id": sender, "text": "Let me find someone."},
            {"recipient_id": sender, "custom": {"handoff": {"reason": "not_understood"}}},
            {"recipient_id": sender, "custom": {"understood": {
                "intents": ["greet", "nlu_fallback", "find_boutique"]}}},
        ])  # fmt: skip

    fake.script = script
    customer = await new_client()
    understood_id = await waiting_conversation(customer, inbox_settings, "rep-topics")
    fake.fail()
    failed_id = await waiting_conversation(customer, inbox_settings, "rep-down")

    stored = {
        row.conversation_id: row for row in await query(inbox_settings, select(ConversationOutcome))
    }
    assert stored[understood_id].intents == ["greet", "nlu_fallback", "find_boutique"]
    assert stored[understood_id].handoff_reason == "not_understood"
    assert stored[failed_id].handoff_reason == "assistant_unavailable"
    assert stored[failed_id].outcome is OutcomeKind.HANDED_OFF

    admin = await make_agent("Ada", AgentRole.ADMIN)
    lines = {
        (r[0], r[1]): r[2]
        for r in csv.reader(
            io.StringIO(await (await admin.client.get("/inbox/reports/figures.csv")).text())
        )
    }
    assert lines[("not_understood", "find_boutique")] == "1"
    assert lines[("topic", "greet")] == "1"
    assert lines[("handoff_reason", "assistant_unavailable")] == "1"
