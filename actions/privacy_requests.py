"""Privacy requests from the chat: access, correction, deletion, California 1798.83, status.

Each request gets a reference and a due date (services.privacy_requests.file_request) and waits for
the privacy team in the inbox. What the replies promise stays within the privacy policy:
- access ("to any personal information that we hold about you in our records") and
  correction are rights the policy gives ("How to edit, delete or access...");
- deletion is not: the request is recorded for the team and nothing more is promised;
- 1798.83: who may ask, what they receive "if applicable", once per calendar year, and the
  policy's own e-mail route as the alternative ("Your California Privacy Rights").
The policy gives no reply time, so the due date stays the privacy team's: no reply names it.

Nothing is filed until the customer says Yes to what the assistant says it will file (the
ask_* functions here, then `apply` through actions/consent.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.ext.asyncio import AsyncSession

from actions import account_state as state
from actions import runtime
from actions.context import turn_context
from bot.services import privacy_requests
from bot.services.privacy_requests import AlreadyAskedThisYear, AlreadyOpen
from bot.store.models import Contact, PrivacyRequest, PrivacyRequestKind

MAX_LISTED = 5


KINDS = {
    "access": PrivacyRequestKind.ACCESS,
    "correction": PrivacyRequestKind.CORRECTION,
    "deletion": PrivacyRequestKind.DELETION,
    "california": PrivacyRequestKind.CALIFORNIA_1798_83,
}
CONFIRM = {
    "access": "utter_confirm_privacy_access",
    "correction": "utter_confirm_privacy_correction",
    "deletion": "utter_confirm_privacy_deletion",
    "california": "utter_confirm_california_request",
}


# --- Asking first: nothing is filed until the customer says Yes (actions/consent.py).


async def ask_access(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    return [state.ask(dispatcher, CONFIRM["access"], {"kind": "access", "contact_id": contact_id})]


async def ask_correction(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    details = str(tracker.get_slot(state.CORRECTION_DETAILS) or "").strip()
    change = {"kind": "correction", "contact_id": contact_id, "details": details}
    return [state.ask(dispatcher, CONFIRM["correction"], change, details=details)]


async def ask_deletion(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    change = {"kind": "deletion", "contact_id": contact_id}
    return [state.ask(dispatcher, CONFIRM["deletion"], change)]


async def ask_california(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    """Refused at once if already made this calendar year: there is nothing to confirm."""
    async with runtime.sessions()() as session:
        already = await privacy_requests.california_this_year(session, contact_id)
    if already is not None:
        _already_asked(dispatcher, already)
        return []
    change = {"kind": "california", "contact_id": contact_id}
    return [state.ask(dispatcher, CONFIRM["california"], change)]


# --- On Yes.


async def apply(dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]) -> None:
    """File the request `change` names, once: a request of the same kind already filed in this
    conversation since the question was asked (a second Yes) is the one reported."""
    kind = KINDS[change["kind"]]
    details = str(change.get("details") or "")
    context = turn_context(tracker)
    async with runtime.sessions().begin() as session:
        contact = await session.get(Contact, int(change["contact_id"]))
        if contact is None:
            raise LookupError(f"no contact {change['contact_id']}")
        result: PrivacyRequest | AlreadyOpen | AlreadyAskedThisYear | None = await _filed_since(
            session, contact.id, kind, context.conversation_id, change
        )
        if result is None:
            result = await privacy_requests.file_request(
                session,
                contact,
                kind,
                details=details,
                channel=context.channel,
                conversation_id=context.conversation_id,
                settings=runtime.settings(),
            )
    if isinstance(result, AlreadyAskedThisYear):
        _already_asked(dispatcher, result)
    elif isinstance(result, AlreadyOpen):
        # The same request is open already: linked to it, and the customer given its reference.
        dispatcher.utter_message(
            response="utter_privacy_request_already_open",
            reference=result.request.reference,
            request=privacy_requests.KIND_NAMES[result.request.kind],
        )
    elif kind is PrivacyRequestKind.ACCESS:
        dispatcher.utter_message(response="utter_privacy_access_filed", reference=result.reference)
    elif kind is PrivacyRequestKind.CORRECTION:
        dispatcher.utter_message(
            response="utter_privacy_correction_filed", details=details, reference=result.reference
        )
    elif kind is PrivacyRequestKind.DELETION:
        dispatcher.utter_message(
            response="utter_privacy_deletion_filed", reference=result.reference
        )
    else:
        dispatcher.utter_message(
            response="utter_california_request_filed",
            reference=result.reference,
            previous_year=str(result.created_at.year - 1),
        )


async def _filed_since(
    session: AsyncSession,
    contact_id: int,
    kind: PrivacyRequestKind,
    conversation_id: int | None,
    change: dict[str, Any],
) -> PrivacyRequest | None:
    try:
        asked_at = datetime.fromisoformat(str(change.get("asked_at")))
    except ValueError:
        return None
    for request in await privacy_requests.requests_of(session, contact_id):
        if (
            request.kind is kind
            and request.conversation_id == conversation_id
            and request.created_at >= asked_at
        ):
            return request
    return None


def _already_asked(dispatcher: CollectingDispatcher, already: AlreadyAskedThisYear) -> None:
    dispatcher.utter_message(
        response="utter_california_already_asked",
        previous_date=state.spoken_date(already.previous.created_at),
        reference=already.previous.reference,
        next_allowed=state.spoken_date(already.next_allowed),
    )


async def status(
    dispatcher: CollectingDispatcher, tracker: Tracker, contact_id: int
) -> list[EventType]:
    async with runtime.sessions().begin() as session:
        requests = await privacy_requests.requests_of(session, contact_id)
        lines = [f"- {privacy_requests.describe_request(r)}" for r in requests[:MAX_LISTED]]
    if not lines:
        dispatcher.utter_message(response="utter_privacy_requests_none")
        return []
    dispatcher.utter_message(response="utter_privacy_requests_status", requests="\n".join(lines))
    return []
