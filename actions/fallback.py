"""The NLU fallback: ask the customer to rephrase, then offer the concierge.

The decision is read from the tracker (were the customer's last two messages both below
the NLU confidence threshold?) so no other action has to keep a counter up to date.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

NLU_FALLBACK_INTENT = "nlu_fallback"
CONCIERGE_OFFERED_SLOT = "concierge_offered"

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
class ActionRephraseOrOfferConcierge(Action):  # type: ignore[misc]
    """First misunderstood message: ask to rephrase. Second in a row: offer the concierge.

    The offer only asks; its "Yes" button sends /request_human, which hands off.
    """

    def name(self) -> str:
        return "action_rephrase_or_offer_concierge"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        offer = previous_user_intent(tracker) == NLU_FALLBACK_INTENT
        dispatcher.utter_message(
            response="utter_offer_concierge" if offer else "utter_ask_rephrase"
        )
        return [SlotSet(CONCIERGE_OFFERED_SLOT, offer)]
