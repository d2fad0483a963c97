"""action_apply_change: only a Yes to the question just asked changes anything, once.

The privacy requests' and preferences' own tests (test_privacy_requests.py, test_preferences.py)
check each kind of change: nothing before Yes, exactly once after it, nothing on No.
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
from actions.consent import ActionApplyChange, pending
from bot.store.db import SessionFactory
from tests.actions.support import (
    Trackers,
    Turn,
    action_event,
    answer,
    asked,
    consent_events,
    contact_id,
    ids,
    privacy_requests_of,
    responses,
    run,
    slot_events,
    user_event,
)

LUCAS = "lucas.martin@example.com"
ISABELLE = "isabelle.moreau@example.com"
QUESTION = {"event": "slot", "name": "pending_change", "value": {"kind": "access", "contact_id": 1}}


def test_a_change_is_pending_only_for_the_message_right_after_the_question(
    tracker: Trackers,
) -> None:
    change = QUESTION["value"]
    assert (
        pending(
            tracker("yes", intent="affirm", slots={"pending_change": change}, earlier=[QUESTION])
        )
        == change
    )
    later = [QUESTION, action_event("action_listen"), user_event("where is the Paris boutique?")]
    assert (
        pending(tracker("yes", intent="affirm", slots={"pending_change": change}, earlier=later))
        is None
    )
    unknown = {"kind": "close_account", "contact_id": 1}
    assert (
        pending(
            tracker(
                "yes",
                intent="affirm",
                slots={"pending_change": unknown},
                earlier=[{**QUESTION, "value": unknown}],
            )
        )
        is None
    )


async def test_a_yes_with_nothing_asked_changes_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    messages, events = await run(
        ActionApplyChange(),
        dispatcher,
        tracker(
            "yes", intent="affirm", slots={"verified_contact_id": contact}, metadata=turn.metadata
        ),
    )
    assert responses(messages) == ["utter_change_nothing_pending"]
    assert slot_events(events) == {"pending_change": None}
    assert await privacy_requests_of(account, contact) == []


async def test_a_child_who_says_so_before_the_yes_changes_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, ISABELLE)
    before = await consent_events(account, contact)
    verified = {"verified_contact_id": contact}
    _, events = await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={**verified, "account_task": "opt_in", "marketing_medium": "sms"},
            metadata=turn.metadata,
        ),
    )

    messages, _ = await answer(
        ActionApplyChange(),
        dispatcher,
        tracker,
        asked(events),
        slots={**verified, "minor_declared": True},
        metadata=turn.metadata,
    )

    assert responses(messages) == ["utter_minor_no_personal_data"]
    assert ids(await consent_events(account, contact)) == ids(before)
