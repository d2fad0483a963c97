"""Questions about the catalogue, answered from the store: change the catalogue, change the
answers. Matching is forgiving ("rose gold", "diamond", "ladies") but never invents a piece."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.store.models import Collection, Gender, Product, ProductCategory

CATEGORY_WORDS = {
    "watch": ProductCategory.WATCH, "watches": ProductCategory.WATCH,
    "timepiece": ProductCategory.WATCH, "timepieces": ProductCategory.WATCH,
    "ring": ProductCategory.RING, "rings": ProductCategory.RING,
    "necklace": ProductCategory.NECKLACE, "necklaces": ProductCategory.NECKLACE,
    "pendant": ProductCategory.NECKLACE, "pendants": ProductCategory.NECKLACE,
    "bracelet": ProductCategory.BRACELET, "bracelets": ProductCategory.BRACELET,
    "earrings": ProductCategory.EARRINGS, "earring": ProductCategory.EARRINGS,
}  # fmt: skip

GENDER_WORDS = {
    "ladies": Gender.LADIES, "lady": Gender.LADIES, "women": Gender.LADIES,
    "woman": Gender.LADIES, "womens": Gender.LADIES, "her": Gender.LADIES,
    "men": Gender.MEN, "man": Gender.MEN, "mens": Gender.MEN, "gentlemen": Gender.MEN,
    "him": Gender.MEN,
}  # fmt: skip

STONE_STEMS = {"diamonds": "diamond", "sapphires": "sapphire", "emeralds": "emerald",
               "rubies": "rub", "ruby": "rub"}  # fmt: skip


@dataclass(frozen=True)
class ProductQuery:
    collection: str | None = None
    category: str | None = None
    material: str | None = None
    stone: str | None = None
    gender: str | None = None
    reference: str | None = None

    def is_empty(self) -> bool:
        return not any(vars(self).values())


async def collection_named(session: AsyncSession, name: str) -> Collection | None:
    wanted = name.strip().lower()
    collection: Collection | None = await session.scalar(
        select(Collection)
        .options(selectinload(Collection.products))
        .where(or_(func.lower(Collection.name) == wanted, Collection.slug == wanted))
    )
    return collection


async def collections(session: AsyncSession) -> list[Collection]:
    rows = await session.scalars(
        select(Collection).options(selectinload(Collection.products)).order_by(Collection.name)
    )
    return list(rows)


def _product_query(query: ProductQuery) -> Select[tuple[Product]]:
    statement = select(Product).join(Product.collection).options(selectinload(Product.collection))
    if query.reference:
        return statement.where(func.upper(Product.reference) == query.reference.upper())
    if query.collection:
        wanted = query.collection.strip().lower()
        statement = statement.where(
            or_(func.lower(Collection.name) == wanted, Collection.slug == wanted)
        )
    if query.category and (category := CATEGORY_WORDS.get(query.category.lower())):
        statement = statement.where(Product.category == category)
    if query.material:
        statement = statement.where(Product.material.ilike(f"%{query.material.strip()}%"))
    if query.stone:
        stone = query.stone.strip().lower()
        statement = statement.where(Product.stones.ilike(f"%{STONE_STEMS.get(stone, stone)}%"))
    if query.gender and (gender := GENDER_WORDS.get(query.gender.lower().replace("'", ""))):
        statement = statement.where(Product.gender.in_([gender, Gender.UNISEX]))
    return statement.order_by(Product.price_usd)


async def find_products(session: AsyncSession, query: ProductQuery) -> list[Product]:
    return list(await session.scalars(_product_query(query)))


async def collections_with(session: AsyncSession, category: str | None) -> list[Collection]:
    """The collections that hold pieces of a category ("rings"), or all when none is given."""
    wanted = CATEGORY_WORDS.get((category or "").lower())
    return [
        collection
        for collection in await collections(session)
        if wanted is None or any(p.category is wanted for p in collection.products)
    ]


CATEGORY_PLURALS = {
    ProductCategory.WATCH: "watches", ProductCategory.RING: "rings",
    ProductCategory.NECKLACE: "necklaces", ProductCategory.BRACELET: "bracelets",
    ProductCategory.EARRINGS: "earrings",
}  # fmt: skip
STONE_PLURALS = {"diamond": "diamonds", "sapphire": "sapphires", "emerald": "emeralds",
                 "ruby": "rubies", "pearl": "pearls"}  # fmt: skip


def query_phrase(query: ProductQuery) -> str:
    """What the customer asked for, in words: "ladies' Possession rings in rose gold with
    diamonds". Used to say what was (not) found, so it never names a piece itself."""
    if query.reference:
        return f"a piece with the reference {query.reference.upper()}"
    words = []
    gender = GENDER_WORDS.get((query.gender or "").lower().replace("'", ""))
    if gender is Gender.LADIES:
        words.append("ladies'")
    elif gender is Gender.MEN:
        words.append("men's")
    if query.collection:
        words.append(" ".join(part.capitalize() for part in query.collection.split()))
    category = CATEGORY_WORDS.get((query.category or "").lower())
    words.append(CATEGORY_PLURALS[category] if category else "pieces")
    if query.material:
        words.append(f"in {query.material.strip().lower()}")
    if query.stone:
        stone = query.stone.strip().lower()
        words.append(f"with {STONE_PLURALS.get(stone, stone)}")
    return " ".join(words)


def product_title(product: Product) -> str:
    """A short button title: "Possession ring, rose gold, diamonds"."""
    parts = [product.name, product.material.replace("18K ", "")]
    if product.stones:
        parts.append(product.stones)
    return ", ".join(parts)


def usd(amount: int) -> str:
    return f"${amount:,}"


def price_range(products: list[Product]) -> str:
    prices = sorted(p.price_usd for p in products)
    if not prices:
        return ""
    if prices[0] == prices[-1]:
        return usd(prices[0])
    return f"{usd(prices[0])} to {usd(prices[-1])}"


def describe_collection(collection: Collection) -> str:
    products = collection.products
    categories = sorted({CATEGORY_PLURALS[p.category] for p in products})
    materials = sorted({p.material for p in products})
    # "diamonds, malachite" is two stones: each is named once.
    stones = sorted({s.strip() for p in products for s in (p.stones or "").split(",") if s.strip()})
    lines = [f"{collection.name}: {collection.description}"]
    if products:
        lines.append(
            f"{len(products)} pieces ({', '.join(categories)}), in {', '.join(materials)}"
            + (f"; set with {', '.join(stones)}" if stones else "")
            + f". Prices from {price_range(products)}."
        )
    return "\n".join(lines)


def describe_product(product: Product) -> str:
    details = [product.material]
    if product.stones:
        details.append(product.stones)
    if product.case_size_mm:
        details.append(f"{product.case_size_mm:g} mm")
    if product.movement:
        details.append(product.movement)
    if product.water_resistance_m is not None:
        details.append(f"water-resistant to {product.water_resistance_m} m")
    return (
        f"{product.name} ({product.collection.name}), reference {product.reference}: "
        f"{', '.join(details)}. {usd(product.price_usd)}."
    )


def product_line(product: Product) -> str:
    stones = f", {product.stones}" if product.stones else ""
    return (
        f"{product.name}, {product.material}{stones} — {usd(product.price_usd)} "
        f"(ref. {product.reference})"
    )


def care_summary(collection: Collection) -> str:
    """The facts on one line (warranty, service interval, water resistance), then the
    collection's care advice as a paragraph of its own."""
    lines = [f"{collection.name}: {collection.warranty_years}-year warranty."]
    if collection.service_interval_years:
        lines.append(
            f"We recommend a complete service every {collection.service_interval_years} years."
        )
    resistances = sorted(
        {p.water_resistance_m for p in collection.products if p.water_resistance_m is not None}
    )
    if resistances:
        meters = " or ".join(f"{m} m" for m in resistances)
        lines.append(f"Water resistance: {meters}.")
    facts = " ".join(lines)
    return f"{facts}\n\n{collection.care_advice}" if collection.care_advice else facts
