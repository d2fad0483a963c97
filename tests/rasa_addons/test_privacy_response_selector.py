"""The trained model chooses a privacy answer for privacy questions, and only for them.

Asked through the real Rasa server's HTTP API (/model/parse) with the trained model.
"""

from __future__ import annotations

import pytest
import requests

from tests.assistant import Assistant

pytestmark = pytest.mark.rasa


def parse(assistant: Assistant, text: str) -> dict[str, object]:
    response = requests.post(
        f"{assistant.rasa_url}/model/parse",
        params={"token": assistant.token},
        json={"text": text},
        timeout=30,
    )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def test_a_privacy_question_gets_an_answer_chosen(assistant: Assistant) -> None:
    result = parse(assistant, "do you sell my personal data?")
    assert result["intent"]["name"] == "privacy"  # type: ignore[index]
    selected = result["response_selector"]["privacy"]["response"]  # type: ignore[index]
    assert selected["intent_response_key"] == "privacy/sharing_do_we_sell"
    assert selected["confidence"] > 0.5


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hello", "greet"),
        ("where is my order PG-100234?", "check_order_status"),
        ("tell me about the Possession collection", "ask_product"),
    ],
)
def test_other_messages_get_no_privacy_answer(assistant: Assistant, text: str, intent: str) -> None:
    result = parse(assistant, text)
    assert result["intent"]["name"] == intent  # type: ignore[index]
    selector = result["response_selector"]
    assert selector == {"all_retrieval_intents": ["privacy"]}
