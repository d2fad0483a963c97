"""The retrieval gate lets a privacy answer through only when intent and answer are clear.

Run in Rasa's environment (the component imports Rasa), on Rasa's own Message.
"""

from __future__ import annotations

import json

from tests.rasa_addons.rasa_env import run_in_rasa

SCRIPT = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa_addons.retrieval_gate import RetrievalFallbackClassifier

config = dict(intent_threshold=0.7, intent_margin=0.2, answer_threshold=0.4, answer_margin=0.1)
gate = RetrievalFallbackClassifier({"retrieval_intent": "privacy", **config})
results = []
for case in json.loads(sys.argv[1]):
    ranking = [{"name": n, "confidence": c} for n, c in case["intents"]]
    answers = [{"intent_response_key": k, "confidence": c} for k, c in case["answers"]]
    message = Message(data={
        "text": "x",
        "intent": ranking[0],
        "intent_ranking": ranking,
        "response_selector": {"privacy": {"response": {}, "ranking": answers}},
    })
    gate.process([message])
    names = [i["name"] for i in message.get("intent_ranking")]
    results.append([message.get("intent")["name"], names])
print(json.dumps(results))
"""

CASES = [
    # a clear privacy question: kept
    {
        "intents": [["privacy", 1.0], ["help", 0.0]],
        "answers": [["privacy/data_uses", 0.79], ["privacy/sharing_do_we_sell", 0.05]],
    },
    # "help me file a complaint against your company": sure of privacy, not of any answer
    {
        "intents": [["privacy", 0.97], ["complain", 0.03]],
        "answers": [["privacy/access_my_data", 0.23], ["privacy/who_we_are", 0.10]],
    },
    # two answers close together
    {
        "intents": [["privacy", 1.0], ["help", 0.0]],
        "answers": [["privacy/a", 0.45], ["privacy/b", 0.40]],
    },
    # the intent not clearly ahead of an order question
    {
        "intents": [["privacy", 0.68], ["check_order_status", 0.31]],
        "answers": [["privacy/a", 0.9], ["privacy/b", 0.01]],
    },
    # another intent: untouched
    {"intents": [["greet", 0.6], ["privacy", 0.3]], "answers": []},
]


def test_only_a_clear_privacy_answer_passes() -> None:
    results = run_in_rasa(SCRIPT, json.dumps(CASES))

    assert [intent for intent, _ in results] == [
        "privacy",
        "nlu_fallback",
        "nlu_fallback",
        "nlu_fallback",
        "greet",
    ]
    # The ranking is kept behind the fallback, for the clarifying question.
    assert results[1][1] == ["nlu_fallback", "privacy", "complain"]
