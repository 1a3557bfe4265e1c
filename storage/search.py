"""Full-text search over stored articles: SQLite FTS5 and PostgreSQL text search, one API.

The index holds each article's title and text as search terms (``digests.search``); SQLite keeps
them in an FTS5 table (``article_search``, rowid = article id), PostgreSQL as a ``tsvector``
with a GIN index ('simple' configuration: the terms are already words, no stemming). A query
matches articles holding every term, newest first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Result, TextClause, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from storage.db import dialect_name
from storage.models import Article, stored_id


def _document(article: digests.Article) -> str:
    from digests.filters import article_text  # title, lead, headings, paragraphs: as filters read it
    from digests.search import search_terms  # jieba-rs and the folding tables: when first used

    return " ".join(search_terms(article_text(article)))


async def _execute(session: AsyncSession, statement: TextClause) -> Result[Any]:
    """Raw SQL in the session's transaction (SQLModel's ``exec`` is typed for its own statements)."""
    return await (await session.connection()).execute(statement)


def _sqlite(session: AsyncSession) -> bool:
    return dialect_name(session) == "sqlite"


async def index_article(session: AsyncSession, *, article_id: int, article: digests.Article) -> None:
    """Put an article (new or edited) into the search index; segmenting runs off the event loop."""
    document = await asyncio.to_thread(_document, article)
    if _sqlite(session):
        await _execute(
            session, text("DELETE FROM article_search WHERE rowid = :id").bindparams(id=article_id)
        )
        await _execute(
            session,
            text("INSERT INTO article_search (rowid, terms) VALUES (:id, :terms)").bindparams(
                id=article_id, terms=document
            ),
        )
    else:
        await _execute(
            session,
            text(
                "INSERT INTO article_search (article_id, document) "
                "VALUES (:id, to_tsvector('simple', :terms)) "
                "ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
            ).bindparams(id=article_id, terms=document),
        )


async def unindexed_articles(session: AsyncSession, *, limit: int = 100) -> Sequence[int]:
    """Articles stored before the index existed (or while indexing failed), oldest first."""
    table, key = ("article_search", "rowid") if _sqlite(session) else ("article_search", "article_id")
    rows = await _execute(
        session,
        text(
            f"SELECT id FROM article WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {key} = article.id) "
            "ORDER BY id LIMIT :limit"
        ).bindparams(limit=limit),
    )
    return [int(row[0]) for row in rows.all()]


async def search_articles(
    session: AsyncSession, *, query: str, limit: int = 10
) -> list[tuple[int, str, datetime]]:
    """(id, title, published) of the articles holding every word of ``query``, newest first."""
    from digests.search import search_terms

    terms = search_terms(query, query=True)
    if not terms:
        return []
    if _sqlite(session):
        match = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
        matching = text("SELECT rowid FROM article_search WHERE article_search MATCH :match").bindparams(
            match=match
        )
    else:
        matching = text(
            "SELECT article_id FROM article_search WHERE document @@ plainto_tsquery('simple', :terms)"
        ).bindparams(terms=" ".join(terms))
    ids = [int(row[0]) for row in (await _execute(session, matching)).all()]
    if not ids:
        return []
    statement = (
        select(Article.id, Article.title, Article.published_at)
        .where(col(Article.id).in_(ids))
        .order_by(col(Article.published_at).desc(), col(Article.id).desc())
        .limit(limit)
    )
    return [(stored_id(i), title, published) for i, title, published in (await session.exec(statement)).all()]
