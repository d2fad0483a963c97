"""Stopping a form: "cancel" or "no" while any of the four forms asks its question.

One action for every form (data/rules/forms.yml). It forgets what the form in progress
collected, so nothing said for one task (an address, an order number, "all of them") silently
fills the next one; it never forgets who the customer proved to be in this session.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import account_state
from actions.orders import ORDER
from actions.repairs import REPAIR

IN_PROGRESS_SLOTS = (
    *account_state.TASK_SLOTS,
    account_state.PENDING_CHANGE,
    *(slot for kind in (ORDER, REPAIR) for slot in (kind.number_slot, kind.answer_slot)),
)


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionCancelForm(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *(SlotSet(slot, None) for slot in IN_PROGRESS_SLOTS),
        ]
