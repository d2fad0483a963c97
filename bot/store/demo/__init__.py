"""The demo data: the catalogue, the boutiques, invented customers, orders and repairs.

It lives in the YAML files next to this module, one kind per file, each a list of items:
collections.yml (with their products), boutiques.yml, customers.yml (with their marketing
consent), orders.yml, repairs.yml and privacy_requests.yml. An item's fields are those of its
record in records.py; dates are relative to the day the data is loaded (dates.py). Everything
is invented: e-mail addresses on example.com/.org, phone numbers 555-01xx, every row loaded
with is_demo set.

`read_demo_data()` reads the files and checks them (build.py: each field; story.py: the files
together); bad data raises DemoDataError naming the file, the item and what is wrong. Then
bot/store/demo_data.py loads the data into the store, and markdown.py writes
docs/demo-data.md and the README's order table from it (`python -m bot demo-data-docs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.store.demo.build import DemoDataError, build_records
from bot.store.demo.records import (
    DemoBoutique,
    DemoCollection,
    DemoContact,
    DemoData,
    DemoOrder,
    DemoPrivacyRequest,
    DemoRepair,
)
from bot.store.demo.story import problems

DEMO_DIR = Path(__file__).resolve().parent

T = TypeVar("T")

__all__ = ["DEMO_DIR", "DemoData", "DemoDataError", "read_demo_data"]


def _shown(directory: Path) -> str:
    return "bot/store/demo/" if directory == DEMO_DIR else f"{directory}/"


def read_demo_data(directory: Path = DEMO_DIR) -> DemoData:
    """All the demo data, checked; DemoDataError says what is wrong and where."""

    def read(kind: type[T], name: str) -> tuple[T, ...]:
        where = _shown(directory) + name
        try:
            items = YAML(typ="safe").load((directory / name).read_text(encoding="utf-8"))
        except (OSError, YAMLError) as error:
            raise DemoDataError(f"{where}: cannot read it: {error}") from error
        return build_records(kind, items, where)

    data = DemoData(
        collections=read(DemoCollection, "collections.yml"),
        boutiques=read(DemoBoutique, "boutiques.yml"),
        contacts=read(DemoContact, "customers.yml"),
        orders=read(DemoOrder, "orders.yml"),
        repairs=read(DemoRepair, "repairs.yml"),
        privacy_requests=read(DemoPrivacyRequest, "privacy_requests.yml"),
    )
    found = problems(data)
    if found:
        details = "\n  ".join(found)
        raise DemoDataError(f"inconsistent demo data in {_shown(directory)}:\n  {details}")
    return data
