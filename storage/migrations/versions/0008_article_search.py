"""full-text search over articles: an FTS5 table on SQLite, a tsvector with a GIN index on PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Articles stored before this revision are indexed by the scheduler tick, a batch at a time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE article_search USING fts5(terms, tokenize = 'unicode61')")
        return
    op.create_table(
        "article_search",
        sa.Column(
            "article_id", sa.Integer(), sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
    )
    op.create_index("ix_article_search_document", "article_search", ["document"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE article_search")
        return
    op.drop_index("ix_article_search_document", table_name="article_search")
    op.drop_table("article_search")
