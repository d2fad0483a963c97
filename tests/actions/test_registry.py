"""The action server serves exactly the custom actions the domain declares: none missing
(Rasa would fail mid-conversation), none extra (a helper class mistaken for an action)."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor
from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT


def declared_actions() -> set[str]:
    yaml = YAML(typ="safe")
    names: set[str] = set()
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        for entry in yaml.load(path.read_text()).get("actions") or []:
            names.add(entry if isinstance(entry, str) else next(iter(entry)))
    return {name for name in names if not name.startswith("utter_")}


def test_the_action_server_registers_every_declared_action_and_nothing_else() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")

    assert set(executor.actions) == declared_actions()
