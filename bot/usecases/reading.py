"""Reading stored articles: finding one, listing the newest, recording what a reader was sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import digests
from bot.usecases.ids import parse_id
from bot.usecases.runtime import Runtime
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import search as search_index
from storage import session_scope


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One line of the article list."""

    id: int
    title: str
    published_at: datetime


async def find_article(
    runtime: Runtime, reference: str | None, *, chat_id: int | None = None
) -> tuple[int, digests.Article] | None:
    """The article with that id (``12`` or ``#12``), or the newest one, that the chat may read
    (``None``: everyone's only); ``None`` when there is none."""
    async with session_scope(runtime.sessions) as session:
        if reference is None:
            row = await article_queries.latest_article(session, chat_id=chat_id)
        else:
            article_id = parse_id(reference)
            row = (
                None
                if article_id is None
                else await article_queries.readable_article(session, article_id=article_id, chat_id=chat_id)
            )
        if row is None or row.id is None:
            return None
    # Through the renderer's cache: its digests of this article are the ones of this content.
    loaded = await runtime.renderer.load_articles([row.id])
    return (row.id, loaded[row.id]) if row.id in loaded else None


async def recent_articles(
    runtime: Runtime, *, chat_id: int | None = None, limit: int = 10
) -> Sequence[ArticleSummary]:
    """The newest articles the chat may read, newest first."""
    async with session_scope(runtime.sessions) as session:
        rows = await article_queries.recent_articles(session, chat_id=chat_id, limit=limit)
    return [ArticleSummary(row.id or 0, row.title, row.published_at) for row in rows]


@dataclass(frozen=True, slots=True)
class SearchResults:
    articles: Sequence[ArticleSummary]
    offset: int
    more: bool  # there are older results after these


async def search(
    runtime: Runtime, *, query: str, chat_id: int | None = None, limit: int = 10, offset: int = 0
) -> SearchResults:
    """A page of the articles holding every word of ``query`` (title, headings, text) that the
    chat may read, newest first: ``limit`` of them from ``offset`` on, and whether more follow."""
    async with session_scope(runtime.sessions) as session:
        rows = await search_index.search_articles(
            session, query=query, chat_id=chat_id, limit=limit + 1, offset=offset
        )
    return SearchResults([ArticleSummary(*row) for row in rows[:limit]], offset, more=len(rows) > limit)


async def record_read(
    runtime: Runtime, *, subscriber_id: int, article_id: int, message_ids: list[int]
) -> None:
    """A reader asked for an article and got it: it is not pushed to them again."""
    async with session_scope(runtime.sessions) as session:
        await delivery_queries.record_sent(
            session, subscriber_id=subscriber_id, article_id=article_id, message_ids=message_ids
        )


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """An article as an inline answer shows it: title, where from, its best sentence, its link."""

    id: int
    title: str
    site: str
    sentence: str
    url: str | None


async def article_cards(runtime: Runtime, *, query: str, limit: int = 20) -> list[ArticleCard]:
    """Cards of the articles holding every word of ``query`` (the newest with no words), newest
    first, of everyone's sources only (an inline answer is seen in any chat); each card's
    sentence is the article's best, from the digest cache."""
    if query.strip():
        found: Sequence[ArticleSummary] = (await search(runtime, query=query, limit=limit)).articles
    else:
        found = await recent_articles(runtime, limit=limit)
    ids = [row.id for row in found]
    async with session_scope(runtime.sessions) as session:
        origins = await article_queries.origins(session, article_ids=ids)
    articles = await runtime.renderer.load_articles(ids)
    cards = []
    for row in found:
        article = articles.get(row.id)
        if article is None:
            continue
        sentence = await runtime.renderer.best_sentence(row.id, article)
        site, url = origins.get(row.id, ("", None))
        cards.append(ArticleCard(row.id, row.title, site, sentence, url))
    return cards
