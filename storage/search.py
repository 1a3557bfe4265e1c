"""Full-text search over stored articles: SQLite FTS5 and PostgreSQL text search, one API.

The index holds each article's title and text as search terms (``digests.search``); SQLite keeps
them in an FTS5 table (``article_search``, rowid = article id), PostgreSQL as a ``tsvector``
with a GIN index ('simple' configuration: the terms are already words, no stemming). A query
matches articles holding every term, newest first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Result, TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from storage.articles import visible_sql
from storage.db import dialect_name


def _document(article: digests.Article) -> str:
    from digests.filters import article_text  # title, lead, headings, paragraphs: as filters read it
    from digests.search import search_terms  # jieba-rs and the folding tables: when first used

    return " ".join(search_terms(article_text(article)))


async def _execute(session: AsyncSession, statement: TextClause | TextualSelect) -> Result[Any]:
    """Raw SQL in the session's transaction (SQLModel's ``exec`` is typed for its own statements)."""
    return await (await session.connection()).execute(statement)


async def _read_connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection for a read that is its first statement: outside a transaction,
    which saves the BEGIN and COMMIT round trips that would double the time of a short search.
    (SQLite's driver begins a transaction only before a write: a read needs nothing more.)"""
    autocommit = not _sqlite(session) and not session.in_transaction()
    return await session.connection(
        execution_options={"isolation_level": "AUTOCOMMIT"} if autocommit else None
    )


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


_SQLITE_SEARCH = (
    "SELECT article.id, article.title, article.published_at FROM article_search "
    "JOIN article ON article.id = article_search.rowid WHERE article_search MATCH ? "
    f"AND {visible_sql('?')} ORDER BY article.published_at DESC, article.id DESC LIMIT ? OFFSET ?"
)
_POSTGRESQL_SEARCH = (
    "SELECT article.id, article.title, article.published_at FROM article_search "
    "JOIN article ON article.id = article_search.article_id "
    "WHERE article_search.document @@ plainto_tsquery('simple', $1) "
    f"AND {visible_sql('$4')} ORDER BY article.published_at DESC, article.id DESC LIMIT $2 OFFSET $3"
)


async def search_articles(
    session: AsyncSession, *, query: str, chat_id: int | None = None, limit: int = 10, offset: int = 0
) -> list[tuple[int, str, datetime]]:
    """(id, title, published) of the articles holding every word of ``query`` that the chat may
    read (``None``: everyone's only), newest first: one query matches, joins, sorts and limits
    in the database (no list of ids comes back to it)."""
    from digests.search import search_terms

    terms = search_terms(query, query=True)
    if not terms:
        return []
    # The busiest read a reader can start, on the driver itself and outside a transaction:
    # SQLAlchemy's own work per statement (near a millisecond) would be more than the query's.
    driver = (await (await _read_connection(session)).get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("the connection was closed")
    if _sqlite(session):
        match = " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)
        async with driver.execute(_SQLITE_SEARCH, (match, chat_id, limit, offset)) as cursor:
            rows = await cursor.fetchall()
        return [(int(r[0]), str(r[1]), datetime.fromisoformat(r[2]).replace(tzinfo=UTC)) for r in rows]
    records = await driver.fetch(_POSTGRESQL_SEARCH, " ".join(terms), limit, offset, chat_id)
    return [(int(r[0]), str(r[1]), r[2].astimezone(UTC)) for r in records]
