"""ActionHandOff: tells the customer what happens next and signals the gateway."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandOff

TEXT = "can i talk to a person please"
PARSE_DATA = {"intent": {"name": "request_human", "confidence": 0.98}, "entities": []}

TRACKER = {
    "sender_id": "customer-1",
    "slots": {"concierge_offered": False},
    "latest_message": {**PARSE_DATA, "text": TEXT},
    "events": [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": TEXT, "parse_data": PARSE_DATA},
    ],
    "latest_action_name": "action_listen",
}


def test_name_matches_the_domain() -> None:
    assert ActionHandOff().name() == "action_hand_off"


async def test_tells_the_customer_then_signals_the_gateway() -> None:
    dispatcher = CollectingDispatcher()

    returned = await ActionHandOff().run(dispatcher, Tracker.from_dict(TRACKER), {})

    assert returned == []
    told, signal = dispatcher.messages
    assert told["response"] == "utter_handoff_requested"
    assert told["custom"] == {}
    # The gateway's contract: `custom.handoff` in Rasa's output, in exactly this shape.
    assert signal["custom"] == {"handoff": {"reason": "customer_request"}}
    assert signal["response"] is None and signal["text"] is None
