"""keyword filters of subscribers (with a key shared by equal filters) and of sources

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriber") as batch:
        batch.add_column(sa.Column("keyword_filter", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("filter_key", sa.String(length=32), nullable=True))
        batch.create_index("ix_subscriber_filter_key", ["filter_key"])
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("keyword_filter", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("keyword_filter")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_index("ix_subscriber_filter_key")
        batch.drop_column("filter_key")
        batch.drop_column("keyword_filter")
