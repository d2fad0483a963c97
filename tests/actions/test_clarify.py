"""The clarifying question (actions/clarify.py, asked by action_rephrase_or_hand_off) and the
answer a topic button leads to (action_answer_privacy_topic)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from ruamel.yaml import YAML

from actions.clarify import (
    PRIVACY_TOPICS,
    SOMETHING_ELSE,
    ActionAnswerPrivacyTopic,
    privacy_payload,
    topic_buttons,
)
from actions.fallback import ActionRephraseOrHandOff
from bot.settings import PROJECT_ROOT
from tests.actions.support import LISTEN, Trackers, action_event, responses, run, user_event


def ranked(*intents: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": confidence} for name, confidence in intents]


def answers(*keys: tuple[str, float]) -> dict[str, Any]:
    ranking = [{"intent_response_key": f"privacy/{k}", "confidence": c} for k, c in keys]
    return {"privacy": {"response": {}, "ranking": ranking}}


# What the NLU sent for "help me file a complaint against your company" before issue 12:
# `privacy` at 0.97, its best answer at 0.23, turned into nlu_fallback by the retrieval gate.
UNSURE_PRIVACY = {
    "intent_ranking": ranked(("nlu_fallback", 0.97), ("privacy", 0.97), ("complain", 0.03)),
    "response_selector": answers(
        ("access_my_data", 0.23), ("who_we_are", 0.10), ("cookies_why", 0.04)
    ),
}


async def test_an_unsure_privacy_answer_becomes_a_question_with_the_likeliest_answers(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    latest = tracker("help me file a complaint", intent="nlu_fallback", parse=UNSURE_PRIVACY)

    messages, _ = await run(ActionRephraseOrHandOff(), dispatcher, latest)

    assert responses(messages) == ["utter_clarify"]
    assert messages[0]["buttons"] == [
        {"title": "Seeing the data we hold", "payload": '/inform{"privacy_key":"access_my_data"}'},
        {"title": "Who we are", "payload": '/inform{"privacy_key":"who_we_are"}'},
        SOMETHING_ELSE,
    ]


async def test_guesses_mix_privacy_answers_and_other_topics_three_at_most() -> None:
    parse = {
        "intent_ranking": ranked(
            ("nlu_fallback", 0.45),
            ("privacy", 0.40),
            ("check_order_status", 0.31),
            ("opt_out_marketing", 0.2),  # a change: never one tap away on a guess
            ("find_boutique", 0.12),
        ),
        "response_selector": answers(("correct_my_data", 0.14), ("california_how_often", 0.09)),
    }

    assert [b["payload"] for b in topic_buttons(parse)] == [
        privacy_payload("correct_my_data"),
        privacy_payload("california_how_often"),
        "/check_order_status",
    ]


async def test_with_no_likely_topic_the_customer_is_asked_to_rephrase(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    parse = {"intent_ranking": ranked(("nlu_fallback", 0.45), ("affirm", 0.09), ("greet", 0.08))}
    latest = tracker("你好，我想查询我的订单", intent="nlu_fallback", parse=parse)

    messages, _ = await run(ActionRephraseOrHandOff(), dispatcher, latest)

    assert responses(messages) == ["utter_ask_rephrase"]


async def test_a_second_miss_after_the_question_hands_off(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [
        LISTEN,
        user_event("help me file a complaint", "nlu_fallback", parse=UNSURE_PRIVACY),
        action_event("action_rephrase_or_hand_off"),
    ]
    latest = tracker(
        "no none of that", intent="nlu_fallback", earlier=earlier, parse=UNSURE_PRIVACY
    )

    messages, _ = await run(ActionRephraseOrHandOff(), dispatcher, latest)

    assert responses(messages)[0] == "utter_handoff_not_understood"
    assert {"handoff": {"reason": "not_understood"}} in [m["custom"] for m in messages]


async def test_a_topic_button_gets_its_answer(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    latest = tracker(
        '/inform{"privacy_key":"cookies_what"}', entities={"privacy_key": "cookies_what"}
    )

    messages, _ = await run(ActionAnswerPrivacyTopic(), dispatcher, latest)

    assert responses(messages) == ["utter_privacy/cookies_what"]


async def test_a_payload_naming_no_answer_we_have_is_asked_again(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    latest = tracker("/inform", entities={"privacy_key": "utter_greet"})

    messages, _ = await run(ActionAnswerPrivacyTopic(), dispatcher, latest)

    assert responses(messages) == ["utter_ask_rephrase"]


def test_every_privacy_answer_has_a_topic_title_and_no_title_is_stale() -> None:
    domain = YAML(typ="safe").load((PROJECT_ROOT / "domain" / "privacy.yml").read_text())
    keys = {name.removeprefix("utter_privacy/") for name in domain["responses"]}

    assert set(PRIVACY_TOPICS) == keys
