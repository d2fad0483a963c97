"""CSAT after an agent's resolve, end to end: the real gateway over HTTP, the web chat
customer, the scripted fake Rasa, the store on SQLite and PostgreSQL (bot/services/csat.py)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update

from bot.inbox.actions import RESOLVED_NOTICE
from bot.services import csat
from bot.settings import Settings
from bot.store.models import (
    AgentRole,
    Author,
    Conversation,
    ConversationOutcome,
    CsatRating,
    OutcomeKind,
)
from bot.store.types import utcnow
from tests.fakes.rasa import FakeRasa
from tests.helpers import (
    Agent,
    MakeAgent,
    NewClient,
    customer_says,
    messages,
    query,
    run_in_store,
    waiting_conversation,
)


async def ratings(settings: Settings) -> list[CsatRating]:
    return await query(settings, select(CsatRating).order_by(CsatRating.conversation_id))


async def resolved_by(agent: Agent, conversation_id: int) -> None:
    base = f"/inbox/conversations/{conversation_id}"
    assert (await agent.post(base + "/claim")).status == 303
    assert (await agent.post_json(base + "/reply", {"text": "Your strap is ready."})).status == 200
    assert (await agent.post(base + "/resolve")).status == 303


async def test_the_customer_rates_the_agent_who_resolved_and_the_assistant_never_sees_it(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, fake: FakeRasa
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "csat-1")
    await resolved_by(agent, conversation_id)

    # After the resolve notice, the question with a button for each rating.
    said = [m for m in await messages(inbox_settings, conversation_id) if m.author is Author.BOT]
    assert said[-1].text == csat.QUESTION
    assert said[-1].buttons == [
        {"title": "1 (poor)", "payload": '/csat{"rating":1}'},
        {"title": "2", "payload": '/csat{"rating":2}'},
        {"title": "3", "payload": '/csat{"rating":3}'},
        {"title": "4", "payload": '/csat{"rating":4}'},
        {"title": "5 (excellent)", "payload": '/csat{"rating":5}'},
    ]
    asked = len(fake.received)

    # The web chat sends a button's payload as the text: a tap on 4.
    replies = await customer_says(customer, "csat-1", '/csat{"rating":4}')
    assert replies == [
        {
            "text": csat.COMMENT_QUESTION,
            "buttons": [{"title": "No thanks", "payload": csat.NO_COMMENT}],
        }
    ]
    assert await customer_says(customer, "csat-1", "Claire was wonderful.") == [
        {"text": csat.THANKS}
    ]
    # A second rating, later: thanked, and the first one stands.
    assert await customer_says(customer, "csat-1", '/csat{"rating":1}') == [
        {"text": csat.ALREADY_RATED}
    ]
    assert len(fake.received) == asked  # the assistant saw none of it

    [rating] = await ratings(inbox_settings)
    assert (rating.conversation_id, rating.agent_id, rating.rating, rating.comment) == (
        conversation_id,
        agent.id,
        4,
        "Claire was wonderful.",
    )
    assert rating.channel.value == "webchat"
    # The answers are kept in the rated conversation, which stays resolved (not reopened).
    texts = [m.text for m in await messages(inbox_settings, conversation_id)]
    assert texts[-6:] == [
        "4", csat.COMMENT_QUESTION, "Claire was wonderful.", csat.THANKS, "1",
        csat.ALREADY_RATED,
    ]  # fmt: skip
    [outcome] = await query(
        inbox_settings,
        select(ConversationOutcome).where(ConversationOutcome.conversation_id == conversation_id),
    )
    assert (outcome.outcome, outcome.reopened) == (OutcomeKind.AGENT_RESOLVED, False)

    # Anything else afterwards goes to the assistant as usual.
    assert await customer_says(customer, "csat-1", "4 more questions") == [
        {"text": "You said: 4 more questions"}
    ]


async def test_a_new_question_instead_of_a_rating_goes_to_the_assistant_and_the_question_lapses(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, fake: FakeRasa
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "csat-2")
    await resolved_by(agent, conversation_id)

    assert await customer_says(customer, "csat-2", "Do you sell gold cufflinks?") == [
        {"text": "You said: Do you sell gold cufflinks?"}
    ]
    # A bare "3" now is a message for the assistant, not a rating.
    assert await customer_says(customer, "csat-2", "3") == [{"text": "You said: 3"}]
    [rating] = await ratings(inbox_settings)
    assert (rating.state, rating.rating) == (csat.LAPSED, None)
    # A late tap on the question's button still counts, once.
    replies = await customer_says(customer, "csat-2", '/csat{"rating":5}')
    assert replies[0]["text"] == csat.COMMENT_QUESTION
    [rating] = await ratings(inbox_settings)
    assert rating.rating == 5


async def test_a_typed_rating_counts_and_the_question_is_never_asked_twice(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, fake: FakeRasa
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "csat-3")
    await resolved_by(agent, conversation_id)
    assert (await customer_says(customer, "csat-3", "4/5"))[0]["text"] == csat.COMMENT_QUESTION
    assert await customer_says(customer, "csat-3", csat.NO_COMMENT) == [{"text": csat.THANKS}]
    [rating] = await ratings(inbox_settings)
    assert (rating.rating, rating.comment, rating.state) == (4, None, csat.DONE)

    async def ask_again(session: Any) -> bool:
        return await csat.ask(session, conversation_id, utcnow(), by_agent=True)

    assert await run_in_store(inbox_settings, ask_again) is False


async def test_a_customer_who_said_they_are_under_13_is_never_asked(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, fake: FakeRasa
) -> None:
    agent = await make_agent()
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "csat-minor")

    async def declare(session: Any) -> None:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(minor_declared_at=utcnow())
        )

    await run_in_store(inbox_settings, declare)
    await resolved_by(agent, conversation_id)
    said = [m.text for m in await messages(inbox_settings, conversation_id)]
    assert said[-1] == RESOLVED_NOTICE
    assert csat.QUESTION not in said
    assert await ratings(inbox_settings) == []


async def test_the_reports_page_shows_the_ratings_by_who_resolved(
    make_agent: MakeAgent, new_client: NewClient, inbox_settings: Settings, fake: FakeRasa
) -> None:
    admin = await make_agent("Ines", AgentRole.ADMIN)
    claire = await make_agent("Claire")
    customer = await new_client()
    conversation_id = await waiting_conversation(customer, inbox_settings, "csat-report")
    await resolved_by(claire, conversation_id)
    await customer_says(customer, "csat-report", '/csat{"rating":4}')

    page = await (await admin.client.get("/inbox/reports")).text()
    table = page[page.index('id="h-csat"') :]
    table = table[: table.index("</section>")]
    cells = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)</td>\s*<td>([^<]*)</td>", table)
    assert cells == [
        ("All", "1", "4.0"),
        ("Assistant", "0", "–"),
        ("Concierge", "1", "4.0"),
        ("Claire", "1", "4.0"),
    ]
