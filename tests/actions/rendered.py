"""What the customer reads of an action's message: its text, or its domain response filled in.

Actions name a response of domain/ and give the facts it needs; Rasa fills the first and only
variation with them. Rendering it here lets the action tests check the words a customer sees.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT

PLACEHOLDER = re.compile(r"{(\w+)}")


@cache
def response_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        responses = YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("responses")
        for name, variations in (responses or {}).items():
            texts[name] = str(variations[0]["text"])
    return texts


def rendered(message: dict[str, Any]) -> str:
    if message.get("text"):
        return str(message["text"])
    if not message.get("response"):
        return ""
    template = response_texts()[message["response"]]
    return PLACEHOLDER.sub(lambda m: str(message.get(m.group(1), m.group(0))), template)
