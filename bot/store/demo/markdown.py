"""docs/demo-data.md and the README's table of demo orders, written from the demo data.

`python -m bot demo-data-docs` rewrites both; tests fail when either disagrees with the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.store.demo.records import DemoData
from bot.store.models import PrivacyRequestKind

CALIFORNIA_1798_83 = PrivacyRequestKind.CALIFORNIA_1798_83

DEMO_NOTICE = "Demo data: all customers, orders and repairs are invented."
DOC = Path("docs") / "demo-data.md"
README = Path("README.md")
# The README's order table sits between these two lines.
README_START = "<!-- demo orders, from bot/store/demo/orders.yml: python -m bot demo-data-docs -->"
README_END = "<!-- end of demo orders -->"


def write_docs(project_root: Path, data: DemoData) -> None:
    (project_root / DOC).write_text(demo_data_markdown(data), encoding="utf-8")
    readme = (project_root / README).read_text(encoding="utf-8")
    (project_root / README).write_text(readme_with_orders(readme, data), encoding="utf-8")


def readme_with_orders(readme: str, data: DemoData) -> str:
    """The README with its order table made from `data`."""
    before, start, rest = readme.partition(README_START + "\n")
    _, end, after = rest.partition(README_END + "\n")
    if not (start and end):
        raise ValueError(f"README.md lacks the lines {README_START!r} and {README_END!r}")
    return before + start + orders_table(data) + end + after


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def orders_table(data: DemoData) -> str:
    """The demo orders a tester can ask about: number, e-mail, postcode and status."""
    return _table(
        ("Order", "Email", "Postcode", "Status"),
        (
            (o.number, o.email, data.postcode(o), f"`{o.status.value}`")
            for o in sorted(data.orders, key=lambda o: o.number)
        ),
    )


def repairs_table(data: DemoData) -> str:
    """The demo repairs a tester can ask about: number, e-mail, postcode and status."""
    return _table(
        ("Repair", "Email", "Postcode", "Status"),
        (
            (r.number, r.email, data.postcode(r), f"`{r.status.value}`")
            for r in sorted(data.repairs, key=lambda r: r.number)
        ),
    )


def demo_data_markdown(data: DemoData) -> str:
    """The whole of docs/demo-data.md."""
    gifts = ", ".join(
        f"{o.number} (home {data.contact(o.email).postcode}, delivered to {o.delivery_postcode})"
        for o in data.orders
        if o.delivery_postcode
    )
    california = [r for r in data.privacy_requests if r.kind is CALIFORNIA_1798_83]
    last_year = next(data.contact(r.email) for r in california if r.asked.last_year_on)
    this_year = next(data.contact(r.email) for r in california if not r.asked.last_year_on)
    contacts = _table(
        ("Name", "Email", "City", "State", "Postcode", "Language"),
        (
            (
                f"{c.first_name} {c.last_name}",
                c.email,
                c.city,
                c.state,
                c.postcode,
                c.preferred_language,
            )
            for c in data.contacts
        ),
    )
    return f"""# Demo data

<!-- Generated from bot/store/demo/*.yml by `python -m bot demo-data-docs`: edit those. -->

**{DEMO_NOTICE}**

Any resemblance to real people is coincidental. E-mail addresses use the domains reserved for
examples (example.com, example.org, RFC 2606) and phone numbers use 555-01xx, reserved for
fiction, so nobody real can be contacted. The catalogue is inspired by the house's collections,
but references, prices and specifications are made up.

Load it once with `python -m bot load-demo-data` (a second run changes nothing). Dates are
computed from the day it is loaded, so right after loading an order was "shipped 2 days ago"
and estimated deliveries and completions lie a few days ahead.

The data lives in `bot/store/demo/*.yml`, one kind per file (the fields and the date syntax
are described in `bot/store/demo/__init__.py`). After changing it, run
`python -m bot demo-data-docs` to rewrite this page and the README's table of orders.

## Orders

To check an order, give its number, then the e-mail address or the delivery postcode on it.

{orders_table(data)}
Gift deliveries, where the delivery postcode is not the customer's home postcode:
{gifts}.

## Repairs

To check a repair, give its number, the e-mail address and the postcode.

{repairs_table(data)}
## Customers

{contacts}
Handy cases:

- Marketing preferences vary: some customers are opted in to e-mail, some out, some changed
  their minds (Grace Kim: in, out, in again).
- California "Shine the Light" (Civil Code 1798.83) requests, once per calendar year:
  {this_year.first_name} {this_year.last_name} ({this_year.email}) already made one this year;
  {last_year.first_name} {last_year.last_name} ({last_year.email}) made hers last year.
- The Possession ring exists in rose gold and white gold, with and without a diamond, and with
  malachite.
"""
