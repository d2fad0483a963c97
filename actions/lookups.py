"""What the order and the repair lookups share: the form's validation and its submission.

The flow, for an order (a repair is the same with its own slots and wording):

1. `order_status_form` asks for the number, then for the e-mail address or postcode on it.
2. `validate_order_status_form` checks each answer's shape before anything is looked up
   (a malformed number or answer is asked again with a hint, and costs nothing). A
   well-formed answer is checked against the store at once: a wrong one, an unknown
   number and a locked number get the same neutral reply and the question again; the
   failures are counted per number, conversation and channel identity across conversations
   (bot/services/lookup_guard.py), and the last allowed one locks lookups and ends the form.
   A number that belongs to the customer already verified in this conversation
   (`order_contact_id`) ends the form at once.
3. `action_look_up_order` runs whenever the form ends and decides what may be said: nothing
   on a public channel, the lockout and a handoff to the concierge (once per number within
   the lockout window; later lockouts on the same number are told how to ask for a person),
   or the order.

`order_contact_id` is set only here, after a successful check. Its slot mapping is custom,
so no message (not even `/intent{"order_contact_id": ...}`) can set it, and what it unlocks
is re-checked against the store on every use: the order must belong to that contact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.ext.asyncio import AsyncSession

from actions import account_state, runtime
from actions.context import turn_context
from actions.handoff import hand_off
from bot.services import lookup_guard, orders, proofs
from bot.services.orders import LookupResult, Outcome
from bot.store.models import ProofMethod

CONTACT_SLOT = "order_contact_id"
REQUESTED_SLOT = "requested_slot"
HANDOFF_REASON_LOCKOUT = "verification_lockout"

# What the validation leaves in the answer slot once the form may end. Never the customer's
# own words: every answer a customer gives goes through `orders.normalise_answer` first, and
# the submit action trusts only `order_contact_id` and the store, not these markers.
VERIFIED = "verified"
LOCKED = "locked"


@dataclass(frozen=True)
class LookupKind:
    """One kind of lookup (orders or repairs): its slots, services and responses."""

    form: str
    number_slot: str
    answer_slot: str
    normalise_number: Callable[[str], str | None]
    look_up: Callable[
        [AsyncSession, str, str, list[str], lookup_guard.Policy], Awaitable[LookupResult]
    ]
    owned: Callable[[AsyncSession, str, int], Awaitable[Any]]
    describe: Callable[[Any], str]
    invalid_number_response: str
    not_verified_response: str
    proof_method: ProofMethod  # what a passed check is recorded as (services/proofs.py)


def _first_text(value: Any) -> str | None:
    """A slot candidate as one string (duplicate entities arrive as a list)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def said_now(tracker: Tracker, value: str) -> bool:
    """Whether the customer's latest message contains this value.

    A form validates every slot that is already set when it starts, including one left over
    from an earlier, abandoned lookup; only what the customer has just said may start one.
    """
    text = str((tracker.latest_message or {}).get("text") or "")
    return value.lower() in text.lower()


def _reset(kind: LookupKind) -> list[EventType]:
    return [SlotSet(kind.number_slot, None), SlotSet(kind.answer_slot, None)]


async def validate_number(
    kind: LookupKind, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Check the number's shape; skip the question for the verified customer's own."""
    text = _first_text(value)
    if text is None or not said_now(tracker, text):
        return {kind.number_slot: None}
    number = kind.normalise_number(text)
    if number is None:
        dispatcher.utter_message(response=kind.invalid_number_response)
        return {kind.number_slot: None}
    subjects = turn_context(tracker).lookup_subjects
    contact_id = tracker.get_slot(CONTACT_SLOT)
    async with runtime.sessions().begin() as session:
        if await lookup_guard.locked_until(session, subjects):
            return {kind.number_slot: number, kind.answer_slot: LOCKED}
        if isinstance(contact_id, int) and await kind.owned(session, number, contact_id):
            return {kind.number_slot: number, kind.answer_slot: VERIFIED}
    # A new number needs its own answer, even if one was given for another number.
    return {kind.number_slot: number, kind.answer_slot: None}


async def validate_answer(
    kind: LookupKind, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Check the answer's shape, then check it against the store."""
    current = tracker.get_slot(kind.answer_slot)
    if current != value and current in (VERIFIED, LOCKED):
        return {}  # settled by the number's validation in this same turn
    text = _first_text(value)
    if text is None or not said_now(tracker, text):
        return {kind.answer_slot: None}
    answer = orders.normalise_answer(text)
    if answer is None:
        dispatcher.utter_message(response="utter_verification_answer_invalid")
        return {kind.answer_slot: None}
    number = tracker.get_slot(kind.number_slot)
    if not isinstance(number, str):
        return {kind.answer_slot: None}  # asked for the number first; asked again later
    context = turn_context(tracker)
    async with runtime.sessions().begin() as session:
        result = await kind.look_up(session, number, answer, context.lookup_subjects, policy())
        owner = result.contact_id if result.outcome is Outcome.FOUND else None
        if owner is not None and context.conversation_id is not None:  # shown at a handoff
            await proofs.record(session, context.conversation_id, kind.proof_method, owner, number)
    if result.outcome is Outcome.FOUND:
        return {kind.answer_slot: VERIFIED, CONTACT_SLOT: result.contact_id}
    if result.outcome is Outcome.LOCKED:
        return {kind.answer_slot: LOCKED}
    # Unknown number or wrong answer: the same words either way, then the question again.
    dispatcher.utter_message(response=kind.not_verified_response)
    return {kind.answer_slot: None}


def policy() -> lookup_guard.Policy:
    return lookup_guard.Policy.from_settings(runtime.settings())


def refusal(tracker: Tracker) -> list[EventType] | None:
    """The form ends at once, before asking anything, on a public channel or for a child.

    The submit action then says why (actions/minors.py: nothing personal is collected from
    someone who said they are under 13).
    """
    if turn_context(tracker).public or account_state.minor_declared(tracker):
        return [SlotSet(REQUESTED_SLOT, None)]
    return None


# rasa_sdk ships no type information, so mypy sees its classes as Any.
class LookupFormValidation(FormValidationAction, ABC):  # type: ignore[misc]
    """The validation action of a lookup form: ends it at once where nothing may be asked.

    Subclasses set `kind` and name their two `validate_<slot>` methods, which rasa_sdk
    finds by the slot's name, after validate_number and validate_answer here. Abstract, so
    the action server registers the subclasses only."""

    @property
    @abstractmethod
    def kind(self) -> LookupKind: ...

    def name(self) -> str:
        return f"validate_{self.kind.form}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if (events := refusal(tracker)) is not None:
            return events
        validated: list[EventType] = await super().run(dispatcher, tracker, domain)
        return validated


async def submit(
    kind: LookupKind, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """Say what may be said once the form has ended, and clear it for the next lookup."""
    context = turn_context(tracker)
    if context.public:
        dispatcher.utter_message(response="utter_lookup_private_only")
        return _reset(kind)
    if account_state.minor_declared(tracker):
        dispatcher.utter_message(response="utter_minor_no_personal_data")
        return _reset(kind)
    number = tracker.get_slot(kind.number_slot)
    contact_id = tracker.get_slot(CONTACT_SLOT)
    async with runtime.sessions().begin() as session:
        if await lookup_guard.locked_until(session, context.lookup_subjects):
            claimed = await lookup_guard.claim_handoff(
                session, number if isinstance(number, str) else None, policy=policy()
            )
            if claimed:
                hand_off(dispatcher, "utter_lookup_locked", HANDOFF_REASON_LOCKOUT)
            else:  # this number's lockout is with the concierge already (issue 17)
                dispatcher.utter_message(response="utter_lookup_locked_no_handoff")
            return _reset(kind)
        found = None
        if isinstance(number, str) and isinstance(contact_id, int):
            found = await kind.owned(session, number, contact_id)
        if found is None:
            # Not reached in a normal conversation (the form only ends verified or locked);
            # say no more than a failed check would.
            dispatcher.utter_message(response=kind.not_verified_response)
            return _reset(kind)
        dispatcher.utter_message(text=kind.describe(found))
        others = len(await orders.orders_of(session, contact_id)) + len(
            await orders.repairs_of(session, contact_id)
        )
    if others > 1 and not _listed_already(tracker):
        dispatcher.utter_message(response="utter_offer_order_list")
    return _reset(kind)


def _listed_already(tracker: Tracker) -> bool:
    return any(
        event.get("event") == "action" and event.get("name") == "action_list_orders"
        for event in tracker.applied_events()
    )
