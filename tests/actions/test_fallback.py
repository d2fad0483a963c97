"""ActionRephraseOrHandOff: rephrase first, hand off to the concierge when it happens again."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionRephraseOrHandOff, previous_user_intent

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
FALLBACK_ACTION = action("action_rephrase_or_hand_off")


def tracker(events: list[dict[str, Any]], slots: dict[str, Any] | None = None) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker.from_dict(
        {
            "sender_id": "customer-1",
            "slots": slots or {},
            "latest_message": {**latest["parse_data"], "text": latest["text"]},
            "events": events,
            "latest_action_name": "action_listen",
        }
    )


async def run(events: list[dict[str, Any]]) -> tuple[list[str], list[Any]]:
    """The responses the action sent and the custom payloads (handoff signals) it emitted."""
    dispatcher = CollectingDispatcher()
    returned = await ActionRephraseOrHandOff().run(dispatcher, tracker(events), {})
    assert returned == []
    responses = [m["response"] for m in dispatcher.messages if m["response"]]
    signals = [m["custom"] for m in dispatcher.messages if m["custom"]]
    return responses, signals


ASKED_TO_REPHRASE: tuple[list[str], list[Any]] = (["utter_ask_rephrase"], [])
HANDED_OFF: tuple[list[str], list[Any]] = (
    ["utter_handoff_not_understood"],
    [{"handoff": {"reason": "not_understood"}}],
)


def test_name_matches_the_domain() -> None:
    assert ActionRephraseOrHandOff().name() == "action_rephrase_or_hand_off"


async def test_first_misunderstood_message_asks_to_rephrase() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("greet", "hi"),
        action("utter_greet"),
        LISTEN,
        user("nlu_fallback", "blorp the fizzbin"),
    ]

    assert await run(events) == ASKED_TO_REPHRASE


async def test_second_misunderstood_message_in_a_row_hands_off() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback", "blorp the fizzbin"),
        FALLBACK_ACTION,
        LISTEN,
        user("nlu_fallback", "zzkrt wubba"),
    ]

    assert await run(events) == HANDED_OFF


async def test_keyboard_mash_counts_as_misunderstood() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("unclear", "asdfgh"),
        FALLBACK_ACTION,
        LISTEN,
        user("nlu_fallback", "the thing with the stuff"),
    ]

    assert await run(events) == HANDED_OFF


async def test_an_understood_message_in_between_starts_over() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        LISTEN,
        user("help", "what can you do"),
        action("utter_help_overview"),
        LISTEN,
        user("nlu_fallback"),
    ]

    assert await run(events) == ASKED_TO_REPHRASE


async def test_a_misunderstanding_in_an_earlier_session_does_not_count() -> None:
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
    ]

    assert await run(events) == ASKED_TO_REPHRASE


async def test_a_message_forgotten_by_the_core_fallback_is_skipped() -> None:
    # Rasa's action_default_fallback reverts ("rewind") the message it could not handle,
    # so the misunderstanding before it is the one that counts.
    events = [
        *SESSION_START,
        LISTEN,
        user("nlu_fallback"),
        FALLBACK_ACTION,
        LISTEN,
        user("affirm", "ok"),
        action("action_default_fallback"),
        {"event": "rewind"},
        LISTEN,
        user("nlu_fallback"),
    ]

    assert await run(events) == HANDED_OFF


def test_previous_user_intent_is_none_at_the_start_of_a_conversation() -> None:
    events = [*SESSION_START, LISTEN, user("nlu_fallback")]

    assert previous_user_intent(tracker(events)) is None
