"""Boutique answers from the store: found, not found (with where we are), open now."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.boutiques import ActionFindBoutique
from tests.actions.support import Ran, Trackers, all_text, responses, run, user_event

pytestmark = pytest.mark.usefixtures("store")  # the runtime on the demo store
# Wednesday 2026-11-25, noon in Chicago / 1 am the next night in Chicago.
NOON_IN_CHICAGO = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
NIGHT_IN_CHICAGO = datetime(2026, 11, 26, 7, 0, tzinfo=timezone.utc)


async def ask(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    text: str,
    place: str | None = None,
    **kwargs: Any,
) -> Ran:
    entities = {"place": place} if place else None
    return await run(
        ActionFindBoutique(),
        dispatcher,
        tracker(text, intent="find_boutique", entities=entities, **kwargs),
    )


async def test_a_city_gets_address_phone_hours_and_open_now(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.services.boutiques.utcnow", lambda: NOON_IN_CHICAGO)

    messages, events = await ask(
        tracker, dispatcher, "is the chicago boutique open now?", "chicago"
    )

    text = all_text(messages)
    assert text.startswith("Our boutique in Chicago:")
    assert "845 North Michigan Avenue" in text and "+1 312 555 0184" in text
    assert "Hours: Mon–Fri 10:00 am–7:00 pm, Sat 10:00 am–6:00 pm, Sun closed" in text
    assert "Open now, until 7:00 pm local time." in text
    assert events == []


async def test_closed_now_says_when_it_opens(
    tracker: Trackers, dispatcher: CollectingDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.services.boutiques.utcnow", lambda: NIGHT_IN_CHICAGO)
    messages, _ = await ask(tracker, dispatcher, "is it open right now in Chicago", "Chicago")
    assert "Closed now; opens today at 10:00 am local time." in all_text(messages)


@pytest.mark.parametrize(
    ("place", "address"),
    [("NYC", "715 Fifth Avenue"), ("Vegas", "3720 South Las Vegas Boulevard"),
     ("Miami", "9700 Collins Avenue"), ("LA", "370 North Rodeo Drive"),
     ("new york city", "715 Fifth Avenue")],
)  # fmt: skip
async def test_aliases_find_the_boutique_people_mean(
    tracker: Trackers, dispatcher: CollectingDispatcher, place: str, address: str
) -> None:
    messages, _ = await ask(tracker, dispatcher, f"boutique in {place}", place)
    assert address in all_text(messages)


async def test_a_state_lists_its_boutiques(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(tracker, dispatcher, "boutiques in california", "california")
    text = all_text(messages)
    assert text.startswith("We have 3 boutiques in California:")
    assert "Beverly Hills" in text and "Costa Mesa" in text and "San Francisco" in text


async def test_no_boutique_there_says_so_and_where_we_are(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(
        tracker, dispatcher, "I'm in Seattle, where's the closest boutique?", "Seattle"
    )

    assert responses(messages) == ["utter_boutique_not_found"]
    assert messages[0]["place"] == "Seattle"
    places = messages[0]["places"]
    assert "Illinois (Chicago)" in places and "California (Beverly Hills, Costa Mesa" in places


async def test_without_a_place_it_asks_with_a_button_per_city(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(tracker, dispatcher, "where are your boutiques?")

    assert responses(messages) == ["utter_ask_boutique_place"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/find_boutique{"place":"Chicago"}' in payloads and len(payloads) == 8


async def test_is_it_open_now_refers_to_the_place_named_earlier(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.services.boutiques.utcnow", lambda: NOON_IN_CHICAGO)
    earlier = [
        {"event": "action", "name": "action_listen"},
        user_event("boutique in chicago", "find_boutique", {"place": "chicago"}, {}),
        {"event": "action", "name": "action_find_boutique"},
    ]
    messages, _ = await ask(tracker, dispatcher, "is it open now?", earlier=earlier)
    assert "Open now" in all_text(messages) and "Chicago" in all_text(messages)


async def test_asking_for_all_boutiques_after_naming_one_lists_them_all(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    earlier = [
        {"event": "action", "name": "action_listen"},
        user_event("boutique in chicago", "find_boutique", {"place": "chicago"}, {}),
        {"event": "action", "name": "action_find_boutique"},
    ]
    messages, _ = await ask(tracker, dispatcher, "where are your boutiques?", earlier=earlier)
    assert responses(messages) == ["utter_ask_boutique_place"]
