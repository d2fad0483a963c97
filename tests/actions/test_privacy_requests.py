"""Privacy requests from the chat: named and confirmed Yes / No first, then filed once with a
reference, and refused when they must be."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
from actions.consent import ActionApplyChange
from bot.store.db import SessionFactory
from bot.store.models import PrivacyRequestKind, PrivacyRequestStatus
from bot.store.types import utcnow
from tests.actions.support import (
    Event,
    Ran,
    Trackers,
    Turn,
    action_event,
    answer,
    asked,
    contact_id,
    ids,
    message,
    privacy_requests_of,
    rendered,
    responses,
    run,
    slot_events,
    user_event,
)

LUCAS = "lucas.martin@example.com"  # California, no request yet
EMILY = "emily.chen@example.com"  # California, asked this year already
CHARLOTTE = "charlotte.dubois@example.org"  # an access request in progress


async def do(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    task: str,
    contact: int | None,
    turn: Turn,
    **slots: object,
) -> Ran:
    return await run(
        ActionRunAccountTask(),
        dispatcher,
        tracker(
            slots={"account_task": task, "verified_contact_id": contact, **slots},
            metadata=turn.metadata,
        ),
    )


async def reply(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    question: Event,
    contact: int | None,
    turn: Turn,
    *,
    text: str = "yes",
    intent: str = "affirm",
    between: list[Event] | None = None,
) -> Ran:
    """The customer's answer to `question` (yes unless told), run as action_apply_change."""
    return await answer(
        ActionApplyChange(),
        dispatcher,
        tracker,
        question,
        text=text,
        intent=intent,
        slots={"verified_contact_id": contact},
        metadata=turn.metadata,
        between=between,
    )


async def test_an_access_request_is_asked_about_then_filed_once_on_yes(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    messages, events = await do(tracker, dispatcher, "access", contact, turn)

    assert responses(messages) == ["utter_confirm_privacy_access"]
    text = rendered(message(messages, "utter_confirm_privacy_access"))
    assert "access to any personal information that we hold about you in our records" in text
    assert "Shall I go ahead?" in text
    assert await privacy_requests_of(account, contact) == [], "nothing filed before Yes"
    assert slot_events(events)["account_task"] is None
    question = asked(events)
    assert question["value"]["kind"] == "access" and question["value"]["contact_id"] == contact

    messages, events = await reply(tracker, dispatcher, question, contact, turn)

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.ACCESS and request.status is PrivacyRequestStatus.OPEN
    assert (request.channel, request.conversation_id) == ("webchat", turn.conversation_id)
    told = message(messages, "utter_privacy_access_filed")
    assert told["reference"] == request.reference
    text = rendered(told)
    assert "access to any personal information that we hold about you in our records" in text
    assert f"{request.due_at:%B}" not in text  # the due date stays in the privacy queue
    assert slot_events(events) == {"pending_change": None}

    # The same Yes again (a double tap): the request is not filed twice.
    again, _ = await reply(tracker, dispatcher, question, contact, turn)
    assert ids(await privacy_requests_of(account, contact)) == [request.id]
    assert message(again, "utter_privacy_access_filed")["reference"] == request.reference


async def test_a_correction_is_read_back_then_kept_on_yes(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    details = "My address is now 12 Prospect Street, La Jolla 92037"
    messages, events = await do(
        tracker, dispatcher, "correction", contact, turn, correction_details=details
    )
    assert message(messages, "utter_confirm_privacy_correction")["details"] == details
    assert await privacy_requests_of(account, contact) == []

    messages, _ = await reply(tracker, dispatcher, asked(events), contact, turn, text="yes please")

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.CORRECTION and request.details == details
    assert message(messages, "utter_privacy_correction_filed")["details"] == details


async def test_a_deletion_request_is_recorded_on_yes_and_nothing_is_promised(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    _, events = await do(tracker, dispatcher, "deletion", contact, turn)
    messages, _ = await reply(tracker, dispatcher, asked(events), contact, turn)

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.DELETION
    assert responses(messages) == ["utter_privacy_deletion_filed"]
    assert message(messages, "utter_privacy_deletion_filed")["reference"] == request.reference


async def test_a_misread_message_costs_a_question_never_a_filed_deletion(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    """The reported bug: a verified customer's engraving question, read as request_data_deletion,
    filed a deletion request, twice. Now the assistant asks, and "no" files nothing."""
    contact = await contact_id(account, LUCAS)
    for _ in range(2):
        messages, events = await do(tracker, dispatcher, "deletion", contact, turn)
        assert responses(messages) == ["utter_confirm_privacy_deletion"]
        assert "Shall I go ahead?" in rendered(messages[0])
        assert await privacy_requests_of(account, contact) == []

        for text in ("no", "nope", "no thanks"):
            said, done = await reply(
                tracker, dispatcher, asked(events), contact, turn, text=text, intent="deny"
            )
            assert responses(said) == ["utter_change_declined"]
            assert slot_events(done) == {"pending_change": None}
    assert await privacy_requests_of(account, contact) == []


async def test_a_yes_after_the_subject_changed_files_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    _, events = await do(tracker, dispatcher, "deletion", contact, turn)
    other_subject = [
        action_event("action_listen"),
        user_event("can you engrave initials on a watch?", intent="ask_product"),
        action_event("action_answer_product_question"),
    ]

    messages, _ = await reply(
        tracker, dispatcher, asked(events), contact, turn, between=other_subject
    )

    assert responses(messages) == ["utter_change_nothing_pending"]
    assert await privacy_requests_of(account, contact) == []


async def test_a_yes_is_checked_against_who_is_verified_now(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    lucas = await contact_id(account, LUCAS)
    emily = await contact_id(account, EMILY)
    _, events = await do(tracker, dispatcher, "access", lucas, turn)
    emily_before = await privacy_requests_of(account, emily)

    for now_verified in (None, emily):
        messages, _ = await reply(tracker, dispatcher, asked(events), now_verified, turn)
        assert responses(messages) == ["utter_account_not_verified"]
    assert await privacy_requests_of(account, lucas) == []
    assert len(await privacy_requests_of(account, emily)) == len(emily_before)


async def test_a_forged_pending_change_without_the_question_does_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    """The slot has a custom mapping only; even if a value were there, a Yes changes nothing
    unless the assistant asked just before."""
    contact = await contact_id(account, LUCAS)
    messages, _ = await run(
        ActionApplyChange(),
        dispatcher,
        tracker(
            "yes",
            intent="affirm",
            slots={
                "verified_contact_id": contact,
                "pending_change": {"kind": "deletion", "contact_id": contact},
            },
            earlier=[action_event("action_listen"), user_event("hello", intent="greet")],
            metadata=turn.metadata,
        ),
    )
    assert responses(messages) == ["utter_change_nothing_pending"]
    assert await privacy_requests_of(account, contact) == []


async def test_a_california_request_is_filed_once_per_calendar_year(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    eligible = {"california_eligible": True}

    first, events = await do(tracker, dispatcher, "california", contact, turn, **eligible)
    assert responses(first) == ["utter_confirm_california_request"]
    filed, _ = await reply(tracker, dispatcher, asked(events), contact, turn)
    second, events = await do(tracker, dispatcher, "california", contact, turn, **eligible)

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.CALIFORNIA_1798_83
    told = message(filed, "utter_california_request_filed")
    assert told["reference"] == request.reference
    assert told["previous_year"] == str(utcnow().year - 1)
    # Nothing to confirm the second time: it is refused at once.
    assert responses(second) == ["utter_california_already_asked"]
    assert "pending_change" not in slot_events(events)
    refused = message(second, "utter_california_already_asked")
    assert refused["reference"] == request.reference
    assert refused["next_allowed"] == f"January 1, {utcnow().year + 1}"


async def test_a_customer_who_asked_earlier_this_year_is_refused(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, EMILY)
    before = await privacy_requests_of(account, contact)

    messages, _ = await do(
        tracker, dispatcher, "california", contact, turn, california_eligible=True
    )

    assert responses(messages) == ["utter_california_already_asked"]
    assert message(messages, "utter_california_already_asked")["reference"].startswith("DEMO-")
    assert len(await privacy_requests_of(account, contact)) == len(before)


async def test_not_eligible_for_1798_83_files_nothing(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    messages, _ = await do(
        tracker, dispatcher, "california", contact, turn, california_eligible=False
    )
    assert responses(messages) == ["utter_california_not_eligible"]
    assert await privacy_requests_of(account, contact) == []


async def test_the_status_lists_the_customers_own_requests(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, CHARLOTTE)
    messages, _ = await do(tracker, dispatcher, "status", contact, turn)
    listed = message(messages, "utter_privacy_requests_status")["requests"]
    assert listed.startswith("- DEMO-") and "being handled by our privacy team" in listed
    assert "access to your personal information" in listed and "copy" not in listed
    assert "due" not in listed  # the policy gives no reply time: the date stays in the queue


async def test_no_requests_is_said_plainly(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    messages, _ = await do(tracker, dispatcher, "status", contact, turn)
    assert responses(messages) == ["utter_privacy_requests_none"]


async def test_nothing_is_asked_or_filed_without_verification(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    for task in ("access", "correction", "deletion", "california", "status"):
        messages, events = await do(tracker, dispatcher, task, None, turn, california_eligible=True)
        assert responses(messages) == ["utter_account_not_verified"], task
        assert "pending_change" not in slot_events(events)
    assert await privacy_requests_of(account, contact) == []


async def test_asking_again_while_a_request_is_open_files_nothing_new(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, CHARLOTTE)
    before = await privacy_requests_of(account, contact)
    _, events = await do(tracker, dispatcher, "access", contact, turn)
    messages, _ = await reply(tracker, dispatcher, asked(events), contact, turn)

    after = await privacy_requests_of(account, contact)
    assert [r.id for r in after] == [r.id for r in before], "not filed twice"
    [open_access] = [r for r in after if r.kind is PrivacyRequestKind.ACCESS]
    assert open_access.times_asked == 2
    told = message(messages, "utter_privacy_request_already_open")
    assert told["reference"] == open_access.reference
    assert "already with our privacy team" in rendered(told)
