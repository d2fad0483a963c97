"""What the account actions read from and write to the tracker, in one place.

`verified_contact_id` and `minor_declared` have custom mappings only (domain/account.yml): the
actions here are the only way they change, so a customer cannot set them by typing
/intent{"verified_contact_id": 1}. The order actions check `minor_declared` too.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.store.types import utcnow

VERIFIED_CONTACT = "verified_contact_id"
MINOR_DECLARED = "minor_declared"
ACCOUNT_TASK = "account_task"
ACCOUNT_EMAIL = "account_email"
VERIFICATION_CODE = "verification_code"
VERIFICATION_ATTEMPTS = "verification_attempts"
VERIFICATION_STOPPED = "verification_stopped"
MARKETING_MEDIUM = "marketing_medium"
PREFERRED_LANGUAGE = "preferred_language"
CORRECTION_DETAILS = "correction_details"
CALIFORNIA_ELIGIBLE = "california_eligible"
# The change the assistant asked Yes / No about (actions/consent.py); set only by actions.
PENDING_CHANGE = "pending_change"

# What a task in progress collected: cleared when it ends or is cancelled, so nothing said
# in one task (an address, "all of them") silently fills the next one.
TASK_SLOTS = (
    ACCOUNT_TASK,
    ACCOUNT_EMAIL,
    VERIFICATION_CODE,
    VERIFICATION_ATTEMPTS,
    VERIFICATION_STOPPED,
    MARKETING_MEDIUM,
    PREFERRED_LANGUAGE,
    CORRECTION_DETAILS,
    CALIFORNIA_ELIGIBLE,
)


def verified_contact_id(tracker: Tracker) -> int | None:
    value = tracker.get_slot(VERIFIED_CONTACT)
    # Slots travel as JSON: an int may come back as a float.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def minor_declared(tracker: Tracker) -> bool:
    return tracker.get_slot(MINOR_DECLARED) is True


def clear_task() -> list[EventType]:
    return [SlotSet(name, None) for name in TASK_SLOTS]


def spoken_list(items: list[str]) -> str:
    """["e-mail", "SMS", "post"] -> "e-mail, SMS and post"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def spoken_date(value: Any) -> str:
    """A date or datetime as "June 5, 2026"."""
    return f"{value:%B} {value.day}, {value.year}"


def ask(
    dispatcher: CollectingDispatcher, response: str, change: dict[str, Any], **params: Any
) -> SlotSet:
    """Say `response` ("I will ... Shall I go ahead?", with Yes / No buttons) and keep the
    named change for the customer's answer (actions/consent.py carries it out on Yes)."""
    dispatcher.utter_message(response=response, **params)
    return SlotSet(PENDING_CHANGE, {**change, "asked_at": utcnow().isoformat()})
