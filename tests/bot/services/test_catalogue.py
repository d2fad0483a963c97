"""Catalogue answers come from the store: changing the catalogue changes the answers."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import catalogue
from bot.services.catalogue import ProductQuery
from bot.store.db import SessionFactory
from bot.store.models import Product, ProductCategory


async def test_a_possession_ring_exists_in_rose_gold_with_diamonds(
    demo_sessions: SessionFactory,
) -> None:
    async with demo_sessions() as session:
        found = await catalogue.find_products(
            session,
            ProductQuery(collection="Possession", category="ring", material="rose gold",
                         stone="diamonds"),
        )  # fmt: skip
    assert found
    assert all("rose gold" in p.material and "diamond" in (p.stones or "") for p in found)
    assert all(p.category is ProductCategory.RING for p in found)


async def test_ladies_watches_include_unisex_but_not_mens(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        found = await catalogue.find_products(session, ProductQuery(category="watches",
                                                                    gender="women"))  # fmt: skip
    assert found and all(p.gender.value in {"ladies", "unisex"} for p in found)


async def test_no_match_is_an_empty_answer(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        found = await catalogue.find_products(
            session, ProductQuery(collection="Polo", category="earrings")
        )
    assert found == []


async def test_collection_description_follows_the_catalogue(demo_sessions: SessionFactory) -> None:
    async with demo_sessions.begin() as session:
        polo = await catalogue.collection_named(session, "polo")
        assert polo is not None
        before = catalogue.describe_collection(polo)
        cheapest = min(polo.products, key=lambda p: p.price_usd)
        cheapest.price_usd = 1234
    async with demo_sessions() as session:
        polo = await catalogue.collection_named(session, "Polo")
        assert polo is not None
        after = catalogue.describe_collection(polo)
    assert "$1,234" not in before and "$1,234" in after


async def test_product_by_reference(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        any_product = await session.scalar(select(Product).limit(1))
        assert any_product is not None
        (found,) = await catalogue.find_products(
            session, ProductQuery(reference=any_product.reference.lower())
        )
        text = catalogue.describe_product(found)
    assert any_product.reference in text and f"${any_product.price_usd:,}" in text


async def test_care_summary_uses_the_collections_warranty(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        altiplano = await catalogue.collection_named(session, "Altiplano")
        assert altiplano is not None
        text = catalogue.care_summary(altiplano)
    assert f"{altiplano.warranty_years}-year warranty" in text
    assert f"every {altiplano.service_interval_years} years" in text


def test_the_query_in_words_never_names_a_piece() -> None:
    query = ProductQuery(
        collection="possession", category="ring", material="Rose Gold", stone="diamond",
        gender="women",
    )  # fmt: skip
    assert catalogue.query_phrase(query) == "ladies' Possession rings in rose gold with diamonds"
    assert catalogue.query_phrase(ProductQuery(gender="men", category="watches")) == (
        "men's watches"
    )
    assert catalogue.query_phrase(ProductQuery(material="platinum")) == "pieces in platinum"
    assert catalogue.query_phrase(ProductQuery(reference="g0a45201")) == (
        "a piece with the reference G0A45201"
    )


async def test_collections_with_a_category(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        with_rings = {c.name for c in await catalogue.collections_with(session, "rings")}
        everything = await catalogue.collections_with(session, None)
    assert "Possession" in with_rings and "Polo" not in with_rings
    assert len(everything) == len({c.name for c in everything}) >= len(with_rings)


async def test_product_title_is_short(demo_sessions: SessionFactory) -> None:
    async with demo_sessions() as session:
        (ring,) = await catalogue.find_products(session, ProductQuery(reference="G34P1011"))
    assert catalogue.product_title(ring) == "Possession ring, rose gold, diamonds"
