"""stories: articles that tell the same story share a story id, found by MinHash bands

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signature", sa.LargeBinary(), nullable=True))
        batch.create_index("ix_article_story_id", ["story_id"])
    op.create_table(
        "article_band",
        sa.Column("band_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "article_id", sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), nullable=False
        ),
        sa.PrimaryKeyConstraint("band_key", "article_id", name="pk_article_band"),
    )


def downgrade() -> None:
    op.drop_table("article_band")
    with op.batch_alter_table("article") as batch:
        batch.drop_index("ix_article_story_id")
        batch.drop_column("signature")
        batch.drop_column("story_id")
