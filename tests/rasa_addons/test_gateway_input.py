"""The gateway channel tells the gateway, at a handoff, what Rasa understood in the session.

rasa_addons runs inside Rasa's environment, so the check runs there, in a subprocess.
"""

from __future__ import annotations

from tests.rasa_addons.rasa_env import run_in_rasa

CHECK = """
import json
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa_addons.gateway_input import handed_off, session_intents

def said(intent):
    return UserUttered("...", intent={"name": intent, "confidence": 0.9})

events = [
    SessionStarted(), said("greet"), ActionExecuted("utter_greet"),
    SessionStarted(), said("greet"), said("check_order_status"), said("inform"),
    said("request_human"),
]
print(json.dumps({
    "intents": session_intents(events),
    "handoff": handed_off([{"text": "hi"}, {"custom": {"handoff": {"reason": "x"}}}]),
    "no_handoff": handed_off([{"text": "hi"}, {"custom": {"minor_declared": True}}]),
}))
"""


def test_the_intents_of_the_current_session_and_only_on_a_handoff() -> None:
    result = run_in_rasa(CHECK, timeout=120)
    assert result["intents"] == ["greet", "check_order_status", "inform", "request_human"]
    assert result["handoff"] is True
    assert result["no_handoff"] is False
