"""The demo data's files tell one story: references that lead somewhere, possible histories,
parcels only once shipped, invented addresses only. Anything else is refused, naming the
file and the item."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store.demo import DemoDataError, read_demo_data

BrokenCopy = Callable[[str, str, str], Path]


@pytest.mark.parametrize(
    ("file", "old", "new", "error"),
    [
        (
            "orders.yml",
            "    G0A47101: 1",
            "    G0A47999: 1",
            "orders.yml > PG-100234: items: no product G0A47999",
        ),
        (
            "repairs.yml",
            "  boutique: Piaget Chicago Michigan Avenue",
            "  boutique: Piaget Chicago",
            "repairs.yml > RP-20429: no such boutique",
        ),
        (
            "orders.yml",
            "  email: isabelle.moreau@example.com",
            "  email: isabelle@example.com",
            "orders.yml > PG-100211: no such customer",
        ),
        (
            "orders.yml",
            "  carrier: FedEx\n",
            "",
            "orders.yml > PG-100131: carrier and tracking_number once shipped, only",
        ),
        (
            "repairs.yml",
            "    - status: awaiting_estimate_approval\n      at: -70d 19:30",
            "    - status: quality_control\n      at: -70d 19:30",
            "repairs.yml > RP-20362: impossible history received > quality_control > in_progress",
        ),
        (
            "customers.yml",
            "  email: nathan.brooks@example.org",
            "  email: nathan.brooks@gmail.com",
            "customers.yml > nathan.brooks@gmail.com: e-mail not on example.com/.org",
        ),
    ],
)
def test_bad_data_is_refused_naming_the_file_and_the_item(
    broken_copy: BrokenCopy, file: str, old: str, new: str, error: str
) -> None:
    with pytest.raises(DemoDataError) as refused:
        read_demo_data(broken_copy(file, old, new))
    assert error in str(refused.value)
