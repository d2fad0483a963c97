"""Each field of the demo data is read the same way: a file that cannot be read, an unknown or
missing field, a value of the wrong kind stop the loader, naming the file, the item and the
field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store.demo import DemoDataError, read_demo_data
from bot.store.demo_data import DEMO

BrokenCopy = Callable[[str, str, str], Path]


@pytest.mark.parametrize(
    ("file", "old", "new", "error"),
    [
        (
            "orders.yml",
            "  status: shipped\n",
            "  status: shiped\n",
            "orders.yml > PG-100229 > status: 'shiped' is not one of received, preparing, ",
        ),
        (
            "customers.yml",
            "  last_name: Moreau\n",
            "",
            "customers.yml > isabelle.moreau@example.com: missing field 'last_name'",
        ),
        (
            "repairs.yml",
            "  boutique: Piaget Fifth Avenue",
            "  botique: Piaget Fifth Avenue",
            "repairs.yml > RP-20362: unknown field 'botique'; known: number, email, ",
        ),
        (
            "customers.yml",
            'postcode: "02108"',
            "postcode: 02108",
            "customers.yml > charlotte.dubois@example.org > postcode: expected text (quote it",
        ),
        (
            "orders.yml",
            "at: -6d 14:12",
            "at: 6 days ago",
            "orders.yml > PG-100234 > history > item 1 > at: '6 days ago' is not a moment",
        ),
        (
            "boutiques.yml",
            "    sun: closed",
            "    sun: 18:00-10:00",
            "boutiques.yml > Piaget Chicago Michigan Avenue > opening_hours > sun: '18:00-10:00' "
            "is not opening hours",
        ),
        ("boutiques.yml", "- name: Piaget Fifth", "- name: [Piaget Fifth", "boutiques.yml: cannot"),
    ],
)
def test_bad_data_is_refused_naming_the_file_and_the_item(
    broken_copy: BrokenCopy, file: str, old: str, new: str, error: str
) -> None:
    with pytest.raises(DemoDataError) as refused:
        read_demo_data(broken_copy(file, old, new))
    assert error in str(refused.value)


def test_the_copy_used_for_bad_data_is_good_as_it_is(broken_copy: BrokenCopy) -> None:
    copy = broken_copy("orders.yml", "PG-", "PG-")
    assert read_demo_data(copy) == DEMO
