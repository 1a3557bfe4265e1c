"""Keyword filters: a chat's (/filter), a source's (/sourcefilter), and which articles pass.

Queueing asks ``FilterVerdicts`` which articles each *distinct* filter accepts: every article
is folded once and every (filter, article) pair decided once, however many chats share the
filter; the matching runs off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.usecases.runtime import Runtime
from digests.filters import KeywordFilter, fold
from storage import Source, session_scope
from storage import articles as article_queries
from storage import sources as source_queries
from storage import subscribers as subscriber_queries


async def change_chat_filter(runtime: Runtime, *, chat_id: int, words: str | None) -> KeywordFilter:
    """Add ``+word``/``-word`` to a chat's filter, or clear it (``words=None``); ``DigestError``
    (reason ``bad_filter_…``) when the words are not a valid filter."""
    async with session_scope(runtime.sessions) as session:
        subscriber = await subscriber_queries.ensure_subscriber(session, chat_id=chat_id)
        current = KeywordFilter.from_json(subscriber.keyword_filter)
        # Folding (OpenCC for Chinese) is CPU work: off the event loop, its limits checked first.
        changed = KeywordFilter() if words is None else await asyncio.to_thread(current.changed, words)
        await subscriber_queries.set_keyword_filter(
            session,
            subscriber=subscriber,
            keyword_filter=None if changed.empty else changed.as_json(),
            key=changed.key,
        )
    return changed


async def chat_filter(runtime: Runtime, *, chat_id: int) -> KeywordFilter:
    """A chat's keyword filter (empty when it has none)."""
    async with session_scope(runtime.sessions) as session:
        subscriber = await subscriber_queries.get_subscriber(session, chat_id=chat_id)
    return KeywordFilter.from_json(subscriber.keyword_filter if subscriber else None)


async def change_source_filter(runtime: Runtime, *, source: Source, words: str | None) -> KeywordFilter:
    """Add words to a source's filter, or clear it: later entries that fail it are not stored."""
    current = KeywordFilter.from_json(source.keyword_filter)
    changed = KeywordFilter() if words is None else await asyncio.to_thread(current.changed, words)
    async with session_scope(runtime.sessions) as session:
        session.add(source)
        await source_queries.set_keyword_filter(
            session, source=source, keyword_filter=None if changed.empty else changed.as_json()
        )
    return changed


class FilterVerdicts:
    """Which articles each distinct filter accepts, remembered for one queueing run."""

    def __init__(self) -> None:
        self._verdicts: dict[tuple[str, int], bool] = {}

    async def accepted(
        self, session: AsyncSession, *, keys: Collection[str], article_ids: Collection[int]
    ) -> dict[str, set[int]]:
        """For each filter key, the articles among ``article_ids`` its filter accepts."""
        if not keys or not article_ids:
            return {key: set() for key in keys}
        filters = {
            key: KeywordFilter.from_json(stored)
            for key, stored in (await subscriber_queries.filters_by_key(session, keys=keys)).items()
        }
        undecided = {a for a in article_ids for key in filters if (key, a) not in self._verdicts}
        texts = await article_queries.filter_texts(session, article_ids=undecided)
        if texts:
            self._verdicts.update(await asyncio.to_thread(_decide, filters, texts))
        return {key: {a for a in article_ids if self._verdicts.get((key, a), False)} for key in filters}


async def accepting_keys(session: AsyncSession, *, article_id: int) -> list[str]:
    """The filter keys of instant-digest chats whose filter accepts this article."""
    filters = await subscriber_queries.filters_by_key(session, instant=True)
    if not filters:
        return []
    texts = await article_queries.filter_texts(session, article_ids=[article_id])
    verdicts = await asyncio.to_thread(
        _decide, {key: KeywordFilter.from_json(stored) for key, stored in filters.items()}, texts
    )
    return [key for (key, _), accepted in verdicts.items() if accepted]


def _decide(
    filters: Mapping[str, KeywordFilter], texts: Mapping[int, tuple[str, str]]
) -> dict[tuple[str, int], bool]:
    verdicts = {}
    for article_id, (title, text) in texts.items():
        folded = fold(f"{title}\n{text}")
        for key, keyword_filter in filters.items():
            verdicts[(key, article_id)] = keyword_filter.accepts_folded(folded)
    return verdicts
