"""Event classes looked up by type name from a table answer exactly as Rasa's search does.

rasa_addons runs inside Rasa's environment, so the check runs there, in a subprocess.
"""

from __future__ import annotations

from tests.rasa_addons.rasa_env import run_in_rasa

CHECK = """
import json
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa_addons import event_types

names = sorted({cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)})
asked = names + ["topic", "no_such_event"]

def answers(resolve):
    out = {}
    for name in asked:
        try:
            found = resolve(name)
            out[name] = found.__name__ if found else None
        except ValueError as error:
            out[name] = "error: " + str(error)
    found = resolve("no_such_event", SlotSet)
    out["default"] = found.__name__
    return out

rasa_own = answers(Event.resolve_by_type)
event_types.install()
ours = answers(Event.resolve_by_type)
stored = {"event": "user", "text": "hello", "parse_data": {"intent": {"name": "greet"}}}
back = Event.from_parameters(stored)
print(json.dumps({
    "names": len(names),
    "rasa": rasa_own,
    "ours": ours,
    "round_trip": isinstance(back, UserUttered) and back.text == "hello",
}))
"""


def test_the_table_answers_as_rasa_does() -> None:
    report = run_in_rasa(CHECK)
    assert report["names"] > 20  # user, bot, action, slot, active_loop, ...
    assert report["ours"] == report["rasa"]
    assert report["ours"]["user"] == "UserUttered"
    assert report["ours"]["topic"] is None
    assert report["ours"]["no_such_event"].startswith("error: Unknown event name")
    assert report["ours"]["default"] == "SlotSet"
    assert report["round_trip"]
