"""ActionHandOff: tells the customer what happens next and signals the gateway, with the
reason the inbox shows."""

from dataclasses import replace
from datetime import datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandOff, hand_off
from bot.settings import Settings
from tests.actions.support import Configure, Trackers, run

WEEKDAYS_IN_NEW_YORK = "mon-fri 09:00-19:00"


@pytest.fixture(autouse=True)
def concierge(settings: Settings, configure_runtime: Configure) -> None:
    """The action reads its settings from the runtime, as in the action server (the test
    settings are always staffed: tests/conftest.py)."""
    configure_runtime(settings)


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
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    intent: str,
    text: str,
    response: str,
    reason: str,
) -> None:
    messages, returned = await run(ActionHandOff(), dispatcher, tracker(text, intent=intent))

    assert returned == []
    told, signal = messages
    assert told["response"] == response
    # The gateway's contract: `custom.handoff` in Rasa's output, in exactly this shape.
    assert signal["custom"] == {"handoff": {"reason": reason}}
    assert signal["response"] is None and signal["text"] is None


def test_outside_concierge_hours_it_says_when_a_person_answers_and_how_to_reach_one(
    settings: Settings, configure_runtime: Configure, dispatcher: CollectingDispatcher
) -> None:
    configure_runtime(
        replace(
            settings,
            concierge_hours=WEEKDAYS_IN_NEW_YORK,
            concierge_timezone="America/New_York",
            concierge_phone="+1 212 555 0100",
            concierge_email="concierge@example.com",
        )
    )
    friday_night = datetime(2026, 6, 6, 3, 0, tzinfo=timezone.utc)  # Friday 11 pm in New York

    hand_off(dispatcher, "utter_handoff_requested", "customer_request", now=friday_night)

    told, hours, signal = dispatcher.messages
    assert told["response"] == "utter_handoff_requested"
    assert hours["text"] == (
        "Our concierge is away just now. A member of the team will answer you right here "
        "on Monday, June 8 at 9:00 am EDT (New York time). "
        "If you would rather not wait, call +1 212 555 0100 or write to concierge@example.com."
    )
    assert signal["custom"] == {"handoff": {"reason": "customer_request"}}


def test_inside_concierge_hours_no_second_message_is_added(
    settings: Settings, configure_runtime: Configure, dispatcher: CollectingDispatcher
) -> None:
    configure_runtime(replace(settings, concierge_hours=WEEKDAYS_IN_NEW_YORK))
    monday_noon = datetime(2026, 6, 8, 16, 0, tzinfo=timezone.utc)

    hand_off(dispatcher, "utter_handoff_complaint", "complaint", now=monday_noon)

    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_complaint", None]
