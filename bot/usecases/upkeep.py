"""Upkeep the tick does a batch at a time: articles stored before the search index or story
grouping existed are indexed and grouped; once none is left, this process stops looking."""

from __future__ import annotations

from bot.usecases.runtime import Runtime
from storage import search as search_index
from storage import session_scope
from storage import stories as story_queries


async def index_unindexed(runtime: Runtime, *, limit: int = 100) -> int:
    """Put a batch of articles stored before the search index existed into it; how many."""
    if runtime.search_index_complete:
        return 0
    async with session_scope(runtime.sessions) as session:
        article_ids = await search_index.unindexed_articles(session, limit=limit)
    runtime.search_index_complete = not article_ids
    loaded = await runtime.renderer.load_articles(list(article_ids)) if article_ids else {}
    async with session_scope(runtime.sessions) as session:
        for article_id, article in loaded.items():
            await search_index.index_article(session, article_id=article_id, article=article)
    return len(loaded)


async def group_ungrouped(runtime: Runtime, *, limit: int = 1_000) -> int:
    """Give a batch of articles stored before stories were grouped their stories; how many."""
    if runtime.stories_complete:
        return 0
    async with session_scope(runtime.sessions) as session:
        rows, texts = await story_queries.unassigned_articles(session, limit=limit)
        if rows:
            await story_queries.assign_stories(session, rows=rows, texts=texts)
    runtime.stories_complete = not rows
    return len(rows)
