"""A retrieval answer only when the message clearly asks for it: otherwise, the NLU fallback.

DIET's confidence is not a probability of being right: off-topic messages ("help me file a
complaint", "is it still available?") were classified `privacy` at 0.99, and the
ResponseSelector then picked one of forty-one answers at 0.07-0.3 confidence, which
`utter_privacy` said as if it were sure. This component, placed after Rasa's
FallbackClassifier, lets a `privacy` parse stand only when both choices are clearly ahead:

- the intent: confidence >= `intent_threshold` and margin over the runner-up intent
  >= `intent_margin`;
- the answer: confidence >= `answer_threshold` and margin over the runner-up answer
  >= `answer_margin`.

Otherwise it predicts `nlu_fallback` exactly as Rasa's FallbackClassifier does (the intent
is replaced and prepended to the ranking; the ranking and the ResponseSelector's output are
kept), so the fallback action can offer the likeliest answers as a clarifying question
(actions/fallback.py). Thresholds: config.yml, measured on tests/heldout/.

It runs inside the Rasa process (config.yml names it), so it imports only Rasa.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

DEFAULTS: Dict[str, Any] = {
    "retrieval_intent": "privacy",
    "intent_threshold": 0.0,
    "intent_margin": 0.0,
    "answer_threshold": 0.0,
    "answer_margin": 0.0,
}


def _top_two(ranking: Sequence[Mapping[str, Any]]) -> tuple[float, float]:
    confidences = sorted(
        (float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for item in ranking), reverse=True
    )
    first = confidences[0] if confidences else 0.0
    second = confidences[1] if len(confidences) > 1 else 0.0
    return first, second


def clearly_ahead(
    intent_ranking: Sequence[Mapping[str, Any]],
    answer_ranking: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
) -> bool:
    """Whether the top intent and the top answer are both confident and clear of the next.

    `intent_ranking` excludes `nlu_fallback`; `answer_ranking` is the ResponseSelector's.
    """
    ranking = [
        i for i in intent_ranking if i.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME
    ]
    intent_first, intent_second = _top_two(ranking)
    answer_first, answer_second = _top_two(answer_ranking)
    return (
        intent_first >= config["intent_threshold"]
        and intent_first - intent_second >= config["intent_margin"]
        and answer_first >= config["answer_threshold"]
        and answer_first - answer_second >= config["answer_margin"]
    )


def answer_ranking(parse: Mapping[str, Any], retrieval_intent: str) -> List[Dict[str, Any]]:
    """The ResponseSelector's ranking for the retrieval intent, or [] if it chose nothing."""
    selector = parse.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
    chosen = selector.get(retrieval_intent) or {}
    return list(chosen.get("ranking") or [])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RetrievalFallbackClassifier(GraphComponent, IntentClassifier):
    """Predicts `nlu_fallback` for a retrieval-intent parse that is not clearly ahead."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return dict(DEFAULTS)

    def __init__(self, config: Dict[str, Any]) -> None:
        self.component_config = {**DEFAULTS, **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RetrievalFallbackClassifier:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        retrieval_intent = self.component_config["retrieval_intent"]
        for message in messages:
            intent: Dict[str, Any] | None = message.get(INTENT)
            if not intent or intent.get(INTENT_NAME_KEY) != retrieval_intent:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            answers = answer_ranking(message.as_dict(), retrieval_intent)
            if clearly_ahead(ranking, answers, self.component_config):
                continue
            confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: confidence,
            }
            message.set(INTENT, dict(fallback), add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(fallback), *ranking], add_to_output=True)
        return messages
