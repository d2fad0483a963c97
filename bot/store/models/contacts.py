"""Customers (contacts) and their identities on each channel."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, CreatedAtMixin, str_enum


class Channel(str, enum.Enum):
    WEBCHAT = "webchat"
    TELEGRAM = "telegram"
    X = "x"


class Priority(str, enum.Enum):
    """How the house wants a customer served: it orders the concierge queue before age."""

    NORMAL = "normal"
    HIGH = "high"
    VIP = "vip"


class Contact(CreatedAtMixin, Base):
    """A customer of the house. Orders, repairs, consent and privacy requests hang off it."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    address_line: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    postcode: Mapped[str | None] = mapped_column(String(10))
    date_of_birth: Mapped[date | None]
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    is_demo: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[Priority] = mapped_column(
        str_enum(Priority, "priority"), default=Priority.NORMAL, server_default="normal"
    )
    # When the contact's personal data was erased (bot/services/erasure.py); the row stays
    # for the orders and repairs that point to it.
    erased_at: Mapped[datetime | None]

    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="contact")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# The longest name a channel shows: Telegram's first and last name (64 + 1 + 64) or a group's
# title (128), X's name (50). Longer is cut, never refused (connectors/*, record.py).
DISPLAY_NAME_LENGTH = 255


class ChannelIdentity(CreatedAtMixin, Base):
    """Who someone is on one channel: a web chat session, a Telegram chat, an X account.

    It is linked to a contact only once the person has proved who they are.
    """

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_LENGTH))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    verified_at: Mapped[datetime | None]

    contact: Mapped[Contact | None] = relationship(back_populates="identities")
