"""ActionRephraseOrOfferConcierge: rephrase first, offer the concierge when it happens again."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionRephraseOrOfferConcierge, previous_user_intent

# Events as the Rasa server sends them to the action server (EventVerbosity.ALL): every
# event of the conversation, earlier sessions included.


def user(intent: str, text: str = "...") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


SESSION_START = [action("action_session_start"), {"event": "session_started"}]
LISTEN = action("action_listen")
FALLBACK_ACTION = action("action_rephrase_or_offer_concierge")


def slot(value: bool) -> dict[str, Any]:
    return {"event": "slot", "name": "concierge_offered", "value": value}


def tracker(events: list[dict[str, Any]], slots: dict[str, Any] | None = None) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker.from_dict(
        {
            "sender_id": "customer-1",
            "slots": slots or {"concierge_offered": False},
            "latest_message": {**latest["parse_data"], "text": latest["text"]},
            "events": events,
            "latest_action_name": "action_listen",
        }
    )


async def run(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    dispatcher = CollectingDispatcher()
    returned = await ActionRephraseOrOfferConcierge().run(dispatcher, tracker(events), {})
    return returned, [message["response"] for message in dispatcher.messages]


def test_name_matches_the_domain() -> None:
    assert ActionRephraseOrOfferConcierge().name() == "action_rephrase_or_offer_concierge"


async def test_first_misunderstood_message_asks_to_rephrase() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("greet", "hi"),
        action("utter_greet"),
        LISTEN,
        user("nlu_fallback", "blorp the fizzbin"),
    ]

    returned, responses = await run(events)

    assert responses == ["utter_ask_rephrase"]
    assert returned == [SlotSet("concierge_offered", False)]


async def test_second_misunderstood_message_in_a_row_offers_the_concierge() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback", "blorp the fizzbin"),
        FALLBACK_ACTION,
        slot(False),
        LISTEN,
        user("nlu_fallback", "zzkrt wubba"),
    ]

    returned, responses = await run(events)

    assert responses == ["utter_offer_concierge"]
    assert returned == [SlotSet("concierge_offered", True)]


async def test_third_misunderstood_message_in_a_row_offers_the_concierge_again() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        slot(False),
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        slot(True),
        LISTEN,
        user("nlu_fallback"),
    ]

    returned, responses = await run(events)

    assert responses == ["utter_offer_concierge"]
    assert returned == [SlotSet("concierge_offered", True)]


async def test_an_understood_message_in_between_starts_over() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        slot(False),
        LISTEN,
        user("help", "what can you do"),
        action("utter_help_overview"),
        LISTEN,
        user("nlu_fallback"),
    ]

    returned, responses = await run(events)

    assert responses == ["utter_ask_rephrase"]
    assert returned == [SlotSet("concierge_offered", False)]


async def test_a_misunderstanding_in_an_earlier_session_does_not_count() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        slot(False),
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
    ]

    returned, responses = await run(events)

    assert responses == ["utter_ask_rephrase"]
    assert returned == [SlotSet("concierge_offered", False)]


async def test_a_message_forgotten_by_the_core_fallback_is_skipped() -> None:
    # Rasa's action_default_fallback reverts ("rewind") the message it could not handle,
    # so the misunderstanding before it is the one that counts.
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        slot(False),
        LISTEN,
        user("affirm", "ok"),
        action("action_default_fallback"),
        {"event": "rewind"},
        LISTEN,
        user("nlu_fallback"),
    ]

    returned, responses = await run(events)

    assert responses == ["utter_offer_concierge"]
    assert returned == [SlotSet("concierge_offered", True)]


def test_previous_user_intent_is_none_at_the_start_of_a_conversation() -> None:
    events = [*SESSION_START, LISTEN, user("nlu_fallback")]

    assert previous_user_intent(tracker(events)) is None
