"""Request counters shared by every gateway on one store (bot/gateway/limits.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base


class RateCounter(Base):
    """How many requests one subject made in one fixed window.

    Incremented with one atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), so
    gateways sharing the store share the count; rows of past windows are deleted now and then.
    """

    __tablename__ = "rate_counters"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)  # "session", "address", ...
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)  # epoch s
    hits: Mapped[int] = mapped_column(default=0)
