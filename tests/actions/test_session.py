"""action_session_start: Rasa's session start, with the concierge's contacts from the settings."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.session import ActionSessionStart
from bot.settings import Settings

SETTINGS_CONTACTS = {"concierge_email": "desk@example.com", "concierge_phone": "+1 212 555 0100"}


@pytest.fixture(autouse=True)
def house_settings(settings: Settings) -> Iterator[None]:
    runtime.configure(replace(settings, **SETTINGS_CONTACTS))
    yield
    runtime.configure(settings)


def expired_session(slots: dict[str, Any]) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "customer-1",
            "slots": slots,
            "latest_message": {},
            "events": [{"event": "session_started"}, {"event": "action", "name": "action_listen"}],
        }
    )


async def start(slots: dict[str, Any], carry_over: bool = False) -> list[dict[str, Any]]:
    domain = {"session_config": {"carry_over_slots_to_new_session": carry_over}}
    events: list[dict[str, Any]] = await ActionSessionStart().run(
        CollectingDispatcher(), expired_session(slots), domain
    )
    return [{key: e.get(key) for key in ("event", "name", "value")} for e in events]


def test_name_is_rasas() -> None:
    assert ActionSessionStart().name() == "action_session_start"


async def test_a_session_starts_with_the_concierges_contacts_from_the_settings() -> None:
    assert await start({"account_email": "isabelle.moreau@example.com"}) == [
        {"event": "session_started", "name": None, "value": None},
        {"event": "slot", "name": "concierge_email", "value": "desk@example.com"},
        {"event": "slot", "name": "concierge_phone", "value": "+1 212 555 0100"},
        {"event": "action", "name": "action_listen", "value": None},
    ]


async def test_slots_are_carried_over_only_when_the_domain_says_so() -> None:
    events = await start({"preferred_language": "fr", "account_email": None}, carry_over=True)

    assert {"event": "slot", "name": "preferred_language", "value": "fr"} in events
    assert [e["name"] for e in events if e["event"] == "slot"].count("account_email") == 0
    assert events[0]["event"] == "session_started"
    assert events[-1] == {"event": "action", "name": "action_listen", "value": None}
