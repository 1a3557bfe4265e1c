"""digest formats: a chat's choice between rich and classic messages, and the form each
delivery went out in

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriber") as batch:
        batch.add_column(sa.Column("digest_format", sa.String(length=8), nullable=True))
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("form", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("form")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_column("digest_format")
