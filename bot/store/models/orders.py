"""Orders and repairs, each with its status history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, CreatedAtMixin, str_enum
from bot.store.models.catalogue import Boutique, Product
from bot.store.models.contacts import Contact


class OrderStatus(str, enum.Enum):
    RECEIVED = "received"
    PREPARING = "preparing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    READY_FOR_COLLECTION = "ready_for_collection"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class Order(CreatedAtMixin, Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    # Verification answers: the e-mail and delivery postcode given when ordering.
    email: Mapped[str] = mapped_column(String(254))
    postcode: Mapped[str] = mapped_column(String(10))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    placed_at: Mapped[datetime]
    estimated_delivery: Mapped[date | None]
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    collection_boutique_id: Mapped[int | None] = mapped_column(ForeignKey("boutiques.id"))
    is_demo: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship()
    items: Mapped[list[OrderItem]] = relationship(back_populates="order")
    history: Mapped[list[OrderStatusEvent]] = relationship(
        back_populates="order", order_by="OrderStatusEvent.at"
    )
    collection_boutique: Mapped[Boutique | None] = relationship()


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price_usd: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class OrderStatusEvent(Base):
    __tablename__ = "order_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="history")


class RepairStatus(str, enum.Enum):
    RECEIVED = "received"
    AWAITING_ESTIMATE_APPROVAL = "awaiting_estimate_approval"
    IN_PROGRESS = "in_progress"
    QUALITY_CONTROL = "quality_control"
    READY_FOR_COLLECTION = "ready_for_collection"
    COLLECTED = "collected"
    DECLINED = "declined"


class Repair(CreatedAtMixin, Base):
    __tablename__ = "repairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    postcode: Mapped[str] = mapped_column(String(10))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    item_description: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(120))  # e.g. "complete service"
    boutique_id: Mapped[int] = mapped_column(ForeignKey("boutiques.id"))
    status: Mapped[RepairStatus] = mapped_column(str_enum(RepairStatus, "repair_status"))
    received_at: Mapped[datetime]
    estimate_usd: Mapped[int | None]
    estimate_approved: Mapped[bool] = mapped_column(default=False)
    estimated_completion: Mapped[date | None]
    is_demo: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship()
    product: Mapped[Product | None] = relationship()
    boutique: Mapped[Boutique] = relationship()
    history: Mapped[list[RepairStatusEvent]] = relationship(
        back_populates="repair", order_by="RepairStatusEvent.at"
    )


class RepairStatusEvent(Base):
    __tablename__ = "repair_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repairs.id"), index=True)
    status: Mapped[RepairStatus] = mapped_column(str_enum(RepairStatus, "repair_status"))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)

    repair: Mapped[Repair] = relationship(back_populates="history")
