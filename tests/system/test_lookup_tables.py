"""The lookup tables in data/nlu/lookups/ stay in sync with the catalogue and the boutiques.

RegexEntityExtractor only finds what the tables list, so a collection, material, stone or
boutique city added to the store but not to its table would never be recognised; this
fails first. Synonyms must lead to values the services understand, and no entry may be
hidden behind an earlier, shorter one (the alternatives are tried in file order).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from ruamel.yaml import YAML

from bot.services.boutiques import CITY_ALIASES, STATE_NAMES
from bot.services.catalogue import CATEGORY_WORDS, GENDER_WORDS
from bot.settings import PROJECT_ROOT
from bot.store.demo_data import BOUTIQUES, COLLECTIONS, PRODUCTS

LOOKUPS = PROJECT_ROOT / "data" / "nlu" / "lookups"
TABLES = ("collection", "material", "stone", "category", "gender", "place")


@cache
def _nlu(table: str) -> list[dict[str, Any]]:
    data = YAML(typ="safe").load((LOOKUPS / f"{table}.yml").read_text(encoding="utf-8"))
    return list(data["nlu"])


def _lines(block: str) -> list[str]:
    return [line.removeprefix("- ").strip() for line in block.splitlines() if line.strip()]


def entries(table: str) -> list[str]:
    (lookup,) = [item for item in _nlu(table) if item.get("lookup") == table]
    return _lines(lookup["examples"])


def canonical(table: str) -> dict[str, str]:
    """Every entry (lower case) -> the value the synonym mapper gives it."""
    synonyms = {
        text.lower(): item["synonym"]
        for item in _nlu(table)
        if "synonym" in item
        for text in _lines(item["examples"])
    }
    return {entry.lower(): synonyms.get(entry.lower(), entry) for entry in entries(table)}


def matched(table: str, text: str) -> list[str]:
    """What RegexEntityExtractor would extract from `text` with this table."""
    pattern = "(\\b" + "\\b|\\b".join(re.escape(e) for e in entries(table)) + "\\b)"
    return [m.group() for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


def test_every_demo_collection_is_in_the_collection_table() -> None:
    known = {value.lower() for value in canonical("collection").values()}
    missing = [c.name for c in COLLECTIONS if c.name.lower() not in known]
    assert not missing, f"add to data/nlu/lookups/collection.yml: {missing}"


def test_every_collection_synonym_names_a_demo_collection() -> None:
    names = {c.name for c in COLLECTIONS}
    assert set(canonical("collection").values()) <= names


def test_every_demo_material_and_stone_can_be_asked_for() -> None:
    materials = {value.lower() for value in canonical("material").values()}
    for product in PRODUCTS:
        assert any(value in product.material.lower() for value in materials), product.material
        for stone in (product.stones or "").split(","):
            if stone.strip():
                assert matched("stone", stone.strip()), f"add {stone!r} to stone.yml"


def test_categories_and_genders_lead_to_what_the_catalogue_understands() -> None:
    assert set(canonical("category").values()) <= set(CATEGORY_WORDS)
    assert set(canonical("gender").values()) <= set(GENDER_WORDS)


def test_every_boutique_city_and_state_is_a_place() -> None:
    places = {entry.lower() for entry in entries("place")}
    for boutique in BOUTIQUES:
        assert boutique.city.lower() in places, f"add {boutique.city} to place.yml"
        assert STATE_NAMES[boutique.state].lower() in places
    assert set(CITY_ALIASES) <= places, "every alias bot/services/boutiques.py knows can be said"


@pytest.mark.parametrize("table", TABLES)
def test_no_entry_is_hidden_behind_a_shorter_one(table: str) -> None:
    for entry in entries(table):
        first = matched(table, entry)[0]
        assert first.lower() == entry.lower(), f"move {entry!r} before {first!r} in {table}.yml"


@pytest.mark.parametrize(
    ("table", "text", "found"),
    [
        ("collection", "is the limelight gala in steel?", ["limelight gala"]),
        ("collection", "a Piaget Rose pendant", ["Piaget Rose"]),
        ("material", "a ring in pink gold or rose gold", ["pink gold", "rose gold"]),
        ("stone", "diamond-set watches", ["diamond-set"]),
        ("gender", "women's watches for men", ["women's", "men"]),
        ("place", "a boutique in La Jolla or LA?", ["La Jolla", "LA"]),
        ("place", "washington DC or new york city", ["washington DC", "new york city"]),
    ],
)
def test_extraction_takes_the_longest_name(table: str, text: str, found: list[str]) -> None:
    assert matched(table, text) == found
