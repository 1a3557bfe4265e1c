"""Storing an article, and what follows from it, written once for publishing and polling.

Storage only stores; this use case then indexes the article for search, gives it its story
(near-duplicates of the last 48 hours share one), and queues it for the chats that want new
articles at once, each chat's keyword filter decided once. An edited article is indexed and
signed again, keeping its story.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from bot.usecases.filtering import accepting_keys
from storage import StoredArticle, stored_id, utcnow
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import search as search_index
from storage import stories as story_queries


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored article: its row, whether it was new (else its text was stored already), and
    for how many chats it was queued at once."""

    row: StoredArticle
    created: bool
    queued: int = 0


async def store_article(
    session: AsyncSession,
    *,
    article: digests.Article,
    source_id: int | None = None,
    url: str | None = None,
    guid: str | None = None,
    entry_key: str | None = None,
    published_at: datetime | None = None,
    now: datetime | None = None,
    announce: bool = True,
    extra: Mapping[str, object] | None = None,
) -> Stored:
    """Store a new article, index it, give it its story and (when it is announced) queue it for
    the chats that want articles as soon as they come."""
    now = now or utcnow()
    row, created = await article_queries.save_article(
        session,
        article=article,
        source_id=source_id,
        url=url,
        guid=guid,
        entry_key=entry_key,
        published_at=published_at,
        now=now,
        announce=announce,
        extra=extra,
    )
    if not created:
        return Stored(row, created=False)
    await search_index.index_article(session, article_id=stored_id(row.id), article=article)
    await story_queries.assign_story(session, row=row, article=article, now=now)
    queued = 0
    if row.announce:
        keys = await accepting_keys(session, article_id=stored_id(row.id))
        queued = await delivery_queries.queue_instant(
            session, article_id=stored_id(row.id), now=row.fetched_at, accepted_keys=keys
        )
    return Stored(row, created=True, queued=queued)


async def store_edit(
    session: AsyncSession,
    *,
    row: StoredArticle,
    article: digests.Article,
    extra: Mapping[str, object] | None = None,
) -> bool:
    """An edited entry: new text in place, indexed and signed again (its story kept); ``False``
    when the text is the same (or stored already as another article)."""
    changed = await article_queries.update_article(session, row=row, article=article, extra=extra)
    if changed:
        await search_index.index_article(session, article_id=stored_id(row.id), article=article)
        await story_queries.assign_story(session, row=row, article=article, now=utcnow(), keep_story=True)
    return changed
