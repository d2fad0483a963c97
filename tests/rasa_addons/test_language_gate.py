"""Messages not in English are told apart offline, by script and common words.

Run in Rasa's environment (the component imports Rasa).
"""

from __future__ import annotations

import json

from tests.rasa_addons.rasa_env import run_in_rasa

SCRIPT = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa_addons.language_gate import OtherLanguageClassifier, looks_foreign

texts = json.loads(sys.argv[1])
gate = OtherLanguageClassifier()
message = Message(data={"text": texts[0], "intent": {"name": "privacy", "confidence": 0.7},
                        "intent_ranking": [{"name": "privacy", "confidence": 0.7}]})
gate.process([message])
print(json.dumps([[looks_foreign(t) for t in texts], message.get("intent")["name"]]))
"""

FOREIGN = [
    "Bonjour, je voudrais savoir où en est ma commande",
    "Hola, ¿tienen este reloj en oro rosa?",
    "Buongiorno, vorrei parlare con qualcuno",
    "Guten Tag, wo ist meine Bestellung?",
    "你好，我想查询我的订单",
    "こんにちは、注文について質問があります",
]
ENGLISH = [
    "is there a boutique in Las Vegas",
    "do you have the Possession ring in rose gold",
    "what's the price tag on the Altiplano",
    "where is my order PG-100234",
    "el paso store hours?",
    '/inform{"privacy_key":"cookies_what"}',
    "ok",
]


def test_other_languages_are_recognised_and_english_is_not() -> None:
    flags, intent = run_in_rasa(SCRIPT, json.dumps(FOREIGN + ENGLISH))

    assert flags == [True] * len(FOREIGN) + [False] * len(ENGLISH)
    assert intent == "other_language"  # the classifier's guess is replaced
