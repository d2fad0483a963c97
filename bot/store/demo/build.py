"""Typed records from the YAML items, with errors that name the file, the item and the field.

The record classes say what each field holds (bot/store/demo/records.py); this reads them
generically so that every field is checked the same way: text must be text (an unquoted
02108 is a number in YAML), a status must be one the store knows, a field must not be
missing or misspelt.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from datetime import date, datetime
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


class DemoDataError(ValueError):
    """The demo data is wrong; the message says where (file > item > field) and why."""


def build_records(cls: type[T], items: object, where: str) -> tuple[T, ...]:
    """A YAML list of items as records of `cls`; `where` names the file."""
    if not isinstance(items, list):
        raise DemoDataError(f"{where}: expected a list of items, each starting with '- '")
    return tuple(
        _record(cls, item, f"{where} > {_item_name(cls, item, position)}")
        for position, item in enumerate(items, 1)
    )


def _record(cls: type[T], item: object, where: str) -> T:
    if not isinstance(item, dict):
        raise DemoDataError(f"{where}: expected fields (name: value), found {item!r}")
    fields = {field.name: field for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name in item:
        if name not in fields:
            raise DemoDataError(f"{where}: unknown field {name!r}; known: {', '.join(fields)}")
    hints = get_type_hints(cls)
    values = {}
    for name, field in fields.items():
        if name in item:
            values[name] = _value(hints[name], item[name], f"{where} > {name}")
        elif field.default is dataclasses.MISSING:
            raise DemoDataError(f"{where}: missing field {name!r}")
    return cls(**values)


def _item_name(cls: Any, item: object, position: int) -> str:
    name = item.get(getattr(cls, "NAMED_BY", None)) if isinstance(item, dict) else None
    return name if isinstance(name, str) else f"item {position}"


def _value(kind: Any, raw: object, where: str) -> Any:
    origin, arguments = get_origin(kind), get_args(kind)
    if origin in (Union, types.UnionType):  # X | None
        (inner,) = (argument for argument in arguments if argument is not type(None))
        return None if raw is None else _value(inner, raw, where)
    if origin is tuple:
        if not isinstance(raw, list):
            raise DemoDataError(f"{where}: expected a list of items, each starting with '- '")
        item_kind = arguments[0]
        return tuple(
            _value(item_kind, item, f"{where} > {_item_name(item_kind, item, position)}")
            for position, item in enumerate(raw, 1)
        )
    if origin is dict:
        if not isinstance(raw, dict):
            raise DemoDataError(f"{where}: expected entries (key: value)")
        return {
            _value(arguments[0], key, where): _value(arguments[1], value, f"{where} > {key}")
            for key, value in raw.items()
        }
    if hasattr(kind, "parse"):  # a date relative to the load day, opening hours
        try:
            return kind.parse(_value(str, raw, where))
        except ValueError as error:
            raise DemoDataError(f"{where}: {error}") from None
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record(kind, raw, where)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        known = [member.value for member in kind]
        if raw not in known:
            raise DemoDataError(f"{where}: {raw!r} is not one of {', '.join(known)}")
        return kind(raw)
    return _scalar(kind, raw, where)


_EXPECTED = {
    str: 'text (quote it if it looks like a number: "02108")',
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    date: "a date such as 1984-03-14",
}


def _scalar(kind: type, raw: object, where: str) -> Any:
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    wrong_kind = isinstance(raw, bool) and kind is not bool
    wrong_kind |= isinstance(raw, datetime) and kind is date
    if wrong_kind or not isinstance(raw, kind):
        raise DemoDataError(f"{where}: expected {_EXPECTED[kind]}, found {raw!r}")
    return raw
