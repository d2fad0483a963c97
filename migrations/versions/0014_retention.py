"""retention: when a conversation's text was purged (issue 16 item 2)

The retention job (bot/services/retention.py) purges the text of conversations closed longer
than RETENTION_DAYS ago; `purged_at` marks them so that a run does not take them again, unless
the customer wrote in the same conversation after the purge.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("purged_at")
