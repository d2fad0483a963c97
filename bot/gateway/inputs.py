"""What comes in from outside, read safely: JSON bodies, ids and text (issue 17, item 12).

Each reader either returns a value the store and the rest of the gateway can take, or raises
BadInput with a message fit for the client (the views answer 400). Nothing here lets a
malformed request reach the store, where it would fail as a 500:

- a JSON body nested thousands deep makes Python's parser raise RecursionError;
- a number past the store's 64-bit integers overflows the database driver;
- a lone UTF-16 surrogate ("\\ud800" in JSON) is a valid Python str but not valid UTF-8, so
  neither SQLite nor PostgreSQL can store it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

# The store's ids and counters are 64-bit signed integers (SQLite INTEGER, PostgreSQL BIGINT).
MAX_ID = 2**63 - 1
DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: int() would also take "١٢٣"
SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class BadInput(ValueError):
    """A request the gateway will not take; the message is for the client."""


async def read_json(request: web.Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadInput("the body is not valid JSON") from None
    except RecursionError:
        raise BadInput("the body is nested too deeply") from None


def parse_id(text: str, what: str = "id") -> int:
    """A row id from a URL: 1 to 2**63-1, in ASCII digits."""
    if not DIGITS.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        raise BadInput(f"{what} must be a whole number from 1 to {MAX_ID}")
    return int(text)


def parse_count(text: str, what: str) -> int:
    """A position such as ?after=: 0 to 2**63-1, in ASCII digits."""
    if not DIGITS.fullmatch(text) or int(text) > MAX_ID:
        raise BadInput(f"{what} must be a whole number from 0 to {MAX_ID}")
    return int(text)


def has_lone_surrogate(text: str) -> bool:
    """Python's json turns a valid pair into one character, so any surrogate left is alone."""
    return SURROGATE.search(text) is not None


def without_lone_surrogates(value: Any) -> Any:
    """The same JSON value with every lone surrogate in its strings (keys too) replaced by
    U+FFFD: what a platform sent is kept and answered, never dropped for it."""
    if isinstance(value, str):
        return SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    return value
