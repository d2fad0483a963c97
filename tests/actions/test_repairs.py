"""Repair status actions on the demo store: the order flow with RP- numbers, saying what the
customer needs to do next."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.lookups import LOCKED, VERIFIED
from actions.orders import ValidateOrderStatusForm
from actions.repairs import ActionLookUpRepair, ValidateRepairStatusForm
from bot.store.db import SessionFactory
from tests.actions.support import (
    PUBLIC,
    Ran,
    Trackers,
    all_text,
    contact_id,
    failures,
    responses,
    run,
    slot_events,
)

pytestmark = pytest.mark.usefixtures("store")  # the runtime on the demo store

FORM = "repair_status_form"


async def answer(
    tracker: Trackers, dispatcher: CollectingDispatcher, text: str, number: str, **kwargs: Any
) -> Ran:
    slots = {"repair_number": number, "requested_slot": "repair_verification"}
    return await run(
        ValidateRepairStatusForm(),
        dispatcher,
        tracker(
            text,
            slots=slots,
            candidates={"repair_verification": text},
            active_loop=FORM,
            **kwargs,
        ),
    )


async def submit(
    tracker: Trackers, dispatcher: CollectingDispatcher, slots: dict[str, Any], **kwargs: Any
) -> Ran:
    return await run(ActionLookUpRepair(), dispatcher, tracker("ok", slots=slots, **kwargs))


@pytest.mark.parametrize("text", ["PG-100234", "RP-2041", "20417"])
async def test_a_malformed_repair_number_gets_a_hint_and_no_lookup(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory, text: str
) -> None:
    messages, events = await run(
        ValidateRepairStatusForm(),
        dispatcher,
        tracker(text, candidates={"repair_number": text}, active_loop=FORM),
    )
    assert responses(messages) == ["utter_repair_number_invalid"]
    assert slot_events(events)["repair_number"] is None
    assert await failures(demo_sessions) == {}


async def test_an_estimate_awaiting_approval_says_how_much_and_what_to_do(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    _, events = await answer(tracker, dispatcher, "isabelle.moreau@example.com", "RP-20417")
    slots = slot_events(events)
    assert slots["repair_verification"] == VERIFIED

    told, returned = await submit(tracker, dispatcher, {"repair_number": "RP-20417", **slots})
    text = all_text(told)
    assert "RP-20417" in text and "$1,450" in text and "approve" in text
    assert "Estimated completion" in text and "Piaget Fifth Avenue" in text
    assert slot_events(returned) == {"repair_number": None, "repair_verification": None}


async def test_a_repair_ready_for_collection_says_where_to_collect_it(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    _, events = await answer(tracker, dispatcher, "10007", "RP-20371")
    told, _ = await submit(
        tracker, dispatcher, {"repair_number": "RP-20371", **slot_events(events)}
    )
    text = all_text(told)
    assert "ready for collection" in text and "collect it at Piaget Fifth Avenue" in text
    assert "photo ID" in text


async def test_a_wrong_answer_and_an_unknown_repair_look_the_same(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    wrong = await answer(tracker, dispatcher, "90210", "RP-20417")
    unknown = await answer(tracker, dispatcher, "10021", "RP-99999", sender="someone-else")

    assert wrong == unknown
    assert responses(wrong[0]) == ["utter_repair_not_verified"]


async def test_failures_on_orders_and_repairs_count_together(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    await answer(tracker, dispatcher, "00001", "RP-20417")
    await answer(tracker, dispatcher, "00002", "RP-20417")
    await run(
        ValidateOrderStatusForm(),
        dispatcher,
        tracker(
            "00003",
            slots={"order_number": "PG-100234", "requested_slot": "order_verification"},
            candidates={"order_verification": "00003"},
            active_loop="order_status_form",
        ),
    )
    messages, events = await answer(tracker, dispatcher, "10021", "RP-20417")
    assert messages == [] and slot_events(events)["repair_verification"] == LOCKED

    told, _ = await submit(
        tracker, dispatcher, {"repair_number": "RP-20417", "repair_verification": LOCKED}
    )
    assert responses(told) == ["utter_lookup_locked", None]
    assert told[1]["custom"] == {"handoff": {"reason": "verification_lockout"}}


async def test_a_customer_verified_by_an_order_sees_their_repair_without_a_question(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    isabelle = await contact_id(demo_sessions, "isabelle.moreau@example.com")
    messages, events = await run(
        ValidateRepairStatusForm(),
        dispatcher,
        tracker(
            "what about RP-20417?",
            candidates={"repair_number": "RP-20417"},
            slots={"order_contact_id": isabelle},
            active_loop=FORM,
        ),
    )
    assert messages == [] and slot_events(events)["repair_verification"] == VERIFIED


async def test_public_channels_reveal_no_repair(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory
) -> None:
    isabelle = await contact_id(demo_sessions, "isabelle.moreau@example.com")
    told, _ = await submit(
        tracker,
        dispatcher,
        {"repair_number": "RP-20417", "order_contact_id": isabelle},
        metadata=PUBLIC,
    )
    assert responses(told) == ["utter_lookup_private_only"]
    assert "RP-20417" not in all_text(told)
