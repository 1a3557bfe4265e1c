"""entries of a feed that stored no article (not parsed on every poll); an index for claims

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("skipped_entries", sa.JSON(), nullable=False, server_default="{}"))
    # The oldest pending deliveries, read in order: a claim no longer sorts the whole outbox.
    op.create_index("ix_delivery_state_queued", "delivery", ["state", "queued_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_delivery_state_queued", table_name="delivery")
    with op.batch_alter_table("source") as batch:
        batch.drop_column("skipped_entries")
