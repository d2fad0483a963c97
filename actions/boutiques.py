"""Boutiques by city or state: address, phone, hours and whether they are open now.

The place comes from the `place` entity (lookup table of US states and cities plus the
aliases bot/services/boutiques.py knows, such as NYC or Vegas). "Is it open now?" without a place
refers to the place the customer named earlier in the session.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from bot.services import boutiques

# Events after which earlier messages no longer belong to the conversation.
_SESSION_BOUNDARIES = {"session_started", "restart"}
MAX_BOUTIQUES = 3


def _place_in(event: dict[str, Any]) -> str | None:
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        if entity.get("entity") == "place" and entity.get("value"):
            return str(entity["value"])
    return None


# "Where are your boutiques?" asks for all of them, even after one was named; "is it open
# now?" is about the one named before.
_ASKS_FOR_ALL = re.compile(
    r"\b(boutiques|stores|shops|locations|cities|where are|list)\b", re.IGNORECASE
)


def place_asked_about(tracker: Tracker) -> str | None:
    """The place in the latest message or, for a follow-up question about "it", the last
    one named in this session."""
    latest = tracker.latest_message or {}
    if place := _place_in({"parse_data": latest}):
        return place
    if _ASKS_FOR_ALL.search(str(latest.get("text") or "")):
        return None
    for event in reversed(tracker.applied_events()):
        if event.get("event") in _SESSION_BOUNDARIES:
            return None
        if event.get("event") == "user" and (place := _place_in(event)):
            return place
    return None


def display(place: str) -> str:
    """The place as the customer wrote it, tidied: "nyc" -> "NYC", "chicago" -> "Chicago"."""
    place = " ".join(place.split())
    if len(place.replace(".", "")) <= 3:
        return place.upper()
    return place if any(ch.isupper() for ch in place) else place.title()


def city_buttons(found: list[Any]) -> list[dict[str, str]]:
    cities = sorted({boutique.city for boutique in found})
    return [{"title": city, "payload": f'/find_boutique{{"place":"{city}"}}'} for city in cities]


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionFindBoutique(Action):  # type: ignore[misc]
    def name(self) -> str:
        return "action_find_boutique"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        place = place_asked_about(tracker)
        async with runtime.sessions().begin() as session:
            everywhere = await boutiques.all_boutiques(session)
            if place is None:
                dispatcher.utter_message(
                    response="utter_ask_boutique_place",
                    places=boutiques.where_we_are(everywhere),
                    buttons=city_buttons(everywhere),
                )
                return []
            found = await boutiques.find_boutiques(session, place)
        if not found:
            dispatcher.utter_message(
                response="utter_boutique_not_found",
                place=display(place),
                places=boutiques.where_we_are(everywhere),
            )
            return []
        dispatcher.utter_message(
            response="utter_boutique_found" if len(found) == 1 else "utter_boutiques_found",
            place=display(place),
            count=len(found),
            # A blank line starts a new chat bubble: one bubble per boutique.
            boutiques="\n\n".join(boutiques.describe_boutique(b) for b in found[:MAX_BOUTIQUES]),
        )
        return []
