"""docs/demo-data.md and its tables are written from the demo data and kept up to date."""

from __future__ import annotations

from bot.settings import PROJECT_ROOT
from bot.store.demo.markdown import DEMO_NOTICE, demo_data_markdown, orders_table, repairs_table
from bot.store.demo_data import DEMO

DOC = PROJECT_ROOT / "docs" / "demo-data.md"


def test_the_doc_shows_the_demo_tables() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert orders_table(DEMO) in doc
    assert repairs_table(DEMO) in doc
    assert DEMO_NOTICE in doc
    assert doc == demo_data_markdown(DEMO), (
        "docs/demo-data.md is out of date: python -m bot demo-data-docs"
    )


def test_the_tables_list_every_order_and_repair() -> None:
    orders = orders_table(DEMO)
    repairs = repairs_table(DEMO)
    for order in DEMO.orders:
        assert f"| {order.number} | {order.email} | {DEMO.postcode(order)} |" in orders
    for repair in DEMO.repairs:
        assert f"| {repair.number} | {repair.email} | {DEMO.postcode(repair)} |" in repairs
