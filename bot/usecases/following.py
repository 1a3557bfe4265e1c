"""Managing what the bot follows: add, list, pause or resume, remove, and OPML in and out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.usecases.ids import parse_id
from bot.usecases.polling import PollResult, SourcePoller, poll_interval
from bot.usecases.runtime import Runtime
from bot.usecases.subscriptions import set_subscribed
from digests.errors import DigestError
from digests.feeds import canonical_link
from storage import Source, SourceKind, Subscriber, session_scope, stored_id
from storage import sources as source_queries

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AddedSource:
    """A source after ``add_source``: whether it is new, and what its first poll stored."""

    source: Source
    created: bool
    result: PollResult


@dataclass(frozen=True, slots=True)
class ImportedOutline:
    """One feed of an OPML file: followed (``added``) or skipped with the reason."""

    url: str
    added: AddedSource | None
    error: str | None = None


async def add_source(runtime: Runtime, *, url: str, interval: int | None = None) -> AddedSource:
    """Follow a feed, or what a page leads to: the feed it advertises or the site has, a news
    sitemap, its article links (a section page), or the page itself; polled every ``interval``
    seconds when given (else as the source asks, or POLL_INTERVAL_SECONDS)."""
    source, created, result = await SourcePoller(runtime).add(url, interval=interval)
    if not created and interval is not None:
        source = await set_interval(runtime, source=source, seconds=interval)
    return AddedSource(source, created, result)


async def set_interval(runtime: Runtime, *, source: Source, seconds: int | None) -> Source:
    """Poll a source every ``seconds`` (``None``: as it asks, or the default); from its next poll."""
    async with session_scope(runtime.sessions) as session:
        session.add(source)
        await source_queries.set_interval(
            session, source=source, seconds=seconds, default=runtime.settings.poll_interval_seconds
        )
    return source


async def refresh(runtime: Runtime, *, source: Source) -> PollResult:
    """Poll a source now, whatever its schedule (its next poll follows from this one)."""
    return await SourcePoller(runtime).poll(source)


def next_poll(source: Source, runtime: Runtime) -> tuple[int, datetime | None]:
    """A source's interval in seconds and when it is polled next (``None``: paused)."""
    return poll_interval(source, runtime.settings), None if source.paused else source.next_poll_at


async def find_source(runtime: Runtime, *, reference: str | int) -> Source | None:
    """A followed feed or page by id (``3`` or ``#3``); ``None`` when there is none."""
    source_id = parse_id(reference)
    if source_id is None:
        return None
    async with session_scope(runtime.sessions) as session:
        return await source_queries.get_polled_source(session, source_id=source_id)


async def list_sources(runtime: Runtime) -> Sequence[Source]:
    """Every followed feed and page, oldest first, with its state and last error."""
    async with session_scope(runtime.sessions) as session:
        return await source_queries.list_sources(session)


async def toggle_pause(runtime: Runtime, *, source: Source, reason: str) -> Source:
    """Pause a source, or resume a paused one (it is polled again at once)."""
    async with session_scope(runtime.sessions) as session:
        session.add(source)
        await source_queries.set_paused(session, source=source, paused=not source.paused, reason=reason)
    return source


async def remove_source(runtime: Runtime, *, source: Source) -> None:
    """Stop following a source; its articles stay."""
    async with session_scope(runtime.sessions) as session:
        await source_queries.remove_source(session, source=source)


async def import_opml(runtime: Runtime, *, data: bytes) -> list[ImportedOutline]:
    """Follow every feed of an OPML document, in its order; one that cannot be fetched is skipped
    with the reason. Feeds are checked POLL_CONCURRENCY at a time and their first poll (which
    stores what they hold, announcing nothing) is left to the poller, so a long list imports
    in a few minutes at most."""
    poller = SourcePoller(runtime)
    slots = asyncio.Semaphore(runtime.settings.poll_concurrency)

    async def follow(url: str) -> ImportedOutline:
        async with slots:
            try:
                source, created, result = await poller.add(url, poll_now=False, paced=False)
            except DigestError as error:
                logger.info("OPML import: skipped %s: %s", url[:200], error)
                return ImportedOutline(url, None, str(error))
        return ImportedOutline(url, AddedSource(source, created, result))

    from digests.opml import parse_opml  # OPML only for imports and exports

    urls = list(dict.fromkeys(outline.url for outline in parse_opml(data)))
    return list(await asyncio.gather(*(follow(url) for url in urls)))


async def export_sources(runtime: Runtime) -> str:
    """The followed feeds as an OPML document."""
    from digests.opml import Outline, export_opml

    rows = await list_sources(runtime)
    return export_opml(
        [Outline(r.title or r.url or "", r.url or "") for r in rows if r.kind == SourceKind.FEED]
    )


# Why a source only readers followed is paused: the last of them left (a new follower resumes it).
NO_READERS = "no reader follows it any more"


class ReaderFollow(StrEnum):
    """How a reader's /follow went."""

    OFF = "off"  # READER_SOURCES is off
    LIMIT = "limit"  # the chat follows READER_SOURCES_MAX already
    ALREADY = "already"
    FOLLOWING = "following"


@dataclass(frozen=True, slots=True)
class FollowedByReader:
    outcome: ReaderFollow
    source: Source | None = None
    limit: int = 0


async def follow_as_reader(runtime: Runtime, *, subscriber: Subscriber, url: str) -> FollowedByReader:
    """A chat follows a feed or site of its own (READER_SOURCES): one source per canonical URL
    however many chats follow it, added (and guarded, paced, filtered) as an admin's would be;
    its articles reach only the chats that follow it, unless an admin adds it too. Following
    subscribes the chat. ``DigestError`` when the URL leads nowhere."""
    settings = runtime.settings
    if not settings.reader_sources:
        return FollowedByReader(ReaderFollow.OFF)
    url = canonical_link(url)
    subscriber_id = stored_id(subscriber.id)
    async with session_scope(runtime.sessions) as session:
        own = await source_queries.reader_sources(session, subscriber_id=subscriber_id)
        existing = await source_queries.source_by_url(session, url=url)
    if existing is not None and existing.id in {source.id for source in own}:
        return FollowedByReader(ReaderFollow.ALREADY, existing)
    if len(own) >= settings.reader_sources_max:
        return FollowedByReader(ReaderFollow.LIMIT, limit=settings.reader_sources_max)
    source = existing or (await SourcePoller(runtime).add(url, public=False))[0]
    async with session_scope(runtime.sessions) as session:
        await source_queries.add_reader(session, subscriber_id=subscriber_id, source_id=stored_id(source.id))
        if source.paused and source.paused_reason == NO_READERS:
            session.add(source)
            await source_queries.set_paused(session, source=source, paused=False)
    await set_subscribed(runtime, subscriber=subscriber, subscribed=True)
    logger.info("chat %s follows source %s as its own", subscriber.chat_id, source.id)
    return FollowedByReader(ReaderFollow.FOLLOWING, source)


async def unfollow_as_reader(runtime: Runtime, *, subscriber: Subscriber, source_id: int) -> bool:
    """A chat stops following one of its own sources; ``False`` when it did not follow it. A
    source that no admin added and no chat follows any more is paused."""
    async with session_scope(runtime.sessions) as session:
        remaining = await source_queries.remove_reader(
            session, subscriber_id=stored_id(subscriber.id), source_id=source_id
        )
        if remaining is None:
            return False
        source = await source_queries.get_polled_source(session, source_id=source_id)
        if remaining == 0 and source is not None and not source.public:
            await source_queries.set_paused(session, source=source, paused=True, reason=NO_READERS)
    return True


async def reader_sources(runtime: Runtime, *, subscriber: Subscriber) -> Sequence[Source]:
    """The sources a chat follows as its own."""
    async with session_scope(runtime.sessions) as session:
        return await source_queries.reader_sources(session, subscriber_id=stored_id(subscriber.id))


async def readers_by_source(runtime: Runtime) -> dict[int, list[Subscriber]]:
    """Which chats follow which sources as their own, by source id."""
    async with session_scope(runtime.sessions) as session:
        return await source_queries.readers_by_source(session)
