"""concierge queue: handoffs, alerts, labels, teams, priority, snooze, reads, proofs

What the queue needs to say who waits and why, to alert agents once per event, and to carry
what the customer proved in the chat over to the agent (issue 14).

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 18:38:49.950129
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_presence",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_inbox_presence_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_inbox_presence")),
    )
    with op.batch_alter_table("inbox_presence", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_presence_seen_at", ["seen_at"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "handoff",
                "escalation",
                name="alert_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("mail_to", sa.String(length=254), nullable=True),
        sa.Column(
            "mail_status",
            sa.Enum(
                "not_needed",
                "pending",
                "sending",
                "sent",
                "failed",
                name="mail_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("mail_error", sa.Text(), nullable=True),
        sa.Column("created_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_alerts_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_alerts_key")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alerts_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_alerts_mail_status"), ["mail_status"], unique=False)

    op.create_table(
        "conversation_labels",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_labels_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", "label", name=op.f("pk_conversation_labels")),
    )
    op.create_table(
        "conversation_proofs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "code",
                "order_check",
                "repair_check",
                name="proof_method",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=True),
        sa.Column("created_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_conversation_proofs_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_proofs_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_proofs")),
    )
    with op.batch_alter_table("conversation_proofs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_proofs_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "conversation_reads",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_conversation_reads_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_reads_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("agent_id", "conversation_id", name=op.f("pk_conversation_reads")),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("queued_at", bot.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", bot.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("digest", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by_agent_id"],
            ["agents.id"],
            name=op.f("fk_handoffs_claimed_by_agent_id_agents"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_handoffs_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint(
            "conversation_id", "queued_at", name=op.f("uq_handoffs_conversation_id_queued_at")
        ),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffs_claimed_at"), ["claimed_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_handoffs_conversation_id"), ["conversation_id"], unique=False
        )

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team", sa.String(length=32), nullable=True))

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "priority",
                sa.Enum(
                    "normal",
                    "high",
                    "vip",
                    name="priority",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="normal",
                nullable=False,
            )
        )

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("escalated_at", bot.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("team", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("topic", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("snoozed_at", bot.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("snoozed_until", bot.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("customer_left_at", bot.store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("customer_left_at")
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("snoozed_at")
        batch_op.drop_column("topic")
        batch_op.drop_column("team")
        batch_op.drop_column("escalated_at")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("priority")

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("team")

    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_handoffs_claimed_at"))

    op.drop_table("handoffs")
    op.drop_table("conversation_reads")
    with op.batch_alter_table("conversation_proofs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_proofs_conversation_id"))

    op.drop_table("conversation_proofs")
    op.drop_table("conversation_labels")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_mail_status"))
        batch_op.drop_index(batch_op.f("ix_alerts_conversation_id"))

    op.drop_table("alerts")
    with op.batch_alter_table("inbox_presence", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_presence_seen_at")

    op.drop_table("inbox_presence")
