"""Rasa's lookup of an event class by its type name, from a table instead of a search.

Rasa 3.6 (`Event.resolve_by_type`) walks the whole class tree of `Event` each time it turns
a stored event back into an object, that is for every event of a conversation each time its
tracker is loaded (Rasa's tracker stores keep events as JSON) and for every event an action
returns. Profiled in the Rasa server over our conversations: 7 % of its CPU per turn. The
table answers the same: the first class in Rasa's own order with that name, built when first
needed and built again if a name is missing (a class imported later); what it cannot find
goes to Rasa's own lookup, for the same default, the same `None` for "topic" and the same
error.

`install()` is called when Rasa imports our input channel (rasa_addons/gateway_input.py).
"""

from __future__ import annotations

from typing import Dict, Type

import rasa.shared.utils.common
from rasa.shared.core.events import Event

_resolve_by_search = Event.resolve_by_type
_classes: Dict[str, Type[Event]] = {}


def _build() -> None:
    _classes.clear()
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        _classes.setdefault(cls.type_name, cls)


def resolve_by_type(type_name: str, default: Type[Event] | None = None) -> Type[Event] | None:
    found = _classes.get(type_name)
    if found is None:
        _build()
        found = _classes.get(type_name)
    if found is not None:
        return found
    return _resolve_by_search(type_name, default)


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
