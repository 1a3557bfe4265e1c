"""Queries on sent items: one row per subscriber and article, the delivery outbox.

States: pending → sending → sent | failed. A claimed row is ``sending`` with a
lease (``available_at``); a row whose lease ran out is claimed again, so a
crash costs at most a repeat of the sends that were in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    tuple_,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.dml import UpdateBase
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import among, dialect_name
from storage.models import (
    Delivery,
    DeliveryState,
    Source,
    SourceFollow,
    SourceKind,
    SourceReader,
    SpecialSchedule,
    StoredArticle,
    Subscriber,
    table_of,
    utcnow,
)

OPEN_STATES = (DeliveryState.PENDING, DeliveryState.SENDING)


def _insert(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's Insert constructor (with ON CONFLICT). Imported here: a bot on SQLite
    never loads the PostgreSQL dialect, nor the reverse."""
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


async def record_sent(
    session: AsyncSession,
    *,
    subscriber_id: int,
    article_id: int,
    message_ids: list[int],
    now: datetime | None = None,
) -> bool:
    """Record an article sent on request; ``False`` when it was sent or queued before."""
    now = now or utcnow()
    values = {
        "subscriber_id": subscriber_id,
        "article_id": article_id,
        "state": DeliveryState.SENT,
        "attempts": 1,
        "message_ids": message_ids,
        "queued_at": now,
        "sent_at": now,
    }
    statement = (
        _insert(session)(Delivery)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "article_id"])
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


_PAIRS_PER_STATEMENT = 4_000  # two bound values each: well under SQLite's limit of 32,766


def _queue_from(session: AsyncSession, pairs: Any) -> UpdateBase:  # pairs: a SELECT of pending rows
    """INSERT … SELECT pending rows, skipping pairs queued before (the UNIQUE constraint)."""
    columns = ["subscriber_id", "article_id", "state", "attempts", "message_ids", "queued_at"]
    return (
        _insert(session)(Delivery)
        .from_select(columns, pairs)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "article_id"])
    )


def _follows(article_source: Any) -> ColumnElement[bool]:  # a column or a literal of the source id
    """The subscriber wants articles of this source: all sources, an admin upload, or a chosen
    one, of the public sources; and the sources the chat follows as its own (/follow), which
    reach no other chat."""
    chosen = exists().where(
        col(SourceFollow.subscriber_id) == Subscriber.id, col(SourceFollow.source_id) == article_source
    )
    own = exists().where(
        col(SourceReader.subscriber_id) == Subscriber.id, col(SourceReader.source_id) == article_source
    )
    uploads = select(Source.id).where(col(Source.kind) == SourceKind.UPLOAD)
    private = select(Source.id).where(col(Source.public).is_(False))  # few: readers' own sources
    return or_(
        article_source.is_(None),
        and_(
            article_source.not_in(private),
            or_(col(Subscriber.follow_all).is_(True), article_source.in_(uploads), chosen),
        ),
        own,
    )


def _story_not_sent(article_id: Any, story: Any) -> ColumnElement[bool]:  # columns or literals
    """The chat holds no other version of the article's story (queued or sent)."""
    other = aliased(StoredArticle)
    return ~exists().where(
        col(Delivery.subscriber_id) == Subscriber.id,
        col(Delivery.article_id) == other.id,
        other.id != article_id,
        other.story_id == story,
    )


def _pending_columns(now: datetime) -> tuple[ColumnElement[Any], ...]:
    return (
        literal(DeliveryState.PENDING.value),
        literal(0),
        bindparam("no_messages", [], type_=JSON),
        bindparam("queued_at", now, type_=table_of(Delivery).c.queued_at.type),
    )


async def queue_scheduled(
    session: AsyncSession,
    *,
    subscriber_ids: Sequence[int],
    now: datetime,
    accepted: Mapping[str, Collection[int]] | None = None,
) -> int:
    """Queue every announced article fetched since each subscriber's previous digest; a chat with
    a keyword filter gets only the articles ``accepted`` lists for its filter's key. One
    INSERT … SELECT for the chats without a filter, one for those with (a row-value IN of the
    accepted pairs)."""
    if not subscriber_ids:
        return 0
    since = func.coalesce(Subscriber.last_digest_at, Subscriber.subscribed_at, Subscriber.created_at)
    pairs = (
        select(Subscriber.id, StoredArticle.id, *_pending_columns(now))
        .join(
            StoredArticle, and_(col(StoredArticle.fetched_at) > since, col(StoredArticle.fetched_at) <= now)
        )
        .where(
            among(session, Subscriber.id, subscriber_ids),
            col(StoredArticle.announce).is_(True),
            _follows(col(StoredArticle.source_id)),
            # The first article of a story never waits on another version (most stories have one).
            or_(
                col(StoredArticle.story_id).is_(None),
                col(StoredArticle.story_id) == StoredArticle.id,
                _story_not_sent(col(StoredArticle.id), col(StoredArticle.story_id)),
            ),
        )
    )
    result = await session.exec(_queue_from(session, pairs.where(col(Subscriber.filter_key).is_(None))))
    queued = int(result.rowcount or 0)
    accepted_pairs = [(key, a) for key, article_ids in (accepted or {}).items() for a in article_ids]
    for start in range(0, len(accepted_pairs), _PAIRS_PER_STATEMENT):
        # The (filter key, article) pairs the filters accept, as one row-value IN.
        chunk = accepted_pairs[start : start + _PAIRS_PER_STATEMENT]
        chosen = pairs.where(tuple_(Subscriber.filter_key, StoredArticle.id).in_(chunk))
        result = await session.exec(_queue_from(session, chosen))
        queued += int(result.rowcount or 0)
    return queued


async def queue_instant(
    session: AsyncSession, *, article_id: int, now: datetime, accepted_keys: Collection[str] = ()
) -> int:
    """Queue a new article for every subscriber who wants articles as soon as they come (and
    whose keyword filter, if any, is among ``accepted_keys``)."""
    article = await session.get(StoredArticle, article_id)
    if article is None or not article.announce:
        return 0
    since = func.coalesce(Subscriber.subscribed_at, Subscriber.created_at)
    unfiltered = col(Subscriber.filter_key).is_(None)
    conditions = [
        col(Subscriber.active).is_(True),
        col(Subscriber.schedule) == SpecialSchedule.INSTANT,
        since <= article.fetched_at,
        or_(unfiltered, col(Subscriber.filter_key).in_(list(accepted_keys))) if accepted_keys else unfiltered,
    ]
    if article.source_id is not None:
        conditions.append(_follows(literal(article.source_id)))
    if article.story_id is not None and article.story_id != article.id:  # a later version of a story
        conditions.append(_story_not_sent(literal(article_id), literal(article.story_id)))
    pairs = select(Subscriber.id, literal(article_id), *_pending_columns(now)).where(*conditions)
    result = await session.exec(_queue_from(session, pairs))
    return int(result.rowcount or 0)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed row: what to send to whom, and how often it was tried."""

    delivery_id: int
    subscriber_id: int
    article_id: int
    attempts: int
    queued_at: datetime | None = None


async def claim(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int, worker_id: str | None = None
) -> list[Claimed]:
    """Take up to ``limit`` sendable rows for ``worker_id``: pending ones, and sending ones whose
    lease ran out (their worker died unseen).

    On PostgreSQL the rows are locked with SKIP LOCKED, so that workers never claim the same row.
    """
    # Two claims, each of which an index answers without sorting the outbox: sending rows whose
    # lease ran out (rare; by state and available_at), then the oldest pending rows (by state,
    # queued_at and id, read in order until the batch is full).
    expired = and_(col(Delivery.state) == DeliveryState.SENDING, col(Delivery.available_at) <= now)
    pending = and_(
        col(Delivery.state) == DeliveryState.PENDING,
        or_(col(Delivery.available_at).is_(None), col(Delivery.available_at) <= now),
    )
    claimed = await _claim_where(session, expired, now=now, lease=lease, limit=limit, worker_id=worker_id)
    if len(claimed) < limit:
        claimed += await _claim_where(
            session, pending, now=now, lease=lease, limit=limit - len(claimed), worker_id=worker_id
        )
    return sorted(claimed, key=lambda c: c.delivery_id)


async def _claim_where(
    session: AsyncSession,
    condition: ColumnElement[bool],
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    worker_id: str | None,
) -> list[Claimed]:
    candidates = (
        select(Delivery.id)
        .join(Subscriber, col(Subscriber.id) == Delivery.subscriber_id)
        .where(condition, col(Subscriber.active).is_(True))
        .order_by(col(Delivery.queued_at), col(Delivery.id))
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=table_of(Delivery))
    statement = (
        update(Delivery)
        .where(col(Delivery.id).in_(candidates.scalar_subquery()))
        .values(
            state=DeliveryState.SENDING,
            available_at=now + lease,
            attempts=Delivery.attempts + 1,
            claimed_by=worker_id,
        )
        .returning(  # type: ignore[call-overload]  # five columns: more than SQLAlchemy's overloads spell out
            Delivery.id, Delivery.subscriber_id, Delivery.article_id, Delivery.attempts, Delivery.queued_at
        )
    )
    rows = (await session.exec(statement)).all()
    return [Claimed(row[0], row[1], row[2], row[3], queued_at=_aware(row[4])) for row in rows]


def _aware(value: datetime | str | None) -> datetime | None:
    """A timestamp from RETURNING or an aggregate, which bypass the column type on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def release_claims(session: AsyncSession, *, worker_ids: Sequence[str]) -> int:
    """Rows claimed by workers that are gone go back to pending at once (the crash was not
    the row's fault: its attempt is given back)."""
    if not worker_ids:
        return 0
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.state) == DeliveryState.SENDING, col(Delivery.claimed_by).in_(list(worker_ids)))
        .values(
            state=DeliveryState.PENDING,
            available_at=None,
            claimed_by=None,
            attempts=case((col(Delivery.attempts) > 0, Delivery.attempts - 1), else_=0),
        )
    )
    return int(result.rowcount or 0)


async def retrying_count(session: AsyncSession, *, now: datetime) -> int:
    """Pending rows that failed to send and wait to be tried again (an outage, flood control)."""
    statement = select(func.count()).where(
        col(Delivery.state) == DeliveryState.PENDING,
        col(Delivery.last_error).is_not(None),
        col(Delivery.available_at) > now,
    )
    return int((await session.exec(statement)).one())


async def retry_later(
    session: AsyncSession,
    *,
    delivery_ids: Sequence[int],
    available_at: datetime,
    error: str,
    count_attempt: bool = True,
) -> None:
    """Back to pending, not before ``available_at``."""
    values: dict[str, object] = {
        "state": DeliveryState.PENDING,
        "available_at": available_at,
        "last_error": error[:1024],
    }
    if not count_attempt:
        values["attempts"] = Delivery.attempts - 1
    await session.exec(update(Delivery).where(col(Delivery.id).in_(delivery_ids)).values(**values))


async def mark_failed(session: AsyncSession, *, delivery_ids: Sequence[int], error: str) -> None:
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(delivery_ids))
        .values(state=DeliveryState.FAILED, last_error=error[:1024], available_at=None)
    )


async def cancel_pending(session: AsyncSession, *, subscriber_id: int, reason: str) -> int:
    """Fail what is still queued for a subscriber who left or cannot be reached."""
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.subscriber_id) == subscriber_id, col(Delivery.state).in_(OPEN_STATES))
        .values(state=DeliveryState.FAILED, last_error=reason[:1024], available_at=None)
    )
    return int(result.rowcount or 0)


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    """Sent items by state, every state present."""
    statement = select(Delivery.state, func.count()).group_by(col(Delivery.state))
    counts = {state.value: 0 for state in DeliveryState}
    for state, count in (await session.exec(statement)).all():
        counts[state] = int(count)
    return counts


async def oldest_pending(session: AsyncSession) -> datetime | None:
    """When the oldest item still waiting was queued."""
    statement = select(func.min(Delivery.queued_at)).where(col(Delivery.state).in_(OPEN_STATES))
    return _aware((await session.exec(statement)).one())


@dataclass(frozen=True, slots=True)
class Failure:
    chat_id: int
    article_title: str
    error: str
    queued_at: datetime


async def recent_failures(session: AsyncSession, *, limit: int = 5) -> list[Failure]:
    """The newest failed items with the reason they failed."""
    statement = (
        select(Subscriber.chat_id, StoredArticle.title, Delivery.last_error, Delivery.queued_at)
        .join(Subscriber, col(Subscriber.id) == Delivery.subscriber_id)
        .join(StoredArticle, col(StoredArticle.id) == Delivery.article_id)
        .where(col(Delivery.state) == DeliveryState.FAILED)
        .order_by(col(Delivery.id).desc())
        .limit(limit)
    )
    return [
        Failure(chat, title, error or "", queued)
        for chat, title, error, queued in (await session.exec(statement)).all()
    ]


async def mark_sent_many(
    session: AsyncSession,
    *,
    sent: Sequence[tuple[Sequence[int], list[int], str | None]],
    now: datetime | None = None,
) -> None:
    """Mark several deliveries sent in one executemany: (delivery ids, their message ids, the
    form they went out in) triples."""
    table = table_of(Delivery)
    statement = (
        table.update()
        .where(table.c.id == bindparam("delivery_id"))
        .values(
            state=DeliveryState.SENT,
            sent_at=bindparam("sent_at"),
            message_ids=bindparam("sent_messages"),
            form=bindparam("sent_form"),
            last_error=None,
            available_at=None,
        )
    )
    now = now or utcnow()
    rows = [
        {"delivery_id": delivery_id, "sent_at": now, "sent_messages": message_ids, "sent_form": form}
        for delivery_ids, message_ids, form in sent
        for delivery_id in delivery_ids
    ]
    if rows:
        connection = await session.connection()
        await connection.execute(statement, rows)
