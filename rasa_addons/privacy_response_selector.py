"""A ResponseSelector that chooses a privacy answer only for messages that ask for one.

Rasa's ResponseSelector runs its model on every message, whatever its intent, although its
choice is used only when the message's intent is its retrieval intent (`privacy`): the
rules answer `privacy` with `utter_privacy`, which reads the choice; every other intent
leads elsewhere. Profiled under load (`make bench`, py-spy on the Rasa server), that model
call was a fifth of the Rasa server's CPU per message, on messages that were mostly not
privacy questions. This selector is trained exactly like Rasa's (same class, same data,
same settings) and answers exactly as it does when the intent is `privacy`; for any other
intent it records that no answer was chosen, as Rasa's own `utter_privacy` then expects.

It runs inside the Rasa process (config.yml names it), so it imports only Rasa.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
)
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
    ],
    is_trainable=True,
    model_from="TensorFlow",
)
class RetrievalIntentResponseSelector(ResponseSelector):
    """Rasa's ResponseSelector, run only on messages classified as its retrieval intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        asking = [message for message in messages if self.is_asking(message)]
        for message in messages:
            if not self.is_asking(message):
                # What Rasa's own selector records, minus a choice: utter_privacy, should a
                # story ever run it after another intent, finds no answer and says nothing
                # rather than answer a question that was not asked.
                message.set(
                    RESPONSE_SELECTOR_PROPERTY_NAME,
                    {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self.all_retrieval_intents},
                    add_to_output=True,
                )
        if asking:
            super().process(asking)
        return messages

    def is_asking(self, message: Message) -> bool:
        if not self.retrieval_intent:  # one selector for all retrieval intents: always run
            return True
        intent = message.get(INTENT) or {}
        return bool(intent.get(INTENT_NAME_KEY) == self.retrieval_intent)
