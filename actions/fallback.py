"""The NLU fallback: ask which topic was meant (or to rephrase); the second time, hand off.

A misunderstood message gets one short clarifying question offering the likeliest two or
three topics as buttons, and "Something else" (actions/clarify.py); with no likely topic,
a request to rephrase.

Two misunderstood turns in a row mean the assistant is stuck, so the conversation goes to
the human concierge (the gateway queues it on the handoff payload) and the customer is told
a person will answer here. The decision is read from the tracker (was the previous customer
message misunderstood too?), so no other action has to keep a counter up to date.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import SOMETHING_ELSE, topic_buttons
from actions.handoff import hand_off

# Intents that mean "not understood": the FallbackClassifier's, and text that is not
# language at all (keyboard mash, stray symbols), which DIET learns as `unclear`.
MISUNDERSTOOD_INTENTS = {"nlu_fallback", "unclear"}
HANDOFF_REASON_NOT_UNDERSTOOD = "not_understood"

# Events after which earlier messages no longer belong to the conversation.
_CONVERSATION_BOUNDARIES = {"session_started", "restart"}


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the customer's message before the latest one in this session.

    Messages Rasa has reverted (e.g. by its core fallback) are skipped, as are those of
    earlier sessions: the action server receives every event of the conversation.
    """
    user_events_seen = 0
    for event in reversed(tracker.applied_events()):
        if event.get("event") in _CONVERSATION_BOUNDARIES:
            return None
        if event.get("event") != "user":
            continue
        user_events_seen += 1
        if user_events_seen == 2:
            intent = (event.get("parse_data") or {}).get("intent") or {}
            name = intent.get("name")
            return str(name) if name else None
    return None


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionRephraseOrHandOff(Action):  # type: ignore[misc]
    """First misunderstood message: ask which topic, or to rephrase. Second in a row: hand off."""

    def name(self) -> str:
        return "action_rephrase_or_hand_off"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        if previous_user_intent(tracker) in MISUNDERSTOOD_INTENTS:
            hand_off(dispatcher, "utter_handoff_not_understood", HANDOFF_REASON_NOT_UNDERSTOOD)
            return []
        buttons = topic_buttons(tracker.latest_message or {})
        if buttons:
            dispatcher.utter_message(response="utter_clarify", buttons=[*buttons, SOMETHING_ELSE])
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
