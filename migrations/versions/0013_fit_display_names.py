"""fit display names to what the channels allow (issue 17 item 8)

A Telegram user's first and last name are up to 64 characters each (129 with the space), a
group's title up to 128: a 120-character column refused them on PostgreSQL and the update was
dropped. 255 holds every channel's longest name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_identities") as batch:
        batch.alter_column(
            "display_name",
            existing_type=sa.String(length=120),
            type_=sa.String(length=255),
            existing_nullable=True,
        )


def downgrade() -> None:
    op.execute("UPDATE channel_identities SET display_name = substr(display_name, 1, 120)")
    with op.batch_alter_table("channel_identities") as batch:
        batch.alter_column(
            "display_name",
            existing_type=sa.String(length=255),
            type_=sa.String(length=120),
            existing_nullable=True,
        )
