"""privacy operations: overdue privacy requests alerted once, erased contacts

A privacy request past its due date is e-mailed to the on-duty address once; the time it was
alerted is kept on the request, set by the conditional UPDATE that takes it. A contact whose
personal data was erased keeps its row (orders and repairs point to it), marked erased_at
(issue 16).

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", bot.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "overdue_alerted_at", bot.store.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_column("overdue_alerted_at")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
