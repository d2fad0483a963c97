"""Privacy requests from the chat: access, correction, deletion, California 1798.83, status.

Each request gets a reference and a due date (services.privacy_requests.file_request) and waits for
the privacy team in the inbox. What the replies promise stays within the privacy policy:
- access ("to any personal information that we hold about you in our records") and
  correction are rights the policy gives ("How to edit, delete or access...");
- deletion is not: the request is recorded for the team and nothing more is promised;
- 1798.83: who may ask, what they receive "if applicable", once per calendar year, and the
  policy's own e-mail route as the alternative ("Your California Privacy Rights").
The policy gives no reply time, so the due date stays the privacy team's: no reply names it.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import account_state as state
from actions import runtime
from actions.context import turn_context
from bot.services import privacy_requests
from bot.services.privacy_requests import AlreadyAskedThisYear
from bot.store.models import Contact, PrivacyRequest, PrivacyRequestKind

MAX_LISTED = 5


async def _file(
    tracker: Tracker, contact_id: int, kind: PrivacyRequestKind, details: str = ""
) -> PrivacyRequest | AlreadyAskedThisYear:
    context = turn_context(tracker)
    async with runtime.sessions().begin() as session:
        contact = await session.get(Contact, contact_id)
        if contact is None:
            raise LookupError(f"no contact {contact_id}")
        return await privacy_requests.file_request(
            session,
            contact,
            kind,
            details=details,
            channel=context.channel,
            conversation_id=context.conversation_id,
            settings=runtime.settings(),
        )


async def access(dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int) -> None:
    request = await _file(tracker, contact_id, PrivacyRequestKind.ACCESS)
    assert isinstance(request, PrivacyRequest)
    dispatcher.utter_message(response="utter_privacy_access_filed", reference=request.reference)


async def correction(dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int) -> None:
    details = str(tracker.get_slot(state.CORRECTION_DETAILS) or "").strip()
    request = await _file(tracker, contact_id, PrivacyRequestKind.CORRECTION, details)
    assert isinstance(request, PrivacyRequest)
    dispatcher.utter_message(
        response="utter_privacy_correction_filed",
        details=details,
        reference=request.reference,
    )


async def deletion(dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int) -> None:
    request = await _file(tracker, contact_id, PrivacyRequestKind.DELETION)
    assert isinstance(request, PrivacyRequest)
    dispatcher.utter_message(response="utter_privacy_deletion_filed", reference=request.reference)


async def california(dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int) -> None:
    result = await _file(tracker, contact_id, PrivacyRequestKind.CALIFORNIA_1798_83)
    if isinstance(result, AlreadyAskedThisYear):
        dispatcher.utter_message(
            response="utter_california_already_asked",
            previous_date=state.spoken_date(result.previous.created_at),
            reference=result.previous.reference,
            next_allowed=state.spoken_date(result.next_allowed),
        )
        return
    dispatcher.utter_message(
        response="utter_california_request_filed",
        reference=result.reference,
        previous_year=str(result.created_at.year - 1),
    )


async def status(dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int) -> None:
    async with runtime.sessions().begin() as session:
        requests = await privacy_requests.requests_of(session, contact_id)
        lines = [f"- {privacy_requests.describe_request(r)}" for r in requests[:MAX_LISTED]]
    if not lines:
        dispatcher.utter_message(response="utter_privacy_requests_none")
        return
    dispatcher.utter_message(response="utter_privacy_requests_status", requests="\n".join(lines))
