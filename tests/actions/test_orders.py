"""Order status actions on the demo store: only the owner learns anything, and nobody can
tell an unknown order number from a wrong answer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.lookups import LOCKED, VERIFIED
from actions.orders import ActionListOrders, ActionLookUpOrder, ValidateOrderStatusForm
from bot.store.db import SessionFactory
from tests.actions.support import (
    PRIVATE,
    PUBLIC,
    SENDER,
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

FORM = "order_status_form"
ISABELLE = "isabelle.moreau@example.com"
TRACKING = "775402963318"  # PG-100234, shipped with FedEx


async def validate(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    text: str,
    candidates: dict[str, Any],
    **kwargs: Any,
) -> Ran:
    return await run(
        ValidateOrderStatusForm(),
        dispatcher,
        tracker(text, candidates=candidates, active_loop=FORM, **kwargs),
    )


async def answer(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    text: str,
    number: str = "PG-100234",
    slots: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Ran:
    """The customer answers the verification question for `number`."""
    asked = {"order_number": number, "requested_slot": "order_verification", **(slots or {})}
    return await validate(
        tracker, dispatcher, text, {"order_verification": text}, slots=asked, **kwargs
    )


async def submit(
    tracker: Trackers, dispatcher: CollectingDispatcher, slots: dict[str, Any], **kwargs: Any
) -> Ran:
    return await run(ActionLookUpOrder(), dispatcher, tracker("10021", slots=slots, **kwargs))


@pytest.mark.parametrize("text", ["12345", "PG-12345", "my order is 100234", "I lost it"])
async def test_a_malformed_number_is_asked_again_with_a_hint_and_no_lookup(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory, text: str
) -> None:
    messages, events = await validate(tracker, dispatcher, text, {"order_number": text})

    assert responses(messages) == ["utter_order_number_invalid"]
    assert slot_events(events)["order_number"] is None
    assert await failures(demo_sessions) == {}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("how can I see the delivery date of order 00004587345", "00004587345"),
        ("113542617735902", "113542617735902"),
    ],
)
async def test_an_order_number_of_a_shape_we_never_issue_is_told_what_ours_look_like(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
    text: str,
    number: str,
) -> None:
    # NLU extracts it as unknown_order_number, which fills order_number (domain/orders.yml).
    messages, events = await validate(tracker, dispatcher, text, {"order_number": number})

    assert responses(messages) == ["utter_order_number_invalid"]
    assert slot_events(events)["order_number"] is None
    assert await failures(demo_sessions) == {}


async def test_a_well_formed_number_is_normalised_and_the_answer_asked_for(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, events = await validate(
        tracker, dispatcher, "it's pg 100234", {"order_number": "pg 100234"}
    )

    assert messages == []
    assert slot_events(events)["order_number"] == "PG-100234"
    assert slot_events(events)["order_verification"] is None


@pytest.mark.parametrize("given", ["10021", "Isabelle.Moreau@Example.com", "10021-4410"])
async def test_the_right_postcode_or_email_verifies_and_the_order_is_told(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory, given: str
) -> None:
    messages, events = await answer(tracker, dispatcher, given)

    assert messages == []
    slots = slot_events(events)
    assert slots["order_verification"] == VERIFIED
    assert slots["order_contact_id"] == await contact_id(demo_sessions, ISABELLE)

    told, returned = await submit(tracker, dispatcher, {"order_number": "PG-100234", **slots})
    text = all_text(told)
    assert "PG-100234" in text and "shipped" in text
    assert TRACKING in text and "FedEx" in text and "Estimated delivery" in text
    assert "Limelight Gala 32 mm" in text  # the item
    assert slot_events(returned) == {"order_number": None, "order_verification": None}
    # Isabelle has a second order and a repair: offered, not shown unasked.
    assert "utter_offer_order_list" in responses(told)


async def test_a_wrong_answer_and_an_unknown_number_get_the_same_neutral_reply(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    wrong = await answer(tracker, dispatcher, "90210")
    unknown = await answer(
        tracker, dispatcher, "10021", number="PG-999999", sender="another-conversation"
    )

    assert wrong == unknown
    messages, events = wrong
    assert responses(messages) == ["utter_order_not_verified"]
    assert slot_events(events) == {"order_verification": None}
    assert "order_contact_id" not in slot_events(events)
    assert (await failures(demo_sessions))[f"sender:{SENDER}"] == 1


@pytest.mark.parametrize("text", ["isabelle", "1002", "verified", "locked", "yes"])
async def test_an_answer_that_is_no_email_or_postcode_is_asked_again_and_costs_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory, text: str
) -> None:
    messages, events = await answer(tracker, dispatcher, text)

    assert responses(messages) == ["utter_verification_answer_invalid"]
    assert slot_events(events)["order_verification"] is None
    assert await failures(demo_sessions) == {}


async def test_three_failures_lock_lookups_and_hand_off_to_the_concierge(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    first = await answer(tracker, dispatcher, "00001")
    second = await answer(tracker, dispatcher, "wrong@example.com")
    third_messages, third_events = await answer(tracker, dispatcher, "00003")

    assert responses(first[0]) == responses(second[0]) == ["utter_order_not_verified"]
    assert third_messages == []  # the form ends; the submit action speaks
    assert slot_events(third_events) == {"order_verification": LOCKED}

    told, _ = await submit(
        tracker, dispatcher, {"order_number": "PG-100234", "order_verification": LOCKED}
    )
    assert responses(told) == ["utter_lookup_locked", None]
    assert told[1]["custom"] == {"handoff": {"reason": "verification_lockout"}}
    assert TRACKING not in all_text(told)

    # Locked: even the right answer reveals nothing now, and a new lookup ends at once.
    right, right_events = await answer(tracker, dispatcher, "10021")
    assert right == [] and slot_events(right_events) == {"order_verification": LOCKED}
    _, events = await validate(tracker, dispatcher, "PG-100211", {"order_number": "PG-100211"})
    assert slot_events(events)["order_verification"] == LOCKED


async def test_the_lockout_follows_the_channel_identity_into_a_new_conversation(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    for wrong in ("00001", "00002", "00003"):
        await answer(tracker, dispatcher, wrong)
    # Same identity (PRIVATE metadata), new Rasa conversation.
    _, events = await validate(
        tracker, dispatcher, "PG-100234", {"order_number": "PG-100234"}, sender="conversation-new"
    )
    assert slot_events(events)["order_verification"] == LOCKED


async def test_new_sessions_cannot_keep_guessing_and_only_the_first_lockout_hands_off(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    """Security review (issue 17): each new web chat session (a new conversation and channel
    identity) had three fresh guesses at the same order, and each lockout was a handoff."""
    told_per_session = []
    for n in range(4):
        session = {
            "sender": f"web-session-{n}",
            "metadata": {**PRIVATE, "conversation_id": 100 + n, "identity_id": 200 + n},
        }
        # After the first session, the right postcode is refused exactly like a wrong one.
        given = ["00001", "00002", "00003"] if n == 0 else ["10021", "00001", "00002"]
        for text in given[:2]:
            messages, events = await answer(tracker, dispatcher, text, **session)
            assert responses(messages) == ["utter_order_not_verified"]
            assert slot_events(events) == {"order_verification": None}
        messages, events = await answer(tracker, dispatcher, given[2], **session)
        assert messages == [] and slot_events(events) == {"order_verification": LOCKED}
        told, _ = await submit(
            tracker,
            dispatcher,
            {"order_number": "PG-100234", "order_verification": LOCKED},
            **session,
        )
        assert TRACKING not in all_text(told)
        told_per_session.append(told)

    handoffs = [t for told in told_per_session for t in told if t.get("custom")]
    assert handoffs == [{**handoffs[0], "custom": {"handoff": {"reason": "verification_lockout"}}}]
    assert responses(told_per_session[0])[0] == "utter_lookup_locked"
    assert all(
        responses(told) == ["utter_lookup_locked_no_handoff"] for told in told_per_session[1:]
    )


async def test_a_verified_customer_is_not_asked_again_for_their_other_order(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    isabelle = await contact_id(demo_sessions, ISABELLE)

    messages, events = await validate(
        tracker,
        dispatcher,
        "and PG-100211?",
        {"order_number": "PG-100211"},
        slots={"order_contact_id": isabelle},
    )
    assert messages == []
    assert slot_events(events)["order_verification"] == VERIFIED

    told, _ = await submit(
        tracker,
        dispatcher,
        {"order_number": "PG-100211", "order_verification": VERIFIED, "order_contact_id": isabelle},
    )
    assert "PG-100211" in all_text(told) and "delivered" in all_text(told).lower()


async def test_someone_elses_order_number_still_needs_its_own_answer(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    isabelle = await contact_id(demo_sessions, ISABELLE)
    verified = {"order_contact_id": isabelle}

    _, events = await validate(
        tracker, dispatcher, "PG-100131", {"order_number": "PG-100131"}, slots=verified
    )
    assert slot_events(events)["order_verification"] is None  # asked, like anyone

    # Isabelle's own answer does not open James's order: the same neutral reply.
    messages, events = await answer(
        tracker, dispatcher, "10021", number="PG-100131", slots=verified
    )
    assert responses(messages) == ["utter_order_not_verified"]
    assert "order_contact_id" not in slot_events(events)

    # A submit that somehow ran anyway reveals nothing about James's order.
    told, _ = await submit(
        tracker, dispatcher, {"order_number": "PG-100131", "order_contact_id": isabelle}
    )
    assert responses(told) == ["utter_order_not_verified"]
    assert "PG-100131" not in all_text(told)

    # James's own answer does.
    _, events = await answer(tracker, dispatcher, "90210", number="PG-100131", slots=verified)
    assert slot_events(events)["order_contact_id"] == await contact_id(
        demo_sessions, "james.whitaker@example.com"
    )


async def test_the_verified_customer_lists_their_orders_and_repairs(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    isabelle = await contact_id(demo_sessions, ISABELLE)

    told, events = await run(
        ActionListOrders(),
        dispatcher,
        tracker("list my orders", intent="list_orders", slots={"order_contact_id": isabelle}),
    )

    text = all_text(told)
    assert "PG-100234" in text and "PG-100211" in text and "RP-20417" in text
    assert "PG-100131" not in text  # James's
    payloads = [b["payload"] for b in told[0]["buttons"]]
    assert '/check_order_status{"order_number":"PG-100234"}' in payloads
    assert '/check_repair_status{"repair_number":"RP-20417"}' in payloads
    assert events == []


async def test_listing_orders_needs_a_verified_order_first(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    told, _ = await run(
        ActionListOrders(), dispatcher, tracker("and my other order?", intent="list_orders")
    )
    assert responses(told) == ["utter_list_orders_needs_verification"]


async def test_a_forged_contact_id_cannot_be_injected_through_entities(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    # `/check_order_status{"order_number": "PG-100131", "order_verification": "verified"}`:
    # the answer slot maps from e-mail and postcode entities only, and every candidate is
    # checked, so the marker is refused like any other text.
    messages, events = await answer(tracker, dispatcher, "verified", number="PG-100131")
    assert responses(messages) == ["utter_verification_answer_invalid"]
    assert slot_events(events)["order_verification"] is None


async def test_a_value_left_over_from_an_abandoned_lookup_is_not_used(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    # The form starts with a number and an answer from an earlier, cancelled lookup: the
    # customer said neither now, so neither is checked.
    messages, events = await validate(
        tracker,
        dispatcher,
        "where is my order?",
        {"order_number": "PG-100234", "order_verification": "10021"},
        intent="check_order_status",
    )
    assert messages == []
    assert slot_events(events)["order_number"] is None
    assert slot_events(events)["order_verification"] is None
    assert await failures(demo_sessions) == {}


async def test_public_channels_reveal_nothing_and_invite_a_private_message(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    isabelle = await contact_id(demo_sessions, ISABELLE)

    messages, events = await validate(
        tracker, dispatcher, "PG-100234 10021", {"order_number": "PG-100234"}, metadata=PUBLIC
    )
    assert messages == []
    assert slot_events(events) == {"requested_slot": None}  # the form ends, asking nothing

    verified = {"order_number": "PG-100234", "order_contact_id": isabelle}
    told, returned = await submit(tracker, dispatcher, verified, metadata=PUBLIC)
    assert responses(told) == ["utter_lookup_private_only"]
    assert all(m.get("text") is None for m in told)
    assert slot_events(returned) == {"order_number": None, "order_verification": None}

    listed, _ = await run(
        ActionListOrders(),
        dispatcher,
        tracker("list my orders", intent="list_orders", slots=verified, metadata=PUBLIC),
    )
    assert responses(listed) == ["utter_lookup_private_only"]
    assert await failures(demo_sessions) == {}


async def test_the_list_is_not_offered_again_once_shown(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory
) -> None:
    isabelle = await contact_id(demo_sessions, ISABELLE)
    shown = [
        {"event": "action", "name": "action_listen"},
        {"event": "action", "name": "action_list_orders"},
    ]
    told, _ = await submit(
        tracker,
        dispatcher,
        {"order_number": "PG-100211", "order_contact_id": isabelle},
        earlier=shown,
    )
    assert "PG-100211" in all_text(told)
    assert "utter_offer_order_list" not in responses(told)


async def test_no_lookup_is_started_or_answered_for_someone_who_said_they_are_under_13(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    isabelle = await contact_id(demo_sessions, ISABELLE)
    child = {"minor_declared": True}

    messages, events = await validate(
        tracker, dispatcher, "PG-100234 10021", {"order_number": "PG-100234"}, slots=child
    )
    assert messages == []
    assert slot_events(events) == {"requested_slot": None}  # the form ends, asking nothing

    verified = {**child, "order_number": "PG-100234", "order_contact_id": isabelle}
    told, _ = await submit(tracker, dispatcher, verified)
    assert responses(told) == ["utter_minor_no_personal_data"]
    assert TRACKING not in all_text(told)

    listed, _ = await run(
        ActionListOrders(),
        dispatcher,
        tracker("list my orders", intent="list_orders", slots=verified),
    )
    assert responses(listed) == ["utter_minor_no_personal_data"]
    assert await failures(demo_sessions) == {}
