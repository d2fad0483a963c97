"""Rasa's session start, plus the concierge's contact details from the settings.

Responses say {concierge_email} and {concierge_phone} instead of typing them out, so the
house changes them in one place (CONCIERGE_EMAIL, CONCIERGE_PHONE; bot/settings.py), and the
action server, which already reads the settings, sets both slots when a session starts. Their
mappings are custom only: no message can set them. Everything else is Rasa's own
action_session_start: the session_started event, the slots carried over when the domain says
so, and listening for the customer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime

CONCIERGE_EMAIL = "concierge_email"
CONCIERGE_PHONE = "concierge_phone"


def concierge_contacts() -> list[EventType]:
    settings = runtime.settings()
    return [
        SlotSet(CONCIERGE_EMAIL, settings.concierge_email),
        SlotSet(CONCIERGE_PHONE, settings.concierge_phone),
    ]


def carried_over(tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
    if not (domain.get("session_config") or {}).get("carry_over_slots_to_new_session"):
        return []
    return [SlotSet(name, value) for name, value in tracker.slots.items() if value is not None]


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionSessionStart(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [
            SessionStarted(),
            *carried_over(tracker, domain),
            *concierge_contacts(),
            ActionExecuted("action_listen"),
        ]
