"""Publishing an article by hand: from bytes (a file or an upload) or from a URL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import digests
from bot.metrics import ARTICLES
from bot.usecases import ingestion
from bot.usecases.runtime import Runtime
from digests.feeds import looks_like_feed
from digests.fetch import fetch
from storage import DigestLength, session_scope, stored_id
from storage import articles as article_queries
from storage import uploads as upload_queries
from storage.models import PendingUpload

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5_000_000
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Published:
    """The outcome of publishing: the stored article, whether it was new, and its preview."""

    article_id: int
    title: str
    sections: int
    created: bool
    preview: list[str]


def is_supported_upload(name: str, size: int) -> bool:
    """Whether a document sent to the bot is one it can read (by its name) and not too large."""
    return name.lower().endswith(UPLOAD_SUFFIXES) and size <= MAX_UPLOAD_BYTES


async def publish_bytes(
    runtime: Runtime,
    data: bytes,
    *,
    name: str | None,
    content_type: str | None = None,
    url: str | None = None,
) -> Published:
    """Parse, store and preview an article; ``DigestError`` says why it cannot."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise digests.DigestError(
            f"the document is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB",
            reason="too_large",
            megabytes=MAX_UPLOAD_BYTES // 1_000_000,
        )
    article = await asyncio.to_thread(
        digests.parse_document,
        data,
        name=name,
        content_type=content_type,
        max_chars=runtime.settings.article_max_chars,
    )
    async with session_scope(runtime.sessions) as session:
        source = await article_queries.upload_source(session)
        stored = await ingestion.store_article(session, article=article, source_id=source.id, url=url)
    row, created, queued = stored.row, stored.created, stored.queued
    logger.info(
        "published article %s (%s, new: %s, queued for %d instant subscribers)",
        row.id,
        article.language,
        created,
        queued,
    )
    if created:
        ARTICLES.labels(via="upload").inc()
    if queued:
        runtime.queued()
    article_id = stored_id(row.id)
    loaded = (await runtime.renderer.load_articles([article_id]))[article_id]  # as stored, through the cache
    preview = await runtime.renderer.overview(article_id, loaded, length=DigestLength.NORMAL)
    return Published(article_id, row.title, len(loaded.sections), created, preview)


async def publish_url(runtime: Runtime, url: str) -> Published:
    """Fetch (through the guard), parse, store and preview an article; a feed is refused with
    how to follow it instead (storing a feed's XML as an article helps nobody)."""
    document = await fetch(url, policy=runtime.fetch_policy)
    if looks_like_feed(document.content, document.content_type):
        raise digests.DigestError(
            f"{url} is a feed, not an article: follow it with `digestbot sources add URL`"
            " (/addsource in Telegram)",
            reason="is_feed",
            url=url,
        )
    return await publish_bytes(
        runtime, document.content, name=url, content_type=document.content_type, url=url
    )


async def remember_upload(
    runtime: Runtime, *, chat_id: int, file_id: str, file_name: str, mime_type: str | None
) -> PendingUpload:
    """Note an admin's document before it is downloaded and published, so a crash cannot lose it."""
    async with session_scope(runtime.sessions) as session:
        return await upload_queries.remember_upload(
            session, chat_id=chat_id, file_id=file_id, file_name=file_name, mime_type=mime_type
        )


async def pending_uploads(runtime: Runtime) -> Sequence[PendingUpload]:
    """Documents a crash left unpublished, oldest first."""
    async with session_scope(runtime.sessions) as session:
        return await upload_queries.pending_uploads(session)


async def forget_upload(runtime: Runtime, *, upload_id: int) -> None:
    async with session_scope(runtime.sessions) as session:
        await upload_queries.forget_upload(session, upload_id=upload_id)
