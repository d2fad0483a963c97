"""conversation outcomes: how each conversation ended, recorded as it happens (issue 15)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_outcomes",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "webchat",
                "telegram",
                "x",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "open",
                "assistant_resolved",
                "handed_off",
                "abandoned",
                "agent_resolved",
                name="outcome_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("handoff_reason", sa.String(length=64), nullable=True),
        sa.Column("handed_off_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("first_agent_reply_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_response_seconds", sa.Float(), nullable=True),
        sa.Column("agent_messages", sa.Integer(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_seconds", sa.Float(), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_conversation_outcomes_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_outcomes_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_outcomes")),
    )
    with op.batch_alter_table("conversation_outcomes", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_outcomes_started_at", ["started_at"])
        batch_op.create_index("ix_conversation_outcomes_open", ["closed_at", "last_activity_at"])
        batch_op.create_index(batch_op.f("ix_conversation_outcomes_agent_id"), ["agent_id"])


def downgrade() -> None:
    op.drop_table("conversation_outcomes")
