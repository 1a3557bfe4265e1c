"""What handlers, jobs and the CLI share: publishing articles and rendering digests.

Parsing and summarizing are CPU work: they run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

import digests
from bot.settings import Settings
from digests.fetch import FetchPolicy, fetch
from digests.render import RenderFormat, digest_blocks, pack_messages, render_digest, render_section
from storage import SessionFactory, session_scope
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage.models import Article

logger = logging.getLogger(__name__)

# Sentences (lead, each section in an overview, one section in detail) by digest length.
LENGTHS: dict[str, tuple[int, int, int]] = {"short": (1, 1, 3), "normal": (2, 2, 5), "long": (3, 4, 8)}
MAX_UPLOAD_BYTES = 5_000_000
_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class Published:
    """The outcome of publishing: the stored article and whether it was new."""

    article_id: int
    title: str
    sections: int
    created: bool
    preview: list[str]


@dataclass
class Services:
    """The application's shared parts, kept in ``bot_data``."""

    settings: Settings
    sessions: SessionFactory
    engine: AsyncEngine | None = None
    _rendered: OrderedDict[tuple[object, ...], list[str]] = field(default_factory=OrderedDict)
    _articles: OrderedDict[int, digests.Article] = field(default_factory=OrderedDict)
    on_published: list[Callable[[], None]] = field(default_factory=list)

    def budgets(self, length: str) -> tuple[int, int, int]:
        lead, section, detail = LENGTHS.get(length, LENGTHS["normal"])
        if length == "normal":  # DIGEST_SENTENCES sets the normal overview
            section = lead = self.settings.digest_sentences
        return lead, section, detail

    async def _cached(self, key: tuple[object, ...], render: object) -> list[str]:
        if key in self._rendered:
            self._rendered.move_to_end(key)
            return self._rendered[key]
        messages: list[str] = await asyncio.to_thread(render)  # type: ignore[arg-type]
        self._rendered[key] = messages
        while len(self._rendered) > _CACHE_SIZE:
            self._rendered.popitem(last=False)
        return messages

    async def overview(
        self, article_id: int, article: digests.Article, *, length: str, format: RenderFormat = "html"
    ) -> list[str]:
        """The overview digest as Telegram messages."""
        blocks = await self.overview_blocks(article_id, article, length=length, format=format)
        return pack_messages(blocks)

    async def overview_blocks(
        self, article_id: int, article: digests.Article, *, length: str, format: RenderFormat = "html"
    ) -> list[list[str]]:
        """The overview digest as blocks of lines, to be packed with other articles'."""
        lead, section, _detail = self.budgets(length)

        def render() -> list[list[str]]:
            digest = digests.digest_article(article, lead_budget=lead, section_budget=section)
            return digest_blocks(digest, format)

        return await self._cached((article_id, "overview", length, format), render)  # type: ignore[return-value]

    async def load_articles(self, article_ids: Sequence[int]) -> dict[int, digests.Article]:
        """Stored articles as digest models, cached: a broadcast loads each article once."""
        missing = [i for i in article_ids if i not in self._articles]
        if missing:
            async with session_scope(self.sessions) as session:
                for article_id in missing:
                    row = await article_queries.get_article(session, article_id=article_id)
                    if row is not None:
                        self._articles[article_id] = await article_queries.load_digest_article(
                            session, article=row
                        )
            while len(self._articles) > _CACHE_SIZE:
                self._articles.popitem(last=False)
        return {i: self._articles[i] for i in article_ids if i in self._articles}

    async def full_digest(self, article_id: int, article: digests.Article, *, length: str) -> list[str]:
        """Every section in detail, split over as many messages as it needs."""
        lead, _section, detail = self.budgets(length)

        def render() -> list[str]:
            digest = digests.digest_article(article, lead_budget=lead, section_budget=detail)
            return render_digest(digest, "html")

        return await self._cached((article_id, "full", length), render)

    async def section(
        self, article_id: int, article: digests.Article, section: digests.Section, *, length: str
    ) -> list[str]:
        """One section in detail under the article's title."""
        _lead, _section, detail = self.budgets(length)

        def render() -> list[str]:
            return render_section(
                article.title, digests.digest_section(article, section, budget=detail), "html"
            )

        return await self._cached((article_id, "section", section.index, length), render)

    async def publish_bytes(
        self, data: bytes, *, name: str | None, content_type: str | None = None, url: str | None = None
    ) -> Published:
        """Parse, store and preview an article; ``DigestError`` says why it cannot."""
        if len(data) > MAX_UPLOAD_BYTES:
            raise digests.DigestError(f"the document is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
        article = await asyncio.to_thread(
            digests.parse_document,
            data,
            name=name,
            content_type=content_type,
            max_chars=self.settings.article_max_chars,
        )
        async with session_scope(self.sessions) as session:
            source = await article_queries.upload_source(session)
            row, created = await article_queries.save_article(
                session, article=article, source_id=source.id, url=url
            )
            stored = await article_queries.load_digest_article(session, article=row)
            queued = 0
            if created:
                queued = await delivery_queries.queue_instant(session, article_id=row.id, now=row.fetched_at)
        logger.info(
            "published article %s (%s, new: %s, queued for %d instant subscribers)",
            row.id,
            article.language,
            created,
            queued,
        )
        if queued:
            for wake in self.on_published:
                wake()
        preview = await self.overview(row.id, stored, length="normal")
        return Published(row.id, row.title, len(stored.sections), created, preview)

    async def publish_url(self, url: str) -> Published:
        """Fetch (through the guard), parse, store and preview an article."""
        policy = FetchPolicy(allow_private_addresses=self.settings.fetch_allow_private_addresses)
        document = await fetch(url, policy=policy)
        return await self.publish_bytes(
            document.content, name=url, content_type=document.content_type, url=url
        )

    async def find_article(self, reference: str | None) -> tuple[Article, digests.Article] | None:
        """The article with that id (``12`` or ``#12``), or the newest one."""
        async with session_scope(self.sessions) as session:
            if reference is None:
                row = await article_queries.latest_article(session)
            else:
                number = reference.lstrip("#")
                row = (
                    await article_queries.get_article(session, article_id=int(number))
                    if number.isdigit()
                    else None
                )
            if row is None:
                return None
            return row, await article_queries.load_digest_article(session, article=row)
