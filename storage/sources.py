"""Queries on sources: feeds and pages the bot polls, and uploads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.models import (
    Source,
    SourceFollow,
    SourceKind,
    SourceReader,
    StoredArticle,
    Subscriber,
    stored_id,
    utcnow,
)


async def add_source(
    session: AsyncSession,
    *,
    url: str,
    kind: str,
    title: str | None,
    poll_interval_seconds: int,
    interval_chosen: bool = False,
    public: bool = True,
    now: datetime | None = None,
) -> tuple[Source, bool]:
    """The source for this URL, created (due now) unless it exists; ``True`` when new. A source
    only readers followed becomes public when an admin adds it."""
    existing = await source_by_url(session, url=url)
    if existing is not None:
        if public and not existing.public:
            existing.public = True
            session.add(existing)
        return existing, False
    now = now or utcnow()
    source = Source(
        url=url,
        kind=SourceKind(kind),
        title=title,
        public=public,
        poll_interval_seconds=poll_interval_seconds,
        interval_chosen=interval_chosen,
        next_poll_at=now,
        created_at=now,
    )
    session.add(source)
    await session.flush()
    return source, True


async def source_by_url(session: AsyncSession, *, url: str) -> Source | None:
    return (await session.exec(select(Source).where(col(Source.url) == url))).first()


# Feeds and pages are polled and managed; the one "upload" source only groups what admins published.
_POLLED = col(Source.kind) != SourceKind.UPLOAD


async def get_polled_source(session: AsyncSession, *, source_id: int) -> Source | None:
    """A feed or page by id; ``None`` for the uploads source and for ids that do not exist."""
    return (await session.exec(select(Source).where(col(Source.id) == source_id, _POLLED))).first()


async def list_sources(session: AsyncSession) -> Sequence[Source]:
    """Polled sources (feeds and pages), oldest first."""
    statement = select(Source).where(_POLLED).order_by(col(Source.id))
    return (await session.exec(statement)).all()


async def remove_source(session: AsyncSession, *, source: Source) -> None:
    """Forget a source; its articles stay (their source becomes empty) and are no longer
    announced: a digest due later does not bring a removed source's articles to everyone."""
    await session.exec(
        update(StoredArticle).where(col(StoredArticle.source_id) == source.id).values(announce=False)
    )
    await session.delete(source)


async def set_paused(
    session: AsyncSession,
    *,
    source: Source,
    paused: bool,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    source.paused = paused
    source.paused_reason = reason[:255] if (paused and reason) else None
    if not paused:
        source.error_count = 0
        source.next_poll_at = now or utcnow()
    session.add(source)


async def claim_due_sources(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta
) -> Sequence[Source]:
    """Take up to ``limit`` sources whose poll is due, most overdue first, for this process: their
    next poll moves ``lease`` ahead, so no other worker polls them meanwhile (on PostgreSQL the
    rows are locked with SKIP LOCKED, so that workers split the due sources between them). The
    poll's outcome sets the real next time; a process that dies lets them come due after the lease.
    """
    candidates = (
        select(Source.id)
        .where(_POLLED, col(Source.paused).is_(False), col(Source.next_poll_at) <= now)
        .order_by(col(Source.next_poll_at))
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list((await session.exec(candidates)).all())
    if not ids:
        return []
    await session.exec(update(Source).where(col(Source.id).in_(ids)).values(next_poll_at=now + lease))
    claimed = (await session.exec(select(Source).where(col(Source.id).in_(ids)))).all()
    return sorted(claimed, key=lambda source: ids.index(source.id))


async def set_interval(session: AsyncSession, *, source: Source, seconds: int | None, default: int) -> None:
    """An admin's interval for a source (``None``: back to the default and the source's advice)."""
    source.poll_interval_seconds = seconds or default
    source.interval_chosen = seconds is not None
    session.add(source)


async def poll_now(session: AsyncSession, *, source: Source) -> None:
    """Make a source due at once (for the polling loop of whichever process comes first)."""
    source.next_poll_at = utcnow()
    session.add(source)


async def record_poll(
    session: AsyncSession,
    *,
    source: Source,
    now: datetime,
    next_poll_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    error: str | None = None,
    title: str | None = None,
    note: str | None = None,
    body_hash: str | None = None,
    skipped_entries: dict[str, str] | None = None,
) -> None:
    """The outcome of a poll: validators, the body's hash (``None``: parse it next time) and the
    entries that stored nothing on success, with a ``note`` to show, such as entries left for
    later; the error and one more failure otherwise."""
    source.last_polled_at = now
    source.next_poll_at = next_poll_at
    if error is None:
        source.body_hash = body_hash
        if skipped_entries is not None:
            source.skipped_entries = skipped_entries
        source.error_count = 0
        source.last_error = note[:1024] if note else None
        source.etag = etag or source.etag
        source.last_modified = last_modified or source.last_modified
        source.title = source.title or (title[:255] if title else None)
    else:
        source.error_count += 1
        source.last_error = error[:1024]
    session.add(source)


async def entry_fingerprints(session: AsyncSession, *, source_id: int) -> dict[str, str | None]:
    """What each stored entry of a source said when stored, by entry key: one query for a poll."""
    fingerprint = col(StoredArticle.structure)["entry_fingerprint"].as_string()
    statement = select(StoredArticle.entry_key, fingerprint).where(
        col(StoredArticle.source_id) == source_id, col(StoredArticle.entry_key).is_not(None)
    )
    return {key: value for key, value in (await session.exec(statement)).all() if key is not None}


async def article_by_entry(session: AsyncSession, *, source_id: int, entry_key: str) -> StoredArticle | None:
    statement = select(StoredArticle).where(
        col(StoredArticle.source_id) == source_id, col(StoredArticle.entry_key) == entry_key
    )
    return (await session.exec(statement)).first()


async def followed_sources(session: AsyncSession, *, subscriber: Subscriber) -> Sequence[Source]:
    """The sources a subscriber chose; empty when they follow all."""
    if subscriber.follow_all:
        return []
    statement = (
        select(Source)
        .join(SourceFollow, col(SourceFollow.source_id) == Source.id)
        .where(col(SourceFollow.subscriber_id) == subscriber.id)
        .order_by(col(Source.id))
    )
    return (await session.exec(statement)).all()


async def follow(session: AsyncSession, *, subscriber: Subscriber, source_id: int | None) -> None:
    """Follow one more source (and from now on only chosen ones); ``None`` follows all again."""
    session.add(subscriber)
    if source_id is None:
        subscriber.follow_all = True
        await session.exec(delete(SourceFollow).where(col(SourceFollow.subscriber_id) == subscriber.id))
        return
    subscriber.follow_all = False
    exists = (
        await session.exec(
            select(SourceFollow).where(
                col(SourceFollow.subscriber_id) == subscriber.id, col(SourceFollow.source_id) == source_id
            )
        )
    ).first()
    if exists is None:
        session.add(SourceFollow(subscriber_id=stored_id(subscriber.id), source_id=source_id))


async def unfollow(session: AsyncSession, *, subscriber: Subscriber, source_id: int) -> None:
    """Stop following one source; following all turns into following all the others."""
    session.add(subscriber)
    if subscriber.follow_all:
        subscriber.follow_all = False
        for source in await list_sources(session):
            if source.id != source_id:
                session.add(
                    SourceFollow(subscriber_id=stored_id(subscriber.id), source_id=stored_id(source.id))
                )
        return
    await session.exec(
        delete(SourceFollow).where(
            col(SourceFollow.subscriber_id) == subscriber.id, col(SourceFollow.source_id) == source_id
        )
    )


async def set_keyword_filter(
    session: AsyncSession, *, source: Source, keyword_filter: dict[str, list[str]] | None
) -> None:
    """Replace a source's keyword filter (``None``: none): later entries that fail it are not stored."""
    source.keyword_filter = keyword_filter
    session.add(source)


async def add_reader(session: AsyncSession, *, subscriber_id: int, source_id: int) -> bool:
    """A chat follows a source as its own; ``False`` when it already did."""
    statement = select(SourceReader).where(
        col(SourceReader.subscriber_id) == subscriber_id, col(SourceReader.source_id) == source_id
    )
    if (await session.exec(statement)).first() is not None:
        return False
    session.add(SourceReader(subscriber_id=subscriber_id, source_id=source_id))
    await session.flush()
    return True


async def remove_reader(session: AsyncSession, *, subscriber_id: int, source_id: int) -> int | None:
    """A chat stops following a source as its own: how many chats still do (``None``: it did not)."""
    removed = await session.exec(
        delete(SourceReader).where(
            col(SourceReader.subscriber_id) == subscriber_id, col(SourceReader.source_id) == source_id
        )
    )
    if not removed.rowcount:
        return None
    remaining = select(func.count()).where(col(SourceReader.source_id) == source_id)
    return int((await session.exec(remaining)).one())


async def reader_sources(session: AsyncSession, *, subscriber_id: int) -> Sequence[Source]:
    """The sources a chat follows as its own, oldest first."""
    statement = (
        select(Source)
        .join(SourceReader, col(SourceReader.source_id) == Source.id)
        .where(col(SourceReader.subscriber_id) == subscriber_id)
        .order_by(col(Source.id))
    )
    return (await session.exec(statement)).all()


async def readers_by_source(session: AsyncSession) -> dict[int, list[Subscriber]]:
    """Who follows which source as their own, by source id (for the admins' list)."""
    statement = (
        select(SourceReader.source_id, Subscriber)
        .join(Subscriber, col(Subscriber.id) == SourceReader.subscriber_id)
        .order_by(col(SourceReader.source_id), col(SourceReader.id))
    )
    readers: dict[int, list[Subscriber]] = {}
    for source_id, subscriber in (await session.exec(statement)).all():
        readers.setdefault(source_id, []).append(subscriber)
    return readers
