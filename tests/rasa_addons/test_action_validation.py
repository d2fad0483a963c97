"""Rasa's check of action server answers, compiled once, judges exactly as Rasa's own.

rasa_addons runs inside Rasa's environment, so the check runs there, in a subprocess.
"""

from __future__ import annotations

import json

from tests.rasa_addons.rasa_env import run_in_rasa

# Answers an action server might give: good ones, and ones Rasa must refuse.
ANSWERS = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "order_number", "value": "PG-100234"},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "hello", "buttons": [{"title": "a", "payload": "/b"}]}],
    },
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [{"event": "no_such_event", "name": "x"}], "responses": []},
    {"events": [], "responses": ["not an object"]},
]

CHECK = """
import json, sys
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

def verdicts(validate):
    out = []
    for answer in json.loads(sys.argv[1]):
        try:
            out.append(["accepted", validate(RemoteAction("a", None), answer)])
        except ValidationError as error:
            out.append(["refused", error.message])
    return out

stock = verdicts(RemoteAction._validate_action_result)
import rasa_addons.gateway_input  # installs the compiled check, as when Rasa loads our channel
from rasa_addons.action_validation import validate_action_result
assert RemoteAction._validate_action_result is validate_action_result
print(json.dumps({"stock": stock, "ours": verdicts(RemoteAction._validate_action_result)}))
"""


def test_the_compiled_check_accepts_and_refuses_exactly_what_rasa_does() -> None:
    verdicts = run_in_rasa(CHECK, json.dumps(ANSWERS))

    assert verdicts["ours"] == verdicts["stock"]
    assert [kind for kind, _ in verdicts["ours"]] == ["accepted"] * 2 + ["refused"] * 4
    assert all("Failed to validate Action server response" in m for _, m in verdicts["ours"][2:])
