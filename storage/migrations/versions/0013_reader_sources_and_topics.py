"""readers' own sources and forum topics: public sources, who follows what as their own, and
the topic digests (or one source's articles) go to

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("subscriber") as batch:
        batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
    op.create_table(
        "source_reader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
            name="fk_source_reader_subscriber_id_subscriber",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name="fk_source_reader_source_id_source", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_source_reader"),
        sa.UniqueConstraint("subscriber_id", "source_id", name="uq_source_reader_subscriber_source"),
    )
    op.create_index("ix_source_reader_source", "source_reader", ["source_id"])
    op.create_table(
        "source_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
            name="fk_source_topic_subscriber_id_subscriber",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name="fk_source_topic_source_id_source", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_source_topic"),
        sa.UniqueConstraint("subscriber_id", "source_id", name="uq_source_topic_subscriber_source"),
    )


def downgrade() -> None:
    op.drop_table("source_topic")
    op.drop_index("ix_source_reader_source", table_name="source_reader")
    op.drop_table("source_reader")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_column("topic_id")
    with op.batch_alter_table("source") as batch:
        batch.drop_column("public")
