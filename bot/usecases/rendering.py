"""Digests of stored articles as Telegram messages, rendered off the event loop and cached.

Summarizing is CPU work: it runs in a worker thread, never on the event loop. A broadcast
renders each (article, length) once, however many subscribers get it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Final, TypeVar, cast

import digests
from digests.render import RenderFormat, digest_blocks, pack_messages, render_digest, render_section
from storage import DigestLength, SessionFactory, session_scope
from storage import articles as article_queries

# Sentences (lead, each section in an overview, one section in detail) by digest length.
LENGTHS: Final[dict[DigestLength, tuple[int, int, int]]] = {
    DigestLength.SHORT: (1, 1, 3),
    DigestLength.NORMAL: (2, 2, 5),
    DigestLength.LONG: (3, 4, 8),
}
_CACHE_SIZE = 512

Rendered = TypeVar("Rendered")


class DigestRenderer:
    """Renders overviews, full digests and single sections; keeps the recent ones."""

    def __init__(self, sessions: SessionFactory, *, normal_sentences: int = 2) -> None:
        self._sessions = sessions
        self._normal_sentences = normal_sentences
        self._rendered: OrderedDict[tuple[object, ...], object] = OrderedDict()
        # Articles by id with the content hash they were loaded at: an article a later poll
        # edited is loaded again, and its digests (keyed by that hash) rendered again.
        self._articles: OrderedDict[int, tuple[str, digests.Article]] = OrderedDict()

    def budgets(self, length: DigestLength) -> tuple[int, int, int]:
        """Sentences for the lead, each overview section and a detailed section."""
        lead, section, detail = LENGTHS[length]
        if length == DigestLength.NORMAL:  # DIGEST_SENTENCES sets the normal overview
            section = lead = self._normal_sentences
        return lead, section, detail

    def version(self, article_id: int) -> str | None:
        """The content hash the article was last loaded at (``None`` when not loaded here)."""
        loaded = self._articles.get(article_id)
        return loaded[0] if loaded else None

    async def _cached(
        self, article_id: int, kind: tuple[object, ...], render: Callable[[], Rendered]
    ) -> Rendered:
        key = (article_id, self.version(article_id), *kind)
        if key in self._rendered:
            self._rendered.move_to_end(key)
            return cast(Rendered, self._rendered[key])
        rendered = await asyncio.to_thread(render)
        self._rendered[key] = rendered
        while len(self._rendered) > _CACHE_SIZE:
            self._rendered.popitem(last=False)
        return rendered

    async def overview_digest(
        self, article_id: int, article: digests.Article, *, length: DigestLength
    ) -> digests.ArticleDigest:
        """The overview digest: the lead's and each section's key sentences at this length."""
        lead, section, _detail = self.budgets(length)

        def render() -> digests.ArticleDigest:
            return digests.digest_article(article, lead_budget=lead, section_budget=section)

        return await self._cached(article_id, ("overview", length), render)

    async def detailed_digest(
        self, article_id: int, article: digests.Article, *, length: DigestLength
    ) -> digests.ArticleDigest:
        """Every section in detail (the lead as in the overview)."""
        lead, _section, detail = self.budgets(length)

        def render() -> digests.ArticleDigest:
            return digests.digest_article(article, lead_budget=lead, section_budget=detail)

        return await self._cached(article_id, ("detailed", length), render)

    async def overview(
        self,
        article_id: int,
        article: digests.Article,
        *,
        length: DigestLength,
        format: RenderFormat = "html",
    ) -> list[str]:
        """The overview digest as Telegram messages."""
        return pack_messages(await self.overview_blocks(article_id, article, length=length, format=format))

    async def overview_blocks(
        self,
        article_id: int,
        article: digests.Article,
        *,
        length: DigestLength,
        format: RenderFormat = "html",
    ) -> list[list[str]]:
        """The overview digest as blocks of lines, to be packed with other articles'."""
        return digest_blocks(await self.overview_digest(article_id, article, length=length), format)

    async def best_sentence(self, article_id: int, article: digests.Article) -> str:
        """The article's single best sentence (its lead's, else its first section's): a briefing line."""

        def render() -> str:
            digest = digests.digest_article(article, lead_budget=1, section_budget=1)
            sentences = [*digest.lead, *(s for section in digest.sections for s in section.sentences)]
            return sentences[0] if sentences else ""

        return await self._cached(article_id, ("best",), render)

    async def full_digest(
        self, article_id: int, article: digests.Article, *, length: DigestLength
    ) -> list[str]:
        """Every section in detail, split over as many messages as it needs."""
        return render_digest(await self.detailed_digest(article_id, article, length=length), "html")

    async def section_digest(
        self, article_id: int, article: digests.Article, section: digests.Section, *, length: DigestLength
    ) -> digests.SectionDigest:
        """One section in detail."""
        _lead, _section, detail = self.budgets(length)

        def render() -> digests.SectionDigest:
            return digests.digest_section(article, section, budget=detail)

        return await self._cached(article_id, ("section", section.index, length), render)

    async def section(
        self, article_id: int, article: digests.Article, section: digests.Section, *, length: DigestLength
    ) -> list[str]:
        """One section in detail under the article's (linked) title."""
        chosen = await self.section_digest(article_id, article, section, length=length)
        return render_section(article.title, chosen, "html", url=article.url)

    async def load_articles(self, article_ids: Sequence[int]) -> dict[int, digests.Article]:
        """Stored articles as digest models, cached while their content is unchanged: a broadcast
        loads each article once, and an edited article is loaded again."""
        async with session_scope(self._sessions) as session:
            current = await article_queries.content_hashes(session, article_ids=article_ids)
            for article_id, content in current.items():
                if self.version(article_id) == content:
                    self._articles.move_to_end(article_id)
                    continue
                row = await article_queries.get_article(session, article_id=article_id)
                if row is not None:
                    loaded = await article_queries.load_digest_article(session, article=row)
                    self._articles[article_id] = (row.content_hash, loaded)
        while len(self._articles) > _CACHE_SIZE:
            self._articles.popitem(last=False)
        return {i: self._articles[i][1] for i in article_ids if i in current and i in self._articles}
