"""A customer who says they are under 13 (privacy policy, "Children").

The policy: the platform is not directed at anyone we know to be under 13, we do not collect
their personal information, and they should not submit any. So the action explains that,
stops any form in progress, forgets what the conversation collected, sets `minor_declared`
(every account and order action refuses while it is set) and signals the gateway with
{"minor_declared": true}: the gateway then replaces the customer's messages in the store with
a placeholder and answers later messages itself, without passing them to Rasa.

An age of 13 or more in the message ("I'm 35") is not a declaration; a message without a
number ("I'm in 4th grade") is taken at its word.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import account_state as state

MINOR_AGE = 13
# The gateway's contract: keep this exact shape.
MINOR_SIGNAL = {"minor_declared": True}

# fmt: off
NUMBER_WORDS = {
    word: number
    for number, word in enumerate([
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen", "twenty",
    ])
}
# fmt: on
AGE = re.compile(r"\b(\d{1,3})\b|\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def stated_age(text: str) -> int | None:
    match = AGE.search(text or "")
    if match is None:
        return None
    digits, word = match.groups()
    return int(digits) if digits else NUMBER_WORDS[word.lower()]


class ActionDeclareMinor(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_declare_minor"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        age = stated_age(str((tracker.latest_message or {}).get("text") or ""))
        if age is not None and age >= MINOR_AGE:
            dispatcher.utter_message(response="utter_how_can_help")
            return []
        dispatcher.utter_message(response="utter_minor_not_for_you")
        dispatcher.utter_message(json_message=MINOR_SIGNAL)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *state.clear_task(),
            SlotSet(state.VERIFIED_CONTACT, None),
            SlotSet(state.MINOR_DECLARED, True),
        ]
