"""ActionRunAccountTask once verify_identity_form ends: nothing done for an unverified
customer (calling a task off is action_cancel_form: test_forms.py)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
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
