"""ActionHandOff: tells the customer what happens next and signals the gateway, with the
reason the inbox shows."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandOff


def tracker(intent: str, text: str) -> Tracker:
    parse_data = {"intent": {"name": intent, "confidence": 0.98}, "entities": []}
    return Tracker.from_dict(
        {
            "sender_id": "customer-1",
            "slots": {},
            "latest_message": {**parse_data, "text": text},
            "events": [
                {"event": "action", "name": "action_session_start"},
                {"event": "session_started"},
                {"event": "action", "name": "action_listen"},
                {"event": "user", "text": text, "parse_data": parse_data},
            ],
            "latest_action_name": "action_listen",
        }
    )


def test_name_matches_the_domain() -> None:
    assert ActionHandOff().name() == "action_hand_off"


@pytest.mark.parametrize(
    ("intent", "text", "response", "reason"),
    [
        ("request_human", "can i talk to a person please", "utter_handoff_requested",
         "customer_request"),
        ("complain", "my ring broke after a week, I'm furious", "utter_handoff_complaint",
         "complaint"),
        ("needs_person", "my watch was stolen", "utter_handoff_needs_person", "needs_person"),
        # A button press or anything unexpected still hands off, as a customer request.
        ("affirm", "yes", "utter_handoff_requested", "customer_request"),
    ],
)  # fmt: skip
async def test_tells_the_customer_then_signals_the_gateway(
    intent: str, text: str, response: str, reason: str
) -> None:
    dispatcher = CollectingDispatcher()

    returned = await ActionHandOff().run(dispatcher, tracker(intent, text), {})

    assert returned == []
    told, signal = dispatcher.messages
    assert told["response"] == response
    # The gateway's contract: `custom.handoff` in Rasa's output, in exactly this shape.
    assert signal["custom"] == {"handoff": {"reason": reason}}
    assert signal["response"] is None and signal["text"] is None
