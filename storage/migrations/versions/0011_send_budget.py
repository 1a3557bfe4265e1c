"""send budget: the next free send slot of each bot token, shared by all its senders

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budget",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_send_budget")),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
