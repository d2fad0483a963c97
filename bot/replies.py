"""What the assistant says back: replies with optional quick-reply buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings


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


def assistant_unavailable_reply(settings: Settings) -> Reply:
    """Said when the assistant cannot answer (Rasa or the action server down or slow)."""
    return Reply(
        "I'm sorry, I can't answer right now. Our concierge will be glad to help: "
        f"call {settings.concierge_phone} or write to {settings.concierge_email}. "
        "Your message has been kept."
    )
