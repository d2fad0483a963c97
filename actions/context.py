"""What an action may know about the turn beyond the tracker: the gateway's metadata.

The gateway sends it with every message over its authenticated channel, so customers cannot
forge it. Conversation tests run without a gateway: then the sender id stands in and the
channel counts as private.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from bot.services import lookup_guard


@dataclass(frozen=True)
class TurnContext:
    sender_id: str
    channel: str | None
    conversation_id: int | None
    identity_id: int | None
    public: bool

    @property
    def lookup_subjects(self) -> list[str]:
        return lookup_guard.subjects_for(self.sender_id, self.identity_id)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def turn_context(tracker: Tracker) -> TurnContext:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if not metadata:
        # A button press or a later turn may carry none; the session's start has it.
        metadata = tracker.get_slot("session_started_metadata") or {}
    return TurnContext(
        sender_id=str(tracker.sender_id),
        channel=metadata.get("channel"),
        conversation_id=_int_or_none(metadata.get("conversation_id")),
        identity_id=_int_or_none(metadata.get("identity_id")),
        public=metadata.get("public") is True,
    )
