"""Questions about the collections, the pieces and their care, answered from the store.

Nothing here names a piece, a price or a warranty: it all comes from bot/services/catalogue.py, so
changing the catalogue changes the answers. The entities come from the lookup tables in
data/nlu/lookups/ and the reference regex; the synonyms make them canonical ("pink gold" is
"rose gold").
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from bot.services import catalogue
from bot.services.catalogue import ProductQuery
from bot.store.models import Collection, Product

# A list of pieces shows at most this many, each with a button that asks about it.
MAX_PRODUCTS = 5
QUERY_FIELDS = ("collection", "category", "material", "stone", "gender", "reference")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value) if value else None


def product_buttons(products: list[Product]) -> list[dict[str, str]]:
    return [
        {
            "title": catalogue.product_title(product),
            "payload": f'/ask_product{{"reference":"{product.reference}"}}',
        }
        for product in products[:MAX_PRODUCTS]
    ]


def collection_buttons(collections: list[Collection], intent: str) -> list[dict[str, str]]:
    return [
        {"title": c.name, "payload": f'/{intent}{{"collection":"{c.name}"}}'} for c in collections
    ]


def collection_line(collection: Collection) -> str:
    kinds = sorted({catalogue.CATEGORY_PLURALS[p.category] for p in collection.products})
    return f"- {collection.name}: {', '.join(kinds)}"


# rasa_sdk ships no type information, so mypy sees Action as Any.
class ActionAnswerProductQuestion(Action):  # type: ignore[misc]
    """A collection, a piece by reference, or the pieces matching what was asked."""

    def name(self) -> str:
        return "action_answer_product_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        query = ProductQuery(**{field: latest_entity(tracker, field) for field in QUERY_FIELDS})
        async with runtime.sessions().begin() as session:
            if query.is_empty():
                collections = await catalogue.collections(session)
                dispatcher.utter_message(
                    response="utter_catalogue_collections",
                    collections="\n".join(map(collection_line, collections)),
                    buttons=collection_buttons(collections, "ask_product"),
                )
                return []
            collection = None
            if query.collection:
                collection = await catalogue.collection_named(session, query.collection)
                if collection is not None:
                    query = ProductQuery(**{**vars(query), "collection": collection.name})
            others = [value for key, value in vars(query).items() if key != "collection"]
            if collection is not None and not any(others):
                # Only a collection: what it is, its materials, stones and prices.
                pieces = sorted(collection.products, key=lambda p: p.price_usd)
                dispatcher.utter_message(
                    text=catalogue.describe_collection(collection),
                    buttons=product_buttons(pieces),
                )
                return []
            found = await catalogue.find_products(session, query)
            phrase = catalogue.query_phrase(query)
            if not found:
                dispatcher.utter_message(response="utter_catalogue_no_match", query=phrase)
                if collection is not None:
                    dispatcher.utter_message(text=catalogue.describe_collection(collection))
                return []
            if len(found) == 1:
                dispatcher.utter_message(text=catalogue.describe_product(found[0]))
                return []
            more = len(found) - MAX_PRODUCTS
            dispatcher.utter_message(
                response="utter_catalogue_matches_and_more"
                if more > 0
                else "utter_catalogue_matches",
                count=len(found),
                query=phrase,
                price_range=catalogue.price_range(found),
                pieces="\n".join(f"- {catalogue.product_line(p)}" for p in found[:MAX_PRODUCTS]),
                more=more,
                buttons=product_buttons(found),
            )
        return []


class ActionAnswerCareQuestion(Action):  # type: ignore[misc]
    """Warranty, servicing and water resistance as the catalogue defines them per collection;
    asks which collection (with buttons from the store) when the question does not say."""

    def name(self) -> str:
        return "action_answer_care_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        name = latest_entity(tracker, "collection")
        reference = latest_entity(tracker, "reference")
        async with runtime.sessions().begin() as session:
            if name is None and reference is not None:
                pieces = await catalogue.find_products(session, ProductQuery(reference=reference))
                name = pieces[0].collection.name if pieces else None
            collection = await catalogue.collection_named(session, name) if name else None
            if collection is not None:
                dispatcher.utter_message(text=catalogue.care_summary(collection))
                return []
            choices = await catalogue.collections_with(session, latest_entity(tracker, "category"))
            dispatcher.utter_message(
                response="utter_ask_care_collection",
                buttons=collection_buttons(choices, "ask_care"),
            )
        return []
