"""CSAT ratings: the customer's 1-5 rating and comment per conversation (issue 15 item 2)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "csat_ratings",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
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
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", UTCDateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_csat_ratings_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_csat_ratings_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["channel_identities.id"],
            name=op.f("fk_csat_ratings_identity_id_channel_identities"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_csat_ratings")),
    )
    with op.batch_alter_table("csat_ratings", schema=None) as batch_op:
        batch_op.create_index("ix_csat_ratings_identity_asked", ["identity_id", "asked_at"])
        batch_op.create_index(batch_op.f("ix_csat_ratings_agent_id"), ["agent_id"])


def downgrade() -> None:
    op.drop_table("csat_ratings")
