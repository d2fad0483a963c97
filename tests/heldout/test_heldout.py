"""The held-out messages stay held out: none of them is a training example."""

from __future__ import annotations

import re

from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT

HERE = PROJECT_ROOT / "tests" / "heldout"


def normalised(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [PG-100229](order_number) -> PG-100229
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def training_examples() -> set[str]:
    yaml = YAML(typ="safe")
    examples: set[str] = set()
    for path in (PROJECT_ROOT / "data" / "nlu").rglob("*.yml"):
        for entry in (yaml.load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(entry.get("examples") or "").splitlines():
                examples.add(normalised(line.strip().removeprefix("- ")))
    return examples


def test_no_held_out_message_is_in_the_training_data() -> None:
    items = YAML(typ="safe").load((HERE / "messages.yml").read_text(encoding="utf-8"))["messages"]
    held_out = {normalised(item["text"]) for item in items}

    assert len(held_out) == len(items) > 50
    assert not held_out & training_examples()
