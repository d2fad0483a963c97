"""The README stays true: its two commands, and the demo orders it lists."""

from __future__ import annotations

from bot.settings import PROJECT_ROOT
from bot.store.demo.markdown import readme_with_orders
from bot.store.demo_data import DEMO

README = (PROJECT_ROOT / "README.md").read_text()


def test_readme_starts_with_the_two_commands() -> None:
    commands = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in commands] == ["make run", "make test"]


def test_readme_lists_the_demo_orders_as_they_are_in_the_data() -> None:
    assert readme_with_orders(README, DEMO) == README, (
        "README's demo order table is stale: python -m bot demo-data-docs"
    )


def test_ci_runs_exactly_the_test_command() -> None:
    script = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert [line for line in script.splitlines() if line.startswith("make")] == ["make test"]
