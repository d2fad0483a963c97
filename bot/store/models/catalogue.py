"""The house's catalogue (collections and pieces) and its boutiques."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, str_enum


class ProductCategory(str, enum.Enum):
    WATCH = "watch"
    RING = "ring"
    NECKLACE = "necklace"
    BRACELET = "bracelet"
    EARRINGS = "earrings"


class Gender(str, enum.Enum):
    LADIES = "ladies"
    MEN = "men"
    UNISEX = "unisex"


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text)
    # After-sales care as the house defines it for the collection's pieces.
    warranty_years: Mapped[int]
    service_interval_years: Mapped[int | None]
    care_advice: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)

    products: Mapped[list[Product]] = relationship(back_populates="collection")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id"), index=True)
    category: Mapped[ProductCategory] = mapped_column(str_enum(ProductCategory, "product_category"))
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender"))
    material: Mapped[str] = mapped_column(String(64))  # e.g. "18K rose gold"
    stones: Mapped[str | None] = mapped_column(String(120))  # e.g. "diamonds", None for none
    price_usd: Mapped[int]
    # Watches only.
    movement: Mapped[str | None] = mapped_column(String(64))
    case_size_mm: Mapped[float | None]
    water_resistance_m: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)

    collection: Mapped[Collection] = relationship(back_populates="products")


class Boutique(Base):
    __tablename__ = "boutiques"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address_line: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80), index=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    postcode: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name, e.g. "America/New_York"
    # {"mon": ["10:00", "18:00"], ..., "sun": null}: local opening hours, null when closed.
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_demo: Mapped[bool] = mapped_column(default=False)
