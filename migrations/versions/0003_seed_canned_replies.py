"""seed canned replies

A few replies every concierge needs from the first day. They are working content, not demo
data, so they come with the schema (also in production); admins change or delete them in
the inbox (/inbox/canned). The downgrade removes only these short codes, and only if their
text was not changed since.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from bot.store.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CANNED = [
    (
        "hello",
        "Greeting on taking over",
        "Good day, this is the Maison's concierge. I have read your conversation with our "
        "assistant and I will be glad to help you from here.",
    ),
    (
        "verify",
        "Ask for the order details",
        "To look into this for you I first need to confirm it is you: could you give me your "
        "order number and the e-mail address or postcode used when ordering?",
    ),
    (
        "checking",
        "Looking into it",
        "Thank you. I am looking into this now and will come back to you here in a few minutes.",
    ),
    (
        "workshop",
        "Repair update requested",
        "I have asked our after-sales workshop for an update on your piece and will write to "
        "you here as soon as I hear from them.",
    ),
    (
        "thanks",
        "Thanks and anything else",
        "Thank you for your patience. Is there anything else I can help you with today?",
    ),
    (
        "bye",
        "Closing",
        "It was a pleasure to help. I will close this conversation now; our assistant remains "
        "here for you at any time, and so do we.",
    ),
]

canned_responses = sa.table(
    "canned_responses",
    sa.column("short_code", sa.String),
    sa.column("title", sa.String),
    sa.column("text", sa.Text),
    sa.column("created_at", UTCDateTime()),
)


def upgrade() -> None:
    now = datetime.now(timezone.utc)
    op.bulk_insert(
        canned_responses,
        [{"short_code": c, "title": t, "text": x, "created_at": now} for c, t, x in CANNED],
    )


def downgrade() -> None:
    for code, _, text in CANNED:
        op.execute(
            canned_responses.delete().where(
                canned_responses.c.short_code == code, canned_responses.c.text == text
            )
        )
