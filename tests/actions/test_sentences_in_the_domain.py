"""Fixed sentences live in domain/ responses; the actions pass only facts.

An action's message is either a response of domain/ (filled with facts from the services) or a
text a service rendered, such as an order's description. A sentence written in an action
(a literal, an f-string, text glued to a fact) would escape the domain, where every reply
can be read, reviewed against the policy and checked by the tests.
"""

from __future__ import annotations

import ast

import pytest

from bot.settings import PROJECT_ROOT
from tests.actions.support import response_texts

ACTIONS = sorted((PROJECT_ROOT / "actions").glob("*.py"))


def _utterances(path: str) -> list[ast.Call]:
    tree = ast.parse((PROJECT_ROOT / "actions" / path).read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "utter_message"
    ]


def _has_words(node: ast.expr) -> bool:
    """Whether text is written here: a string constant anywhere in the expression."""
    return any(
        isinstance(child, ast.Constant) and isinstance(child.value, str) and child.value.strip()
        for child in ast.walk(node)
    )


@pytest.mark.parametrize("path", [p.name for p in ACTIONS])
def test_actions_write_no_sentence_of_their_own(path: str) -> None:
    for call in _utterances(path):
        for keyword in call.keywords:
            if keyword.arg == "text":
                assert not _has_words(keyword.value), f"{path}:{call.lineno}: a sentence in code"


@pytest.mark.parametrize("path", [p.name for p in ACTIONS])
def test_every_response_an_action_names_is_in_the_domain(path: str) -> None:
    names = [
        keyword.value.value
        for call in _utterances(path)
        for keyword in call.keywords
        if keyword.arg == "response" and isinstance(keyword.value, ast.Constant)
    ]
    missing = [name for name in names if name not in response_texts()]
    assert not missing, f"{path}: {missing}"
