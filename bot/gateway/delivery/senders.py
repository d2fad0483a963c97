"""What the outbox asks of a channel's sender, and how a sender reports a failed send.

A sender turns one outbox row into platform API calls. It reports the outcome by raising
one of three errors, so the outbox (outbox.py) can decide without knowing the platform:

- `RateLimited`: the platform said "not before N seconds"; try again then, it is not a fault.
- `RetryableFailure`: the platform did not take the message (it answered with a server
  error, or could not be reached); trying again cannot make a duplicate.
- `PermanentFailure`: trying again would fail again (blocked by the user, bad request), or
  the outcome is unknown (a timeout after the request went out), where a retry could
  deliver the message twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Delivery:
    """One outbox row as a sender sees it."""

    outbox_id: int
    recipient: str  # Telegram chat id, X user id, or the X post a public reply answers
    payload: dict[str, Any]  # the Reply's JSON ({"text", "buttons"}) plus channel extras
    parts_delivered: int = 0  # parts of a long message already sent by an earlier attempt


class Sender(Protocol):
    """Sends the parts of a message in order, reporting each part's platform id."""

    def parts(self, delivery: Delivery) -> int:
        """How many platform messages this delivery takes (long texts are split)."""
        ...

    async def send_part(self, delivery: Delivery, index: int) -> str | None:
        """Send part `index`; return the platform's id for it."""
        ...


class DeliveryError(Exception):
    pass


class RateLimited(DeliveryError):
    def __init__(self, retry_after_seconds: float, detail: str = "") -> None:
        super().__init__(f"rate limited for {retry_after_seconds:.0f} s {detail}".strip())
        self.retry_after_seconds = max(0.0, retry_after_seconds)


class RetryableFailure(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


# Split points, best first: a blank line (paragraph), a line break, the end of a sentence,
# a space. Only when none exists in the window is a word cut.
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?…](?=\s)"), re.compile(r" "))


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` characters at the most natural boundary."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = 0
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window) if m.end() <= limit]
            # A boundary in the first quarter would leave a tiny part: look for a better kind.
            if ends and ends[-1] > limit // 4:
                cut = ends[-1]
                break
        cut = cut or limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts
