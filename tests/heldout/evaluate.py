"""Measure what the trained model does with the held-out messages (tests/heldout/messages.yml).

Run with Rasa's Python from the project folder, after `python -m bot train`:

    PYTHONPATH=. .venv/rasa/bin/python tests/heldout/evaluate.py [model.tar.gz]

For each gate setting it prints the intent accuracy (DIET's top intent), the wrong-answer
rate (an answer given that is not an accepted one), the clarification rate (the NLU
fallback: a clarifying question) and the correct-answer rate. The gate is replayed from the
parse (rasa_addons/retrieval_gate.py keeps the rankings), so one parse serves every setting.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from rasa_addons.retrieval_gate import answer_ranking, clearly_ahead

HERE = Path(__file__).parent
CONCIERGE = {"request_human", "complain", "needs_person"}
FALLBACK = {"nlu_fallback", "unclear"}
# Rasa's FallbackClassifier, as in config.yml.
FALLBACK_THRESHOLD, AMBIGUITY_THRESHOLD = 0.45, 0.05
KEYS = ("intent_threshold", "intent_margin", "answer_threshold", "answer_margin")
# Gate settings tried: intent threshold/margin, answer threshold/margin.
SETTINGS: dict[str, dict[str, float]] = {
    label: dict(zip(KEYS, values, strict=True))
    for label, values in {
        "no gate (before)": (0, 0, 0, 0),
        "i.50 a.30": (0.5, 0, 0.3, 0),
        "i.70/.20 a.40/.10": (0.7, 0.2, 0.4, 0.1),
        "i.80/.30 a.50/.20": (0.8, 0.3, 0.5, 0.2),
        "i.90/.50 a.60/.30": (0.9, 0.5, 0.6, 0.3),
        "i.95/.70 a.80/.50": (0.95, 0.7, 0.8, 0.5),
    }.items()
}


def accepted(item: dict[str, Any]) -> set[str]:
    accept = set(item["accept"])
    if "concierge" in accept:
        accept |= CONCIERGE
    return accept


def raw_ranking(parse: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in parse.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"]


def route(parse: dict[str, Any], gate: dict[str, float]) -> str:
    """What the assistant does: an intent, privacy/<key>, or "clarify"."""
    ranking = raw_ranking(parse)
    if not ranking:
        return "clarify"
    first = ranking[0]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if (
        first["confidence"] < FALLBACK_THRESHOLD
        or first["confidence"] - second < AMBIGUITY_THRESHOLD
    ):
        return "clarify"
    if first["name"] in FALLBACK:
        return "clarify"
    if first["name"] == "privacy":
        answers = answer_ranking(parse, "privacy")
        if not clearly_ahead(ranking, answers, gate) or not answers:
            return "clarify"
        return str(answers[0]["intent_response_key"])
    return str(first["name"])


def intent_of(label: str) -> str:
    return "privacy" if label.startswith("privacy/") else label


async def parse_all(model: str, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in texts]


def main() -> None:
    items = YAML(typ="safe").load((HERE / "messages.yml").read_text(encoding="utf-8"))["messages"]
    model = sys.argv[1] if len(sys.argv) > 1 else str(sorted(Path("models").glob("*.tar.gz"))[-1])
    parses = asyncio.run(parse_all(model, [item["text"] for item in items]))
    n = len(items)
    intent_ok = sum(
        1
        for item, parse in zip(items, parses, strict=True)
        if raw_ranking(parse)
        and raw_ranking(parse)[0]["name"] in {intent_of(a) for a in accepted(item)}
    )
    print(f"model {model}; {n} held-out messages; intent accuracy {intent_ok / n:.1%}")
    print(f"{'gate':22} {'wrong':>7} {'clarify':>8} {'correct':>8}")
    for label, gate in SETTINGS.items():
        routes = [route(parse, gate) for parse in parses]
        wrong = [
            (item["text"], r)
            for item, r in zip(items, routes, strict=True)
            if r != "clarify" and r not in accepted(item)
        ]
        clarify = sum(1 for r in routes if r == "clarify")
        correct = n - len(wrong) - clarify
        print(f"{label:22} {len(wrong) / n:7.1%} {clarify / n:8.1%} {correct / n:8.1%}")
        if "-v" in sys.argv:
            for text, r in wrong:
                print(f"    WRONG {r:40} <- {text}")
    if "-v" in sys.argv:
        for item, parse in zip(items, parses, strict=True):
            ranking = raw_ranking(parse)[:2]
            answers = answer_ranking(parse, "privacy")[:2]
            print(
                f"  {item['text'][:60]:60} | "
                + ", ".join(f"{i['name']} {i['confidence']:.2f}" for i in ranking)
                + " | "
                + ", ".join(f"{a['intent_response_key']} {a['confidence']:.2f}" for a in answers)
            )


if __name__ == "__main__":
    main()
