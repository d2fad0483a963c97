"""Handing the conversation to the human concierge.

The action tells the customer what happens next and emits a machine-readable marker; the
gateway sees `custom.handoff` in Rasa's output and moves the conversation to the concierge
queue. Who holds the conversation is the gateway's business, not Rasa's.

Outside concierge hours (CONCIERGE_HOURS) a second message says when a person will answer
and gives the concierge's phone number and e-mail address: the same words the gateway uses
when it hands off by itself (bot/services/concierge_hours.py).
"""

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from bot.services import concierge_hours
from bot.store.types import utcnow

# Why a person is needed, by the intent that asked for one: shown in the inbox queue.
HANDOFF_BY_INTENT = {
    "request_human": ("utter_handoff_requested", "customer_request"),
    "complain": ("utter_handoff_complaint", "complaint"),
    "needs_person": ("utter_handoff_needs_person", "needs_person"),
}
DEFAULT_HANDOFF = HANDOFF_BY_INTENT["request_human"]


def hand_off(
    dispatcher: CollectingDispatcher, response: str, reason: str, now: datetime | None = None
) -> None:
    """Say what happens next, then signal the gateway (its contract: keep this shape)."""
    dispatcher.utter_message(response=response)
    settings = runtime.settings()
    now = now or utcnow()
    if not concierge_hours.hours(settings).is_open(now):
        dispatcher.utter_message(text=concierge_hours.handoff_message(settings, now))
    dispatcher.utter_message(json_message={"handoff": {"reason": reason}})


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionHandOff(Action):  # type: ignore[misc]
    """Hand off when the customer asks for a person, complains, or raises a topic that
    needs one (a lost or stolen piece, authenticity, a legal matter)."""

    def name(self) -> str:
        return "action_hand_off"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        response, reason = HANDOFF_BY_INTENT.get(intent, DEFAULT_HANDOFF)
        hand_off(dispatcher, response, reason)
        return []
