"""The import rule that keeps the layout honest, and no import cycles anywhere.

Layers, from the bottom: the store and the settings; the domain services; then the
gateway, the inbox and the actions, which call services; the connectors, which see the
gateway's interface; and at the top only the app factory and the CLI see every part. Every
import counts, including those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "connectors", "actions", "rasa_addons", "bench")

BASE = ("bot.settings", "bot.weekly_hours", "bot.store")
# Who may import whom: the longest matching prefix of the importer decides.
ALLOWED: dict[str, tuple[str, ...]] = {
    "bot": (),  # the package's docstring only
    "bot.settings": ("bot.weekly_hours",),
    "bot.weekly_hours": (),
    "bot.store": ("bot.settings", "bot.store"),
    "bot.services": (*BASE, "bot.services"),
    "bot.gateway": (*BASE, "bot.services", "bot.gateway"),
    "bot.inbox": (*BASE, "bot.services", "bot.gateway", "bot.inbox"),
    "bot.operations": ("bot.settings", "bot.operations"),
    "actions": (*BASE, "bot.services", "actions"),
    "connectors": (*BASE, "bot.gateway", "connectors"),
    "rasa_addons": ("rasa_addons",),  # runs inside Rasa's environment: nothing of ours
    "bench": ("bot.settings", "bot.operations", "bench"),
    # Times a domain query on a generated store: it writes the store and calls the service.
    "bench.reports": (*BASE, "bot.services", "bench"),
    # The only modules that see everything.
    "bot.app": PACKAGES,
    "bot.cli": PACKAGES,
    "bot.__main__": ("bot.cli",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """What `name` imports, by full dotted names (the caller keeps those that are ours)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from bot.services import orders` imports the module bot.services.orders;
            # `from bot.settings import Settings` the module bot.settings.
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield submodule if submodule in known else target


def ours(target: str, known: dict[str, Path]) -> str | None:
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def rule_for(name: str) -> tuple[str, tuple[str, ...]]:
    matches = [prefix for prefix in ALLOWED if within(name, prefix)]
    assert matches, f"{name} is in no layer: add it to ALLOWED in tests/test_architecture.py"
    prefix = max(matches, key=len)
    return prefix, ALLOWED[prefix]


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = {ours(t, known) for t in imports_of(name, path, known)}
        edges[name] = {t for t in targets if t is not None and t != name}
    return edges


GRAPH = graph()


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_a_module_imports_only_from_the_layers_below_it(name: str) -> None:
    layer, allowed = rule_for(name)
    wrong = sorted(t for t in GRAPH[name] if not any(within(t, a) for a in allowed))
    assert not wrong, f"{name} (layer {layer}) must not import {wrong}"


def test_no_module_of_bot_imports_a_connector_but_the_app_factory_and_cli() -> None:
    offenders = sorted(
        name
        for name, targets in GRAPH.items()
        if within(name, "bot")
        and name not in ("bot.app", "bot.cli")
        and any(within(t, "connectors") for t in targets)
    )
    assert offenders == []


def test_there_is_no_import_cycle() -> None:
    # A package's __init__ is imported with each of its modules, so cycles through a
    # package's own __init__ (connectors.telegram -> connectors.telegram.webhook ->
    # connectors.telegram) are part of the check too.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(GRAPH.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
