"""Privacy requests from the chat: filed with a reference, refused when they must be."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionRunAccountTask
from bot.store.db import SessionFactory
from bot.store.models import PrivacyRequestKind, PrivacyRequestStatus
from bot.store.types import utcnow
from tests.actions.support import (
    Ran,
    Trackers,
    Turn,
    contact_id,
    message,
    privacy_requests_of,
    rendered,
    responses,
    run,
    slot_events,
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


async def test_an_access_request_is_filed_with_a_reference_and_no_promised_date(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    messages, events = await do(tracker, dispatcher, "access", contact, turn)

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.ACCESS and request.status is PrivacyRequestStatus.OPEN
    assert (request.channel, request.conversation_id) == ("webchat", turn.conversation_id)
    told = message(messages, "utter_privacy_access_filed")
    assert told["reference"] == request.reference
    text = rendered(told)
    assert "access to any personal information that we hold about you in our records" in text
    assert f"{request.due_at:%B}" not in text  # the due date stays in the privacy queue
    assert slot_events(events)["account_task"] is None


async def test_a_correction_keeps_what_needs_correcting(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    details = "My address is now 12 Prospect Street, La Jolla 92037"
    messages, _ = await do(
        tracker, dispatcher, "correction", contact, turn, correction_details=details
    )

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.CORRECTION and request.details == details
    assert message(messages, "utter_privacy_correction_filed")["details"] == details


async def test_a_deletion_request_is_recorded_and_nothing_is_promised(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    messages, _ = await do(tracker, dispatcher, "deletion", contact, turn)

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.DELETION
    assert responses(messages) == ["utter_privacy_deletion_filed"]
    assert message(messages, "utter_privacy_deletion_filed")["reference"] == request.reference


async def test_a_california_request_is_filed_once_per_calendar_year(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    eligible = {"california_eligible": True}

    first, _ = await do(tracker, dispatcher, "california", contact, turn, **eligible)
    second, _ = await do(tracker, dispatcher, "california", contact, turn, **eligible)

    (request,) = await privacy_requests_of(account, contact)
    assert request.kind is PrivacyRequestKind.CALIFORNIA_1798_83
    filed = message(first, "utter_california_request_filed")
    assert filed["reference"] == request.reference
    assert filed["previous_year"] == str(utcnow().year - 1)
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


async def test_nothing_is_filed_without_verification(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, LUCAS)
    for task in ("access", "correction", "deletion", "california", "status"):
        messages, _ = await do(tracker, dispatcher, task, None, turn, california_eligible=True)
        assert responses(messages) == ["utter_account_not_verified"], task
    assert await privacy_requests_of(account, contact) == []


async def test_asking_again_while_a_request_is_open_files_nothing_new(
    tracker: Trackers, dispatcher: CollectingDispatcher, account: SessionFactory, turn: Turn
) -> None:
    contact = await contact_id(account, CHARLOTTE)
    before = await privacy_requests_of(account, contact)
    messages, _ = await do(tracker, dispatcher, "access", contact, turn)

    after = await privacy_requests_of(account, contact)
    assert [r.id for r in after] == [r.id for r in before], "not filed twice"
    [open_access] = [r for r in after if r.kind is PrivacyRequestKind.ACCESS]
    assert open_access.times_asked == 2
    told = message(messages, "utter_privacy_request_already_open")
    assert told["reference"] == open_access.reference
    assert "already with our privacy team" in rendered(told)
