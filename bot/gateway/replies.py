"""What the assistant says back: replies with optional quick-reply buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.services import concierge_hours, csat
from bot.services.concierge_hours import handoff_message
from bot.settings import Settings
from bot.store.types import utcnow


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return data

    def buttons_json(self) -> list[dict[str, str]] | None:
        return self.to_json().get("buttons")


def store_unavailable_reply(settings: Settings) -> Reply:
    """Said when the store is down (bot/gateway/middleware.py): nothing could be kept, so
    the customer is pointed to the concierge directly, as when the assistant is down."""
    return Reply(
        "I'm sorry, I can't answer right now and could not keep your message. "
        f"Please call our concierge on {settings.concierge_phone} or write to "
        f"{settings.concierge_email}; they will gladly help."
    )


def assistant_unavailable_reply(settings: Settings, now: datetime | None = None) -> Reply:
    """Said when the assistant cannot answer (Rasa or the action server down or slow) and
    the gateway hands the conversation to the concierge. Always gives the phone and e-mail:
    outside hours the handoff message has them, inside hours they are added."""
    now = now or utcnow()
    parts = ["I'm sorry, I can't answer right now; your message has been kept.",
             handoff_message(settings, now)]  # fmt: skip
    if concierge_hours.hours(settings).is_open(now):
        parts.append(
            f"You can also call {settings.concierge_phone} or write to {settings.concierge_email}."
        )
    return Reply(" ".join(parts))


def csat_question() -> Reply:
    """The rating question (bot/services/csat.py), with a button per rating."""
    return Reply(csat.QUESTION, tuple(Button(t, p) for t, p in csat.question_buttons()))
