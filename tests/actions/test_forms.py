"""action_cancel_form: "cancel" or "no" in any form stops it and forgets what it collected."""

from __future__ import annotations

import pytest

from actions.forms import ActionCancelForm
from tests.actions.account_support import responses, run, slot_events, tracker

ISABELLE = "isabelle.moreau@example.com"
FORMS = ["order_status_form", "repair_status_form", "verify_identity_form", "opt_out_form"]


def test_name_matches_the_domain() -> None:
    assert ActionCancelForm().name() == "action_cancel_form"


@pytest.mark.parametrize("form", FORMS)
async def test_cancelling_any_form_stops_it_and_forgets_its_details(form: str) -> None:
    events, dispatcher = await run(
        ActionCancelForm(),
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

    assert responses(dispatcher) == ["utter_cancelled"]
    assert [e["name"] for e in events if e["event"] == "active_loop"] == [None]
    forgotten = slot_events(events)
    for slot in ("account_task", "account_email", "marketing_medium", "order_number"):
        assert forgotten[slot] is None
    assert forgotten["repair_number"] is None and forgotten["requested_slot"] is None


async def test_who_the_customer_proved_to_be_is_kept() -> None:
    events, _ = await run(
        ActionCancelForm(),
        tracker(
            intent="deny",
            slots={"verified_contact_id": 7, "order_contact_id": 7, "minor_declared": False},
            active_loop="order_status_form",
        ),
    )

    assert not {"verified_contact_id", "order_contact_id", "minor_declared"} & set(
        slot_events(events)
    )
