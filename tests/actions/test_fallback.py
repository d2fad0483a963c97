"""ActionRephraseOrHandOff: rephrase first, hand off to the concierge when it happens again."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionRephraseOrHandOff, previous_user_intent
from tests.actions.support import LISTEN, SESSION_START, Trackers, action_event, run, user_event

# The Rasa server sends the action server every event of the conversation (EventVerbosity.ALL),
# earlier sessions included: `earlier` holds them, up to the misunderstood message.
FALLBACK_ACTION = action_event("action_rephrase_or_hand_off")

ASKED_TO_REPHRASE: tuple[list[str], list[Any]] = (["utter_ask_rephrase"], [])
HANDED_OFF: tuple[list[str], list[Any]] = (
    ["utter_handoff_not_understood"],
    [{"handoff": {"reason": "not_understood"}}],
)


async def rephrase_or_hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[list[str], list[Any]]:
    """The responses the action sent and the custom payloads (handoff signals) it emitted."""
    messages, returned = await run(ActionRephraseOrHandOff(), dispatcher, tracker)
    assert returned == []
    responses = [m["response"] for m in messages if m["response"]]
    signals = [m["custom"] for m in messages if m["custom"]]
    return responses, signals


async def test_first_misunderstood_message_asks_to_rephrase(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [LISTEN, user_event("hi", "greet"), action_event("utter_greet")]
    latest = tracker("blorp the fizzbin", intent="nlu_fallback", earlier=earlier)

    assert await rephrase_or_hand_off(dispatcher, latest) == ASKED_TO_REPHRASE


async def test_second_misunderstood_message_in_a_row_hands_off(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [LISTEN, user_event("blorp the fizzbin", "nlu_fallback"), FALLBACK_ACTION]
    latest = tracker("zzkrt wubba", intent="nlu_fallback", earlier=earlier)

    assert await rephrase_or_hand_off(dispatcher, latest) == HANDED_OFF


async def test_keyboard_mash_counts_as_misunderstood(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [LISTEN, user_event("asdfgh", "unclear"), FALLBACK_ACTION]
    latest = tracker("the thing with the stuff", intent="nlu_fallback", earlier=earlier)

    assert await rephrase_or_hand_off(dispatcher, latest) == HANDED_OFF


async def test_an_understood_message_in_between_starts_over(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [
        LISTEN,
        user_event("...", "nlu_fallback"),
        FALLBACK_ACTION,
        LISTEN,
        user_event("what can you do", "help"),
        action_event("utter_help_overview"),
    ]
    latest = tracker("...", intent="nlu_fallback", earlier=earlier)

    assert await rephrase_or_hand_off(dispatcher, latest) == ASKED_TO_REPHRASE


async def test_a_misunderstanding_in_an_earlier_session_does_not_count(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [LISTEN, user_event("...", "nlu_fallback"), FALLBACK_ACTION, *SESSION_START]
    latest = tracker("...", intent="nlu_fallback", earlier=earlier)

    assert await rephrase_or_hand_off(dispatcher, latest) == ASKED_TO_REPHRASE


async def test_a_message_forgotten_by_the_core_fallback_is_skipped(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    # Rasa's action_default_fallback reverts ("rewind") the message it could not handle,
    # so the misunderstanding before it is the one that counts.
    earlier = [
        LISTEN,
        user_event("...", "nlu_fallback"),
        FALLBACK_ACTION,
        LISTEN,
        user_event("ok", "affirm"),
        action_event("action_default_fallback"),
        {"event": "rewind"},
    ]
    latest = tracker("...", intent="nlu_fallback", earlier=earlier)

    assert await rephrase_or_hand_off(dispatcher, latest) == HANDED_OFF


def test_previous_user_intent_is_none_at_the_start_of_a_conversation(tracker: Trackers) -> None:
    assert previous_user_intent(tracker("...", intent="nlu_fallback")) is None
