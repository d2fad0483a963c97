"""The gateway's own replies: their JSON shape, and what it says when the assistant fails."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.gateway.replies import Button, Reply, assistant_unavailable_reply
from bot.services.concierge_hours import handoff_message
from bot.settings import Settings

SETTINGS = Settings()  # mon-fri 09:00-19:00; sat 10:00-18:00, America/New_York


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_replies_keep_their_buttons_in_the_queue() -> None:
    reply = Reply("Choose", (Button("Help", "/help"),))
    assert reply.to_json() == {"text": "Choose", "buttons": [{"title": "Help", "payload": "/help"}]}


@pytest.mark.parametrize("at", ["2026-06-01 14:00", "2026-06-06 22:30"])
def test_the_assistant_failure_reply_always_has_the_phone_and_e_mail(at: str) -> None:
    text = assistant_unavailable_reply(SETTINGS, utc(at)).text
    assert text.count(SETTINGS.concierge_phone) == 1
    assert text.count(SETTINGS.concierge_email) == 1
    assert handoff_message(SETTINGS, utc(at)) in text
