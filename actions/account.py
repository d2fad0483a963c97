"""Carrying out the account task once verify_identity_form ends.

The form ends in three ways: verified (and the task's detail collected), stopped by the
validation action (mail down, too many attempts: it has told the customer), or skipped
because the customer said they are under 13. This action tells them apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import account_state as state
from actions import preferences, privacy_requests, runtime
from bot.store.models import Contact

# A task returns its events: a task that would change something only names the change and
# asks Yes / No (the pending_change slot; actions/consent.py carries it out on Yes).
Task = Callable[[CollectingDispatcher, Tracker, int], Awaitable[list[EventType]]]

TASKS: dict[str, Task] = {
    "opt_in": preferences.ask_opt_in,
    "show_preferences": preferences.show,
    "set_language": preferences.ask_language,
    "access": privacy_requests.ask_access,
    "correction": privacy_requests.ask_correction,
    "deletion": privacy_requests.ask_deletion,
    "california": privacy_requests.ask_california,
    "status": privacy_requests.status,
}


class ActionRunAccountTask(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_run_account_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        task = TASKS.get(str(tracker.get_slot(state.ACCOUNT_TASK)))
        events: list[EventType] = []
        if state.minor_declared(tracker):
            dispatcher.utter_message(response="utter_minor_no_personal_data")
        elif (
            tracker.get_slot(state.ACCOUNT_TASK) == "california"
            and tracker.get_slot(state.CALIFORNIA_ELIGIBLE) is False
        ):
            dispatcher.utter_message(response="utter_california_not_eligible")
        elif task is None:
            dispatcher.utter_message(response="utter_how_can_help")
        elif (contact_id := await self._verified(tracker)) is None:
            if not tracker.get_slot(state.VERIFICATION_STOPPED):
                dispatcher.utter_message(response="utter_account_not_verified")
        else:
            events = await task(dispatcher, tracker, contact_id)
        return [*state.clear_task(), *events]

    @staticmethod
    async def _verified(tracker: Tracker) -> int | None:
        contact_id = state.verified_contact_id(tracker)
        if contact_id is None:
            return None
        async with runtime.sessions()() as session:
            return contact_id if await session.get(Contact, contact_id) is not None else None
