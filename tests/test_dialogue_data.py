"""Every form handles the same interruptions the same way (data/rules/forms.yml).

Reads only the Rasa project's files. Rasa itself checks what these files mean, and the
conversations in tests/conversations show it (tests/test_rasa_project.py); this checks that
they stay one set: the same intents interrupt every form, the same two rules per form, and no
form with rules of its own for a question.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent

# Answered by their one-turn rule, after which the form asks its question again.
QUESTIONS = {
    "privacy",
    "help",
    "bot_challenge",
    "greet",
    "out_of_scope",
    "ask_product",
    "ask_care",
    "find_boutique",
}
STOP = {"cancel", "deny"}
PERSON = {"request_human", "complain", "needs_person"}
CHILD = {"declare_under_13"}
INTERRUPTIONS = QUESTIONS | STOP | PERSON | CHILD

# The one free-text answer in prose (domain/account.yml says why): only what ends a form, and
# a privacy question, interrupt it.
PROSE_ANSWERS = {"correction_details": {"privacy", "cancel"} | PERSON | CHILD}


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@cache
def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"forms": {}, "slots": {}}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = _load(path)
        for key in merged:
            merged[key].update(part.get(key) or {})
    return merged


@cache
def rules() -> list[dict[str, Any]]:
    found = []
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in _load(path).get("rules") or []:
            found.append({**rule, "file": path.name})
    return found


def _condition_loop(rule: dict[str, Any]) -> str | None:
    for condition in rule.get("condition") or []:
        if "active_loop" in condition:
            return str(condition["active_loop"])
    return None


def _intents(step: dict[str, Any]) -> set[str]:
    if "or" in step:
        return {alternative["intent"] for alternative in step["or"]}
    return {step["intent"]} if "intent" in step else set()


FORMS = sorted(domain()["forms"])


def test_the_four_forms() -> None:
    assert FORMS == [
        "opt_out_form",
        "order_status_form",
        "repair_status_form",
        "verify_identity_form",
    ]


def _free_text_mappings() -> list[tuple[str, dict[str, Any]]]:
    return [
        (slot, mapping)
        for slot, definition in domain()["slots"].items()
        for mapping in definition.get("mappings") or []
        if mapping.get("type") == "from_text"
        and any(c.get("active_loop") in FORMS for c in mapping.get("conditions") or [])
    ]


def test_every_free_text_answer_lets_the_same_interruptions_through() -> None:
    mappings = _free_text_mappings()
    assert {slot for slot, _ in mappings} >= {"order_number", "account_email", "verification_code"}
    for slot, mapping in mappings:
        expected = PROSE_ANSWERS.get(slot, INTERRUPTIONS)
        assert set(mapping.get("not_intent") or []) == expected, slot


def test_every_question_has_a_one_turn_rule_that_holds_in_any_form() -> None:
    for intent in QUESTIONS:
        general = [
            rule
            for rule in rules()
            if not rule.get("condition") and intent in _intents(rule["steps"][0])
        ]
        assert len(general) == 1, f"{intent}: {len(general)} rules without a condition"
        # One answer, and nothing that would stop or leave the form.
        assert [step for step in general[0]["steps"][1:] if "action" not in step] == []


def _per_form(rule: dict[str, Any], form: str) -> dict[str, Any]:
    """The rule with its form's name replaced, to compare the rules of different forms."""
    text = repr({"condition": rule.get("condition"), "steps": rule["steps"]})
    return {"name": rule["rule"].replace(form, "<form>"), "body": text.replace(form, "<form>")}


def test_only_the_forms_file_has_rules_inside_a_form_and_they_are_the_same_for_each() -> None:
    inside = [rule for rule in rules() if _condition_loop(rule)]
    assert {rule["file"] for rule in inside} == {"forms.yml"}
    by_form = {
        form: sorted(
            (_per_form(rule, form) for rule in inside if _condition_loop(rule) == form),
            key=lambda r: r["name"],
        )
        for form in FORMS
    }
    first = by_form[FORMS[0]]
    assert len(first) == 2
    for form in FORMS:
        assert by_form[form] == first, form


@pytest.mark.parametrize("form", FORMS)
def test_stop_and_person_rules(form: str) -> None:
    inside = [rule for rule in rules() if _condition_loop(rule) == form]
    by_intents = {frozenset(_intents(rule["steps"][0])): rule["steps"][1:] for rule in inside}
    assert by_intents[frozenset(STOP)] == [
        {"action": "action_cancel_form"},
        {"active_loop": None},
    ]
    assert by_intents[frozenset(PERSON)] == [
        {"action": "action_deactivate_loop"},
        {"active_loop": None},
        {"action": "action_hand_off"},
    ]


def test_a_child_is_handled_the_same_with_or_without_a_form() -> None:
    (rule,) = [r for r in rules() if CHILD & _intents(r["steps"][0])]
    assert not rule.get("condition")
    assert rule["steps"][1:] == [{"action": "action_declare_minor"}, {"active_loop": None}]


@cache
def conversation_tests() -> list[list[dict[str, Any]]]:
    stories = []
    for path in sorted((ROOT / "tests" / "conversations").glob("*.yml")):
        stories += [story["steps"] for story in _load(path)["stories"]]
    return stories


def _interrupted(form: str) -> set[str]:
    """Intents of the messages that interrupt `form` in the conversation tests."""
    seen = set()
    for steps in conversation_tests():
        active = None
        for step, following in zip(steps, [*steps[1:], {}], strict=True):
            if "active_loop" in step:
                active = step["active_loop"]
            elif "intent" in step and active == form and following.get("action") != form:
                seen.add(str(step["intent"]).split("/")[0])
    return seen


@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_interrupted_in_the_conversation_tests(form: str) -> None:
    seen = _interrupted(form)
    assert seen & QUESTIONS, f"{form}: no question in the middle"
    assert seen & STOP, f"{form}: never stopped"
    assert seen & PERSON, f"{form}: never handed off"
    assert seen & CHILD, f"{form}: no child"
