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

from sqlalchemy import Integer, Result, String, TextClause, text
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from storage.db import dialect_name
from storage.models import UtcDateTime


def _document(article: digests.Article) -> str:
    from digests.filters import article_text  # title, lead, headings, paragraphs: as filters read it
    from digests.search import search_terms  # jieba-rs and the folding tables: when first used

    return " ".join(search_terms(article_text(article)))


async def _execute(session: AsyncSession, statement: TextClause | TextualSelect) -> Result[Any]:
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
    session: AsyncSession, *, query: str, limit: int = 10, offset: int = 0
) -> list[tuple[int, str, datetime]]:
    """(id, title, published) of the articles holding every word of ``query``, newest first: one
    query matches, joins, sorts and limits in the database (no list of ids comes back to it)."""
    from digests.search import search_terms

    terms = search_terms(query, query=True)
    if not terms:
        return []
    if _sqlite(session):
        match = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
        found = text(
            "SELECT article.id, article.title, article.published_at FROM article_search "
            "JOIN article ON article.id = article_search.rowid WHERE article_search MATCH :match "
            "ORDER BY article.published_at DESC, article.id DESC LIMIT :limit OFFSET :offset"
        ).bindparams(match=match, limit=limit, offset=offset)
    else:
        found = text(
            "SELECT article.id, article.title, article.published_at FROM article_search "
            "JOIN article ON article.id = article_search.article_id "
            "WHERE article_search.document @@ plainto_tsquery('simple', :terms) "
            "ORDER BY article.published_at DESC, article.id DESC LIMIT :limit OFFSET :offset"
        ).bindparams(terms=" ".join(terms), limit=limit, offset=offset)
    typed = found.columns(id=Integer(), title=String(), published_at=UtcDateTime())
    rows: Sequence[Any] = (await _execute(session, typed)).all()
    return [(int(row[0]), str(row[1]), row[2]) for row in rows]
