"""ActionRunAccountTask once verify_identity_form ends: nothing done for an unverified
customer; and ActionCancelAccountFlow, which calls a task off."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionCancelAccountFlow, ActionRunAccountTask
from bot.store.db import SessionFactory
from tests.actions.support import (
    Trackers,
    Turn,
    consent_events,
    contact_id,
    ids,
    responses,
    run,
    slot_events,
)

ISABELLE = "isabelle.moreau@example.com"


async def test_opting_in_without_verification_is_refused(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)

    messages, events = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={"account_task": "opt_in", "marketing_medium": "sms"}, metadata=turn.metadata
        ),
    )

    assert responses(messages) == ["utter_account_not_verified"]
    assert ids(await consent_events(account, contact)) == ids(before)
    assert slot_events(events)["account_task"] is None


async def test_when_verification_already_explained_itself_nothing_more_is_said(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    messages, _ = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={"account_task": "opt_in", "verification_stopped": True}, metadata=turn.metadata
        ),
    )
    assert messages == []


async def test_cancelling_stops_the_form_and_forgets_its_details(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory
) -> None:
    messages, events = await run(
        ActionCancelAccountFlow(),
        dispatcher,
        tracker(
            text="never mind",
            intent="cancel",
            slots={"account_email": ISABELLE, "marketing_medium": "all"},
            active_loop="opt_out_form",
        ),
    )
    assert responses(messages) == ["utter_cancelled"]
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events
    ]
    slots = slot_events(events)
    assert slots["account_email"] is None and slots["marketing_medium"] is None
