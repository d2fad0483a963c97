"""privacy request outcomes

What the privacy team answered (the reason for a refusal, the question asked, a note on
completion), when more information was asked for, and how many times the customer asked
for the same thing while it was open (repeats are linked to the open request, not filed).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("privacy_requests") as batch:
        batch.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("information_requested_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("times_asked", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests") as batch:
        batch.drop_column("times_asked")
        batch.drop_column("information_requested_at")
        batch.drop_column("resolution_note")
