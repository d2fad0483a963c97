"""Nothing changes without consent in the conversation.

An action that would change something (file a privacy request, opt out of or in to marketing,
change the preferred language) does not change it: it says exactly what it will do, asks Yes /
No, and leaves the change, named and serialisable, in the `pending_change` slot (`ask`). The
customer's next message decides (data/rules/consent.yml): on Yes action_apply_change carries it
out, once; on No it says nothing was changed. So a misunderstood message can cost one extra
turn, never a filed request.

A pending change answers only the question asked just before: a Yes that comes after another
message (the customer changed the subject) changes nothing. action_apply_change checks again
what the change needs (the same verified customer, no child) when it runs, and clears the slot,
so a second Yes finds nothing to do; filing a privacy request is idempotent too
(actions/privacy_requests.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import account_state as state
from actions import preferences, privacy_requests, runtime
from bot.store.models import Contact

Change = dict[str, Any]
Apply = Callable[[CollectingDispatcher, Tracker, Change], Awaitable[None]]

# What each kind of change does on Yes; every kind but the opt-out by address needs the
# verified customer it was asked for. The asking is account_state.ask.
APPLY: dict[str, Apply] = {
    "access": privacy_requests.apply,
    "correction": privacy_requests.apply,
    "deletion": privacy_requests.apply,
    "california": privacy_requests.apply,
    "opt_out": preferences.apply_opt_out,
    "opt_out_by_address": preferences.apply_opt_out,
    "opt_in": preferences.apply_opt_in,
    "set_language": preferences.apply_language,
}
UNVERIFIED_KINDS = {"opt_out_by_address"}


def pending(tracker: Tracker) -> Change | None:
    """The change asked about in the assistant's last turn, if the customer has said nothing
    else since: the slot set after the customer's previous message."""
    value = tracker.get_slot(state.PENDING_CHANGE)
    if not isinstance(value, dict) or value.get("kind") not in APPLY:
        return None
    events = list(tracker.events)
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    since = users[-2] + 1 if len(users) >= 2 else 0
    asked = any(
        event.get("event") == "slot"
        and event.get("name") == state.PENDING_CHANGE
        and event.get("value")
        for event in events[since:]
    )
    return value if asked else None


class ActionApplyChange(Action):  # type: ignore[misc]
    """The customer's Yes or No to the change the assistant named."""

    def name(self) -> str:
        return "action_apply_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done: list[EventType] = [SlotSet(state.PENDING_CHANGE, None)]
        change = pending(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if change is None:
            dispatcher.utter_message(response="utter_change_nothing_pending")
        elif intent != "affirm":
            dispatcher.utter_message(response="utter_change_declined")
        elif state.minor_declared(tracker):
            dispatcher.utter_message(response="utter_minor_no_personal_data")
        elif change["kind"] not in UNVERIFIED_KINDS and not await self._still_verified(
            tracker, change
        ):
            dispatcher.utter_message(response="utter_account_not_verified")
        else:
            await APPLY[change["kind"]](dispatcher, tracker, change)
        return done

    @staticmethod
    async def _still_verified(tracker: Tracker, change: Change) -> bool:
        contact_id = state.verified_contact_id(tracker)
        if contact_id is None or change.get("contact_id") != contact_id:
            return False
        async with runtime.sessions()() as session:
            return await session.get(Contact, contact_id) is not None
