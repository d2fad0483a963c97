"""The handoff to the human concierge, at the customer's request.

The action tells the customer what happens next and emits a machine-readable marker;
the gateway sees `custom.handoff` in Rasa's output and moves the conversation to the
concierge queue. Who owns the conversation is the gateway's business, not Rasa's.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

HANDOFF_REASON_CUSTOMER_REQUEST = "customer_request"


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionHandOff(Action):  # type: ignore[misc]
    """Announce the handoff to the customer and signal it to the gateway."""

    def name(self) -> str:
        return "action_hand_off"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_requested")
        # The gateway's contract: keep this exact shape.
        dispatcher.utter_message(
            json_message={"handoff": {"reason": HANDOFF_REASON_CUSTOMER_REQUEST}}
        )
        return []
