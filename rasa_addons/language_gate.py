"""Messages not written in English get `other_language`, whatever the classifier guessed.

The assistant is trained on English only; DIET maps a French or Chinese sentence onto the
nearest English intent it knows (before issue 12, "Bonjour, je voudrais savoir où en est ma
commande" got a privacy answer about IP addresses). A tiny offline heuristic, no model and
no download: a message is foreign when most of its letters are of a script English does not
use (Chinese, Japanese, Korean, Cyrillic, Arabic...), or when it has at least two common
words of French, Spanish, Italian or German and more of those than common English words.
The rules then say that the assistant answers in English and offer the concierge.

It runs inside the Rasa process (config.yml names it), so it imports only Rasa.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

OTHER_LANGUAGE_INTENT = "other_language"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and greetings, chosen not to be English words too ("a", "me", "die", "son").
FOREIGN_WORDS = _words(
    # French
    "je tu il nous vous ils est suis sont le la les des du une mon ma mes votre vos pour avec"
    " où bonjour merci voudrais souhaite commande montre bague pas ne qui quoi comment"
    # Spanish
    " hola el los las una por para con tienen tiene este esta está quiero pedido gracias"
    " dónde cuándo reloj anillo buenos buenas qué cómo mi mis"
    # Italian
    " buongiorno ciao vorrei sono il gli della dello con ordine grazie qualcuno parlare"
    " dove quando orologio anello è"
    # German
    " guten tag ich ist meine mein wo bestellung und nicht bitte danke möchte das der"
    " hallo uhr wann wie kann sie"
)
ENGLISH_WORDS = _words(
    "the is are my i you your to of and where what when how can do does it this that for"
    " with have has be please order watch ring want need would like"
)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Letters of scripts English never uses: a majority of them makes a message foreign.
FOREIGN_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "CYRILLIC", "ARABIC", "HEBREW", "THAI")


def _foreign_script_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    foreign = sum(1 for c in letters if unicodedata.name(c, "").startswith(FOREIGN_SCRIPTS))
    return foreign / len(letters)


def looks_foreign(text: str) -> bool:
    """Whether the message is written in a language other than English."""
    if text.startswith("/"):  # a button payload
        return False
    if _foreign_script_share(text) > 0.5:
        return True
    words = [w.lower() for w in WORD.findall(text)]
    foreign = sum(1 for w in words if w in FOREIGN_WORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    return foreign >= 2 and foreign > english


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OtherLanguageClassifier(GraphComponent, IntentClassifier):
    """Predicts `other_language` for a message not written in English."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OtherLanguageClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = str(message.get(TEXT) or "")
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) == OTHER_LANGUAGE_INTENT or not looks_foreign(text):
                continue
            other = {INTENT_NAME_KEY: OTHER_LANGUAGE_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                i
                for i in message.get(INTENT_RANKING_KEY) or []
                if i.get(INTENT_NAME_KEY) != OTHER_LANGUAGE_INTENT
            ]
            message.set(INTENT, dict(other), add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(other), *ranking], add_to_output=True)
        return messages
