"""A child who says they are under 13: told the services are not for them; nothing collected."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
from actions.minors import ActionDeclareMinor, stated_age
from actions.preferences import ActionOptOutMarketing
from bot.store.db import SessionFactory
from tests.actions.support import (
    Trackers,
    Turn,
    consent_events,
    contact_id,
    ids,
    privacy_requests_of,
    responses,
    run,
    slot_events,
)

LUCAS = "lucas.martin@example.com"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("I'm 12", 12),
        ("I am eleven years old", 11),
        ("my mom doesn't know I'm here, I'm 10", 10),
        ("I'm in 5th grade", None),
        ("i'm 35 actually", 35),
    ],
)
def test_stated_age(text: str, age: int | None) -> None:
    assert stated_age(text) == age


@pytest.mark.parametrize(
    "text", ["I'm 12", "I am eleven years old", "my mom doesn't know I'm here, I'm 10"]
)
async def test_a_child_is_told_and_the_gateway_signalled(
    tracker: Trackers, dispatcher: CollectingDispatcher, text: str
) -> None:
    messages, events = await run(
        ActionDeclareMinor(),
        dispatcher,
        tracker(
            text=text,
            intent="declare_under_13",
            slots={"account_email": LUCAS, "verified_contact_id": 3},
            active_loop="verify_identity_form",
        ),
    )

    assert responses(messages) == ["utter_minor_not_for_you", None]
    assert messages[1]["custom"] == {"minor_declared": True}
    slots = slot_events(events)
    assert slots["minor_declared"] is True
    assert slots["verified_contact_id"] is None and slots["account_email"] is None
    assert {"event": "active_loop", "name": None, "timestamp": None} in events


async def test_an_age_of_13_or_more_is_not_a_declaration(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, events = await run(
        ActionDeclareMinor(),
        dispatcher,
        tracker(text="I'm 45 years old", intent="declare_under_13"),
    )
    assert responses(messages) == ["utter_how_can_help"]
    assert events == []


async def test_after_the_declaration_nothing_is_collected_or_changed(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    consent_before = await consent_events(account, contact)
    child = {"minor_declared": True}

    opt_out, _ = await run(
        ActionOptOutMarketing(),
        dispatcher,
        tracker(
            slots={**child, "account_email": LUCAS, "marketing_medium": "all"},
            metadata=turn.metadata,
        ),
    )
    task, _ = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={**child, "account_task": "access", "verified_contact_id": contact},
            metadata=turn.metadata,
        ),
    )

    assert responses(opt_out) == responses(task) == ["utter_minor_no_personal_data"]
    assert ids(await consent_events(account, contact)) == ids(consent_before)
    assert await privacy_requests_of(account, contact) == []
