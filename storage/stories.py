"""Stories: an article joins the story of a near-duplicate stored in the window before it.

Candidates come from the database by band key (``article_band``, the LSH index every worker
shares), among articles fetched within ``STORY_WINDOW``; the most similar one at or above
``digests.stories.SAME_STORY`` gives its story id, else the article starts a story of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import digests
from digests.stories import SAME_STORY, band_keys, signature, similarity
from storage.models import Article, ArticleBand

STORY_WINDOW = timedelta(hours=48)


def story_text(article: digests.Article) -> str:
    """What stories compare: the body (lead and paragraphs), not the title or headings, which
    outlets rewrite."""
    return "\n".join(article.paragraphs) or article.title


async def assign_story(
    session: AsyncSession, *, row: Article, article: digests.Article, now: datetime, keep_story: bool = False
) -> None:
    """Sign the article, index its bands, and give it a story: a near-duplicate's within the
    window, else its own. ``keep_story``: an edited article keeps the story it has."""
    packed = await asyncio.to_thread(signature, story_text(article))
    keys = band_keys(packed) if packed is not None else []
    if row.story_id is None or not keep_story:
        found = None
        if packed is not None:
            found = await _matching_story(session, article_id=row.id, packed=packed, keys=keys, now=now)
        row.story_id = found or row.id
    replacing = row.signature is not None  # an edited article: its old bands go
    row.signature = packed
    session.add(row)
    if replacing:
        await session.exec(delete(ArticleBand).where(col(ArticleBand.article_id) == row.id))
    if keys:
        params = [{"band_key": key, "article_id": row.id} for key in set(keys)]
        await session.exec(insert(ArticleBand), params=params)


async def _matching_story(
    session: AsyncSession, *, article_id: int | None, packed: bytes, keys: Sequence[int], now: datetime
) -> int | None:
    candidates = select(Article.id, Article.story_id, Article.signature).where(
        col(Article.id).in_(
            select(ArticleBand.article_id).where(col(ArticleBand.band_key).in_(list(set(keys))))
        ),
        col(Article.id) != article_id,
        col(Article.fetched_at) >= now - STORY_WINDOW,
        col(Article.signature).is_not(None),
    )
    best, story = SAME_STORY, None
    for other_id, other_story, other_signature in (await session.exec(candidates)).all():
        score = similarity(packed, other_signature)
        if score >= best:
            best, story = score, other_story or other_id
    return story


async def story_versions(session: AsyncSession, *, article_ids: Collection[int]) -> dict[int, int]:
    """Each article's story id (its own id when it has none)."""
    statement = select(Article.id, Article.story_id).where(col(Article.id).in_(list(article_ids)))
    return {int(i): int(story or i) for i, story in (await session.exec(statement)).all()}
