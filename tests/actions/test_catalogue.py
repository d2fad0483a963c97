"""Product and care answers come from the store: change the catalogue, change the answer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.catalogue import MAX_PRODUCTS, ActionAnswerCareQuestion, ActionAnswerProductQuestion
from bot.store.db import SessionFactory
from bot.store.models import Collection, Product
from tests.actions.support import Ran, Trackers, all_text, responses, run

pytestmark = pytest.mark.usefixtures("store")  # the runtime on the demo store


async def ask(
    tracker: Trackers, dispatcher: CollectingDispatcher, text: str, **entities: str
) -> Ran:
    return await run(
        ActionAnswerProductQuestion(),
        dispatcher,
        tracker(text, intent="ask_product", entities=entities),
    )


async def ask_care(
    tracker: Trackers, dispatcher: CollectingDispatcher, text: str, **entities: str
) -> Ran:
    return await run(
        ActionAnswerCareQuestion(), dispatcher, tracker(text, intent="ask_care", entities=entities)
    )


def payloads(messages: list[dict[str, Any]]) -> list[str]:
    return [button["payload"] for m in messages for button in m.get("buttons") or []]


async def test_several_matches_come_as_a_short_list_with_a_button_each(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    # Entity values as the synonyms leave them ("diamonds" -> "diamond").
    messages, events = await ask(
        tracker,
        dispatcher,
        "does the possession ring come in rose gold with diamonds?",
        collection="possession",
        category="ring",
        material="rose gold",
        stone="diamond",
    )

    text = all_text(messages)
    assert text.startswith("We have 2 Possession rings in rose gold with diamonds")
    assert "G34P1011" in text and "G34P1020" in text and "$2,450" in text
    assert "G34P1012" not in text  # white gold
    assert payloads(messages) == [
        '/ask_product{"reference":"G34P1011"}',
        '/ask_product{"reference":"G34P1020"}',
    ]
    assert events == []


async def test_a_long_list_shows_five_and_says_how_to_narrow_it_down(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(
        tracker, dispatcher, "ladies watches", category="watch", gender="ladies"
    )

    assert len(payloads(messages)) == MAX_PRODUCTS
    assert "more" in all_text(messages) and "narrow it down" in all_text(messages)
    assert all(p.startswith('/ask_product{"reference":"G') for p in payloads(messages))


async def test_one_match_is_described_in_full(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(tracker, dispatcher, "tell me about G0A45201", reference="G0A45201")

    text = all_text(messages)
    assert "Altiplano Origin 40 mm" in text and "G0A45201" in text
    assert "18K white gold" in text and "$24,500" in text and "30 m" in text


async def test_no_match_says_so_offers_the_concierge_and_what_there_is(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(
        tracker, dispatcher, "polo earrings?", collection="Polo", category="earrings"
    )

    assert responses(messages) == ["utter_catalogue_no_match", None]
    assert messages[0]["query"] == "Polo earrings"
    assert "Polo:" in all_text(messages) and "watch" in all_text(messages)


async def test_an_unknown_material_is_not_invented(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(
        tracker, dispatcher, "platinum rings", material="platinum", category="ring"
    )
    assert responses(messages) == ["utter_catalogue_no_match"]
    assert messages[0]["query"] == "rings in platinum"


async def test_a_collection_is_described_from_the_store_with_its_pieces(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask(tracker, dispatcher, "what is Altiplano?", collection="altiplano")

    text = all_text(messages)
    assert text.startswith("Altiplano: The house's ultra-thin watches")
    assert "Prices from $24,500 to $33,500" in text
    assert len(payloads(messages)) == MAX_PRODUCTS


async def test_without_details_the_collections_are_listed_from_the_store(
    tracker: Trackers,
    dispatcher: CollectingDispatcher,
    demo_sessions: SessionFactory,
) -> None:
    messages, _ = await ask(tracker, dispatcher, "what collections do you have")

    async with demo_sessions() as session:
        names = list(await session.scalars(select(Collection.name).order_by(Collection.name)))
    assert payloads(messages) == [f'/ask_product{{"collection":"{name}"}}' for name in names]
    assert all(name in all_text(messages) for name in names)


async def test_changing_the_catalogue_changes_the_answer(
    tracker: Trackers, dispatcher: CollectingDispatcher, demo_sessions: SessionFactory
) -> None:
    async with demo_sessions.begin() as session:
        piece = await session.scalar(select(Product).where(Product.reference == "G0A45201"))
        assert piece is not None
        piece.price_usd = 19_999

    messages, _ = await ask(tracker, dispatcher, "G0A45201", reference="G0A45201")
    assert "$19,999" in all_text(messages)


async def test_care_follows_the_collections_own_warranty_and_service_interval(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask_care(tracker, dispatcher, "can I swim with my polo?", collection="Polo")

    text = all_text(messages)
    assert "Polo: 5-year warranty" in text
    assert "every 5 years" in text and "100 m" in text


async def test_care_for_jewellery_has_no_service_interval(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask_care(
        tracker, dispatcher, "how do I clean my possession ring", collection="possession"
    )
    text = all_text(messages)
    assert "2-year warranty" in text and "service every" not in text


async def test_care_by_reference_uses_the_pieces_collection(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask_care(
        tracker, dispatcher, "is the G0A46001 waterproof?", reference="G0A46001"
    )
    assert "Polo: 5-year warranty" in all_text(messages)


async def test_care_without_a_collection_asks_which_with_buttons_from_the_store(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask_care(tracker, dispatcher, "how long is the warranty?")

    assert responses(messages) == ["utter_ask_care_collection"]
    assert '/ask_care{"collection":"Altiplano"}' in payloads(messages)
    assert len(payloads(messages)) == 9


async def test_care_for_rings_offers_only_collections_with_rings(
    tracker: Trackers, dispatcher: CollectingDispatcher
) -> None:
    messages, _ = await ask_care(tracker, dispatcher, "how do I clean my ring?", category="ring")

    offered = payloads(messages)
    assert '/ask_care{"collection":"Possession"}' in offered
    assert not any("Altiplano" in p or "Polo" in p for p in offered)
