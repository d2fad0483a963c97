"""Concierge agents who work in the inbox."""

from __future__ import annotations

import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, CreatedAtMixin, str_enum


class AgentRole(str, enum.Enum):
    AGENT = "agent"
    ADMIN = "admin"


class Agent(CreatedAtMixin, Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # argon2 hash; there is never a default password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[AgentRole] = mapped_column(
        str_enum(AgentRole, "agent_role"), default=AgentRole.AGENT
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    # The team whose queue the agent sees first (bot/services/routing.py); None: no team.
    team: Mapped[str | None] = mapped_column(String(32))
