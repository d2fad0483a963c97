"""The queue and what agents do to a conversation: claim, reply, note, hand over, resolve."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.inbox.actions import RESOLVED_NOTICE
from bot.settings import Settings
from bot.store.models import AgentRole, Author, ConversationHolder, OutboxMessage
from tests.fakes.rasa import FakeRasa
from tests.helpers import (
    MakeAgent,
    NewClient,
    conversation,
    customer_says,
    messages,
    run_in_store,
    waiting_conversation,
)


async def test_the_queue_lists_waiting_conversations_oldest_first_in_plain_words(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    customer = await new_client()
    first = await waiting_conversation(customer, inbox_settings, "q-first")
    second = await waiting_conversation(customer, inbox_settings, "q-second")
    await customer_says(customer, "q-bot", "just browsing")  # the bot's: not in the queue

    response = await agent.client.get("/inbox/api/queue", headers={"Accept": "application/json"})
    queue = await response.json()
    assert [row["id"] for row in queue["waiting"]] == [first, second]
    row = queue["waiting"][0]
    assert row["channel"] == "Web chat"
    assert row["reason"] == "Asked for a person"
    assert row["proof"] == ""
    # The customer's own last message, not the bot's (issue 14).
    assert row["preview"] == "I would like a person please"
    page = await (await agent.client.get("/inbox/")).text()
    assert page.index(f"/inbox/conversations/{first}") < page.index(
        f"/inbox/conversations/{second}"
    )


async def test_two_agents_claiming_at_once_one_wins(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    claire, marc = await make_agent("Claire"), await make_agent("Marc")
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "race-1")
    path = f"/inbox/conversations/{conversation_id}/claim"
    answers = await asyncio.gather(claire.post(path), marc.post(path))
    assert sorted(a.status for a in answers) == [303, 409]
    winner = claire if answers[0].status == 303 else marc
    stored = await conversation(inbox_settings, conversation_id)
    assert (stored.holder, stored.assignee_id) == (ConversationHolder.AGENT, winner.id)


async def test_only_the_assignee_replies_and_only_after_claiming(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    claire, marc = await make_agent("Claire"), await make_agent("Marc")
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "reply-1")
    reply = f"/inbox/conversations/{conversation_id}/reply"
    before_claim = await claire.post(reply, {"text": "Hello"})
    assert before_claim.status == 403, "claim first"
    assert (await claire.post(f"/inbox/conversations/{conversation_id}/claim")).status == 303
    assert (await marc.post(reply, {"text": "Me too"})).status == 403, "not the assignee"
    assert (await marc.post_json(reply, {"text": "Me too"})).status == 403
    assert (await claire.post(reply, {"text": "Good afternoon"})).status == 303
    texts = [(m.author, m.text) for m in await messages(inbox_settings, conversation_id)]
    assert texts[-1] == (Author.AGENT, "Good afternoon")
    assert (Author.AGENT, "Me too") not in texts and (Author.AGENT, "Hello") not in texts


async def test_an_admin_may_reply_in_a_colleagues_conversation(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    claire, ada = await make_agent("Claire"), await make_agent("Ada", AgentRole.ADMIN)
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "admin-1")
    await claire.post(f"/inbox/conversations/{conversation_id}/claim")
    response = await ada.post_json(
        f"/inbox/conversations/{conversation_id}/reply", {"text": "Ada here"}
    )
    assert response.status == 200
    stored = (await messages(inbox_settings, conversation_id))[-1]
    assert (stored.text, stored.agent_id) == ("Ada here", ada.id)


async def test_reply_and_resolve_reach_the_customers_page_live_and_notes_never_do(
    make_agent: MakeAgent,
    new_client: NewClient,
    inbox_settings: Settings,
    fake: FakeRasa,
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "live-1")
    page = await customer.ws_connect("/api/chat/live-1/ws")
    base = f"/inbox/conversations/{conversation_id}"
    await agent.post(base + "/claim")

    assert (await agent.post_json(base + "/note", {"text": "VIP, be quick"})).status == 200
    assert (await agent.post_json(base + "/reply", {"text": "Good afternoon"})).status == 200
    # The claim told the customer who joined (first name only); then the note was recorded,
    # and the next message frame is the reply: never the note.
    joined = await next_message(page)
    assert joined["message"]["text"] == "Claire from the concierge has joined the conversation."
    assert joined["message"]["notice"] is True
    frame = await next_message(page)
    assert frame["type"] == "message"
    assert frame["message"]["author"] == "agent"
    assert frame["message"]["text"] == "Good afternoon"
    assert isinstance(frame["message"]["id"], int)

    # While an agent holds it, the customer's words go to the inbox, not to the bot.
    asked = len(fake.received)
    assert await customer_says(customer, "live-1", "Thank you!") == []
    assert len(fake.received) == asked

    assert (await agent.post(base + "/resolve")).status == 303
    notice = await next_message(page)
    assert notice["message"] == {
        "id": notice["message"]["id"],
        "text": RESOLVED_NOTICE,
        "buttons": [],
        "author": "bot",
        "notice": True,
    }
    assert (await conversation(inbox_settings, conversation_id)).holder is (
        ConversationHolder.RESOLVED
    )

    # The bot answers the next message again, in the same conversation.
    assert await customer_says(customer, "live-1", "one more thing") == [
        {"text": "You said: one more thing"}
    ]
    stored = await conversation(inbox_settings, conversation_id)
    assert (stored.holder, stored.assignee_id) == (ConversationHolder.BOT, None)
    assert fake.received[-1]["message"] == "one more thing"
    await page.close()


async def next_message(page: Any) -> dict[str, Any]:
    """The page's next message frame (status frames come and go beside them)."""
    while True:
        frame: dict[str, Any] = await page.receive_json(timeout=5)
        if frame["type"] == "message":
            return frame


async def test_a_reopened_page_gets_what_it_missed_and_not_the_bots_post_replies(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "replay-1")
    base = f"/inbox/conversations/{conversation_id}"
    await agent.post(base + "/claim")
    await agent.post_json(base + "/reply", {"text": "first"})
    await agent.post_json(base + "/note", {"text": "private"})
    await agent.post_json(base + "/reply", {"text": "second"})

    page = await customer.ws_connect("/api/chat/replay-1/ws")
    replayed = [await next_message(page) for _ in range(3)]
    assert [f["message"]["text"] for f in replayed] == [
        "Claire from the concierge has joined the conversation.",
        "first",
        "second",
    ]
    await page.close()

    after = replayed[1]["message"]["id"]
    page = await customer.ws_connect(f"/api/chat/replay-1/ws?after={after}")
    assert (await next_message(page))["message"]["text"] == "second"
    await page.close()


async def test_the_customers_socket_refuses_another_sites_page(
    new_client: NewClient, server: TestServer
) -> None:
    customer = await new_client()
    response = await customer.get(
        "/api/chat/s-1/ws",
        headers={
            "Origin": "https://evil.example",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert response.status == 403
    own = str(server.make_url("")).rstrip("/")
    page = await customer.ws_connect("/api/chat/s-1/ws", origin=own)
    await page.close()


async def test_the_customers_words_reach_the_inbox_at_once(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, server: TestServer
) -> None:
    agent = await make_agent()
    customer = await new_client()
    ws = await agent.client.ws_connect("/inbox/ws", origin=str(server.make_url("")).rstrip("/"))
    assert (await ws.receive_json(timeout=5))["type"] == "hello"
    conversation_id = await waiting_conversation(customer, inbox_settings, "inbox-live-1")
    # The handoff turn: the queue hears of the new conversation.
    kinds = set()
    while "conversation" not in kinds:
        frame = await ws.receive_json(timeout=5)
        kinds.add(frame["type"])
        assert frame["conversation_id"] == conversation_id
    await ws.send_json({"type": "watch", "conversation_id": conversation_id})
    await agent.post(f"/inbox/conversations/{conversation_id}/claim")
    await customer_says(customer, "inbox-live-1", "<b>still here</b>")
    while True:  # the joined notice comes first
        frame = await ws.receive_json(timeout=5)
        if frame["type"] == "message" and frame["message"]["author"] == "customer":
            break
    assert frame["message"]["text"] == "<b>still here</b>", "text, as typed"
    await ws.close()


async def test_handing_over(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    claire, marc = await make_agent("Claire"), await make_agent("Marc")
    ada = await make_agent("Ada", AgentRole.ADMIN)
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "assign-1")
    assign = f"/inbox/conversations/{conversation_id}/assign"
    await claire.post(f"/inbox/conversations/{conversation_id}/claim")
    # Marc cannot take Claire's conversation, nor give it away.
    assert (await marc.post(assign, {"agent_id": str(marc.id)})).status == 403
    assert (await conversation(inbox_settings, conversation_id)).assignee_id == claire.id
    # Claire hands over to Marc; an admin may move it anywhere.
    assert (await claire.post(assign, {"agent_id": str(marc.id)})).status == 303
    assert (await conversation(inbox_settings, conversation_id)).assignee_id == marc.id
    assert (await ada.post(assign, {"agent_id": str(claire.id)})).status == 303
    assert (await conversation(inbox_settings, conversation_id)).assignee_id == claire.id


async def test_canned_replies_expand_by_short_code(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    conversation_id = await waiting_conversation(await new_client(), inbox_settings, "canned-1")
    base = f"/inbox/conversations/{conversation_id}"
    await agent.post(base + "/claim")
    page = await (await agent.client.get(base)).text()
    assert 'id="canned-data"' in page and '"thanks"' in page
    assert (await agent.post_json(base + "/reply", {"text": "/thanks"})).status == 200
    assert (await messages(inbox_settings, conversation_id))[-1].text.startswith(
        "Thank you for your patience."
    )
    unknown = await agent.post_json(base + "/reply", {"text": "/thnaks"})
    assert unknown.status == 400
    assert "canned" in (await unknown.json())["error"]


async def test_customer_text_is_escaped_on_the_conversation_page(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "xss-1")
    await customer_says(customer, "xss-1", '<script>alert(1)</script><img src=x onerror="x()">')
    page = await (await agent.client.get(f"/inbox/conversations/{conversation_id}")).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in page


async def test_a_note_on_a_push_channel_is_never_queued(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings
) -> None:
    """Notes on Telegram/X: no outbox row (the Telegram reply test checks replies are)."""
    from bot.gateway.conversations import holder
    from bot.gateway.conversations import record as conversations
    from bot.gateway.conversations.record import InboundMessage
    from bot.store.models import Channel

    async def telegram_waiting(session: Any) -> int:
        message = InboundMessage(Channel.TELEGRAM, "777", "a person please")
        found = await conversations.open_turn(session, message)
        await conversations.record_customer_message(session, found, message)
        await holder.hand_off(session, found.id, "customer_request")
        return found.id

    conversation_id = await run_in_store(inbox_settings, telegram_waiting)
    agent = await make_agent()
    base = f"/inbox/conversations/{conversation_id}"
    assert (await agent.post(base + "/note", {"text": "only for us"})).status == 303

    async def outbox_rows(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)))

    assert await run_in_store(inbox_settings, outbox_rows) == 0
    await agent.post(base + "/claim")  # "Claire from the concierge has joined" is queued
    assert await run_in_store(inbox_settings, outbox_rows) == 1
    assert (await agent.post(base + "/reply", {"text": "Hello"})).status == 303
    assert await run_in_store(inbox_settings, outbox_rows) == 2


async def test_a_failed_delivery_shows_on_its_message(
    make_agent: MakeAgent, inbox_settings: Settings
) -> None:
    from sqlalchemy import update

    from bot.gateway.conversations import holder
    from bot.gateway.conversations import record as conversations
    from bot.store.models import Channel, DeliveryStatus

    async def x_waiting(session: Any) -> int:
        identity = await conversations.get_or_create_identity(session, Channel.X, "4711")
        found = await conversations.current_conversation(session, identity)
        await holder.hand_off(session, found.id, "complaint")
        return found.id

    conversation_id = await run_in_store(inbox_settings, x_waiting)
    agent = await make_agent()
    base = f"/inbox/conversations/{conversation_id}"
    await agent.post(base + "/claim")
    await agent.post(base + "/reply", {"text": "We are sorry to hear that."})

    async def fail(session: Any) -> None:  # as the outbox worker records a refusal
        await session.execute(
            update(OutboxMessage).values(
                status=DeliveryStatus.FAILED, last_error="403: you cannot send messages to <them>"
            )
        )

    await run_in_store(inbox_settings, fail)
    page = await (await agent.client.get(base)).text()
    assert "Not delivered: 403: you cannot send messages to &lt;them&gt;" in page
    assert "Complaint" in page
