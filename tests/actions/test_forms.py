"""action_cancel_form: "cancel" or "no" in any form stops it and forgets what it collected."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ActionCancelForm
from tests.actions.support import Trackers, responses, run, slot_events

ISABELLE = "isabelle.moreau@example.com"
FORMS = ["order_status_form", "repair_status_form", "verify_identity_form", "opt_out_form"]


@pytest.mark.parametrize("form", FORMS)
async def test_cancelling_any_form_stops_it_and_forgets_its_details(
    form: str, tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, events = await run(
        ActionCancelForm(),
        dispatcher,
        tracker(
            text="never mind",
            intent="cancel",
            slots={
                "account_task": "show_preferences",
                "account_email": ISABELLE,
                "marketing_medium": "all",
                "order_number": "PG-100234",
                "repair_number": "RP-10001",
                "requested_slot": "order_verification",
            },
            active_loop=form,
        ),
    )

    assert responses(messages) == ["utter_cancelled"]
    assert [e["name"] for e in events if e["event"] == "active_loop"] == [None]
    forgotten = slot_events(events)
    for slot in ("account_task", "account_email", "marketing_medium", "order_number"):
        assert forgotten[slot] is None
    assert forgotten["repair_number"] is None and forgotten["requested_slot"] is None


async def test_who_the_customer_proved_to_be_is_kept(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    _, events = await run(
        ActionCancelForm(),
        dispatcher,
        tracker(
            intent="deny",
            slots={"verified_contact_id": 7, "order_contact_id": 7, "minor_declared": False},
            active_loop="order_status_form",
        ),
    )

    assert not {"verified_contact_id", "order_contact_id", "minor_declared"} & set(
        slot_events(events)
    )
