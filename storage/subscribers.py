"""Queries on subscribers: the chats the bot talks to and their settings."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.models import (
    ChatKind,
    DigestFormat,
    DigestLength,
    SourceTopic,
    StoredArticle,
    Subscriber,
    table_of,
    utcnow,
)


async def get_subscriber(session: AsyncSession, *, chat_id: int) -> Subscriber | None:
    """The subscriber row of a chat, if the bot has seen it."""
    return (await session.exec(select(Subscriber).where(col(Subscriber.chat_id) == chat_id))).first()


async def ensure_subscriber(
    session: AsyncSession,
    *,
    chat_id: int,
    chat_type: str = "private",
    title: str | None = None,
    username: str | None = None,
    language: str = "en",
    timezone: str = "UTC",
    schedule: str = "08:00",
) -> Subscriber:
    """The chat's row, created with defaults on first contact; names kept current."""
    subscriber = await get_subscriber(session, chat_id=chat_id)
    if subscriber is None:
        subscriber = Subscriber(
            chat_id=chat_id,
            chat_type=ChatKind(chat_type),
            title=title,
            username=username,
            language=language,
            timezone=timezone,
            schedule=schedule,
        )
        session.add(subscriber)
        await session.flush()
        return subscriber
    if (title, username) != (subscriber.title, subscriber.username) and (title or username):
        subscriber.title, subscriber.username = title, username
        session.add(subscriber)
    return subscriber


async def subscribe(
    session: AsyncSession,
    *,
    subscriber: Subscriber,
    next_digest_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """Start scheduled digests; ``False`` when the chat was subscribed already."""
    if subscriber.active:
        return False
    subscriber.active = True
    subscriber.subscribed_at = now or utcnow()
    subscriber.last_digest_at = subscriber.subscribed_at  # no backlog: digests start from now
    subscriber.next_digest_at = next_digest_at
    subscriber.deactivated_at = None
    subscriber.deactivated_reason = None
    session.add(subscriber)
    return True


async def unsubscribe(session: AsyncSession, *, subscriber: Subscriber) -> bool:
    """Stop scheduled digests; ``False`` when the chat was not subscribed."""
    if not subscriber.active:
        return False
    subscriber.active = False
    subscriber.next_digest_at = None
    session.add(subscriber)
    return True


async def update_settings(
    session: AsyncSession,
    *,
    subscriber: Subscriber,
    timezone: str | None = None,
    schedule: str | None = None,
    digest_length: str | None = None,
    language: str | None = None,
    digest_format: str | None = None,
    next_digest_at: datetime | None = None,
) -> Subscriber:
    """Change any of a subscriber's settings; the caller computes the next digest time."""
    if timezone is not None:
        subscriber.timezone = timezone
    if schedule is not None:
        subscriber.schedule = schedule
    if digest_length is not None:
        subscriber.digest_length = DigestLength(digest_length)
    if language is not None:
        subscriber.language = language
    if digest_format is not None:
        subscriber.digest_format = DigestFormat(digest_format)
    if subscriber.active:
        subscriber.next_digest_at = next_digest_at
    session.add(subscriber)
    return subscriber


async def deactivate(
    session: AsyncSession, *, subscriber: Subscriber, reason: str, now: datetime | None = None
) -> None:
    """The chat cannot be reached (blocked, kicked, deleted): stop sending, keep why."""
    subscriber.active = False
    subscriber.next_digest_at = None
    subscriber.deactivated_at = now or utcnow()
    subscriber.deactivated_reason = reason[:255]
    session.add(subscriber)


async def list_subscribers(
    session: AsyncSession, *, active_only: bool = False, limit: int = 1000, offset: int = 0
) -> Sequence[Subscriber]:
    """Subscribers in the order they first contacted the bot."""
    statement = select(Subscriber).order_by(col(Subscriber.id)).offset(offset).limit(limit)
    if active_only:
        statement = statement.where(col(Subscriber.active).is_(True))
    return (await session.exec(statement)).all()


async def chats_of_type(session: AsyncSession, *, chat_type: str) -> Sequence[Subscriber]:
    """Every chat of one type (``channel``), in the order the bot first knew them."""
    statement = select(Subscriber).where(col(Subscriber.chat_type) == chat_type).order_by(col(Subscriber.id))
    return (await session.exec(statement)).all()


async def subscriber_by_id(session: AsyncSession, *, subscriber_id: int) -> Subscriber | None:
    return await session.get(Subscriber, subscriber_id)


async def subscriber_by_username(session: AsyncSession, *, username: str) -> Subscriber | None:
    """The chat with this @username (any case), if the bot knows one."""
    statement = select(Subscriber).where(func.lower(col(Subscriber.username)) == username.lower().lstrip("@"))
    return (await session.exec(statement)).first()


async def subscriber_counts(session: AsyncSession) -> dict[str, int]:
    """How many chats are subscribed, not subscribed, and deactivated by Telegram errors."""
    statement = select(
        func.count(),
        func.count().filter(col(Subscriber.active).is_(True)),
        func.count(col(Subscriber.deactivated_at)),
    ).select_from(Subscriber)
    total, active, deactivated = (int(v or 0) for v in (await session.exec(statement)).one())
    return {"total": total, "active": active, "inactive": total - active, "deactivated": deactivated}


@dataclass(frozen=True, slots=True)
class DueSubscriber:
    """A subscriber whose digest is due, with what it takes to find the next slot."""

    id: int
    schedule: str
    timezone: str
    filter_key: str | None = None
    since: datetime | None = None  # what its digest takes: articles fetched after this


async def due_subscribers(session: AsyncSession, *, now: datetime, limit: int) -> list[DueSubscriber]:
    """Active subscribers whose scheduled digest is due, oldest first (index ix_subscriber_due)."""
    statement = (
        select(  # type: ignore[call-overload]  # SQLModel types select() up to four columns
            Subscriber.id,
            Subscriber.schedule,
            Subscriber.timezone,
            Subscriber.filter_key,
            func.coalesce(Subscriber.last_digest_at, Subscriber.subscribed_at, Subscriber.created_at),
        )
        .where(col(Subscriber.active).is_(True), col(Subscriber.next_digest_at) <= now)
        .order_by(col(Subscriber.next_digest_at))
        .limit(limit)
    )
    return [DueSubscriber(*row) for row in (await session.exec(statement)).all()]


async def advance_schedules(
    session: AsyncSession, *, next_times: dict[int, datetime | None], now: datetime
) -> None:
    """After queueing: the digest went out now, the next one is due at its next slot."""
    if not next_times:
        return
    if dialect_name(session) == "postgresql":
        # One statement for the batch (a thousand UPDATEs cost 40 ms a batch even pipelined).
        from sqlalchemy import DateTime, Integer, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        rows = (
            func.unnest(
                bindparam("subscriber_ids", list(next_times), type_=ARRAY(Integer)),
                bindparam("next_times", list(next_times.values()), type_=ARRAY(DateTime(timezone=True))),
            )
            .table_valued("id", "next_at")
            .render_derived()
        )
        await session.exec(
            update(Subscriber)
            .where(col(Subscriber.id) == rows.c.id)
            .values(next_digest_at=rows.c.next_at, last_digest_at=now)
        )
        return
    from sqlalchemy import bindparam

    table = table_of(Subscriber)
    statement = (
        table.update()
        .where(table.c.id == bindparam("subscriber_id"))
        .values(next_digest_at=bindparam("next_at"), last_digest_at=bindparam("sent_at"))
    )
    values = [{"subscriber_id": key, "next_at": value, "sent_at": now} for key, value in next_times.items()]
    connection = await session.connection()
    await connection.execute(statement, values)


# What a chat chose: when a group migrates onto a chat the bot knows already, the choices of
# the subscribed one of the two are kept.
_CHOICES = (
    "active",
    "schedule",
    "timezone",
    "language",
    "digest_length",
    "digest_format",
    "follow_all",
    "keyword_filter",
    "filter_key",
    "subscribed_at",
    "next_digest_at",
    "last_digest_at",
)


async def move_chat(session: AsyncSession, *, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its chat id changed. When the bot knows the new chat
    already (someone wrote there first), the two become one: the group's row moves, keeping
    the subscribed one's settings, and takes the other's deliveries and followed sources that
    it lacks; nothing is lost and the unique chat id holds."""

    from storage.models import Delivery, SourceFollow

    moving = (await session.exec(select(Subscriber).where(col(Subscriber.chat_id) == old_chat_id))).first()
    known = (await session.exec(select(Subscriber).where(col(Subscriber.chat_id) == new_chat_id))).first()
    if moving is None or known is None:
        await session.exec(
            update(Subscriber).where(col(Subscriber.chat_id) == old_chat_id).values(chat_id=new_chat_id)
        )
        return
    if known.active and not moving.active:
        for name in _CHOICES:
            setattr(moving, name, getattr(known, name))
    for table, key in ((Delivery, Delivery.article_id), (SourceFollow, SourceFollow.source_id)):
        held = select(key).where(col(table.subscriber_id) == moving.id)
        await session.exec(
            update(table)
            .where(col(table.subscriber_id) == known.id, col(key).not_in(held))
            .values(subscriber_id=moving.id)
        )
    await session.exec(delete(Subscriber).where(col(Subscriber.id) == known.id))
    await session.flush()
    moving.chat_id = new_chat_id
    session.add(moving)
    await session.flush()


async def add_subscribers(session: AsyncSession, *, rows: Sequence[dict[str, object]]) -> None:
    """Insert many subscribers at once (imports, load tests); each row names Subscriber's fields."""
    from sqlalchemy import insert

    now = utcnow()
    values = [{"created_at": now, **row} for row in rows]
    if values:
        await session.exec(insert(Subscriber), params=values)


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the delivery worker needs of a subscriber, without loading the whole row."""

    id: int
    chat_id: int
    digest_length: DigestLength
    language: str = "en"
    digest_format: DigestFormat | None = None  # the chat's choice, None for the bot's


async def recipients(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Recipient]:
    statement = select(  # type: ignore[call-overload]  # SQLModel types select() up to four columns
        Subscriber.id,
        Subscriber.chat_id,
        Subscriber.digest_length,
        Subscriber.language,
        Subscriber.digest_format,
    ).where(col(Subscriber.id).in_(list(ids)))
    return {row[0]: Recipient(*row) for row in (await session.exec(statement)).all()}


async def deactivate_by_id(
    session: AsyncSession, *, subscriber_id: int, reason: str, now: datetime | None = None
) -> None:
    """Like ``deactivate``, for a subscriber known by id."""

    await session.exec(
        update(Subscriber)
        .where(col(Subscriber.id) == subscriber_id)
        .values(
            active=False, next_digest_at=None, deactivated_at=now or utcnow(), deactivated_reason=reason[:255]
        )
    )


async def set_keyword_filter(
    session: AsyncSession,
    *,
    subscriber: Subscriber,
    keyword_filter: dict[str, list[str]] | None,
    key: str | None,
) -> None:
    """Replace a chat's keyword filter (``None``: none) and its key."""
    subscriber.keyword_filter = keyword_filter
    subscriber.filter_key = key
    session.add(subscriber)


async def filters_by_key(
    session: AsyncSession, *, keys: Collection[str] | None = None, instant: bool = False
) -> dict[str, dict[str, list[str]]]:
    """One stored filter per key: of ``keys``, or of every active chat that takes instant
    digests (``instant``). One row per distinct filter is read, not one per chat."""
    chosen = select(func.min(Subscriber.id)).where(col(Subscriber.filter_key).is_not(None))
    if keys is not None:
        chosen = chosen.where(col(Subscriber.filter_key).in_(list(keys)))
    if instant:
        chosen = chosen.where(col(Subscriber.active).is_(True), col(Subscriber.schedule) == "instant")
    statement = select(Subscriber.filter_key, Subscriber.keyword_filter).where(
        col(Subscriber.id).in_(chosen.group_by(Subscriber.filter_key))
    )
    return {key: dict(value or {}) for key, value in (await session.exec(statement)).all() if key}


async def set_topic(session: AsyncSession, *, subscriber: Subscriber, topic_id: int | None) -> None:
    """The forum topic the chat's digests go to (``None``: General)."""
    subscriber.topic_id = topic_id
    session.add(subscriber)


async def set_source_topic(
    session: AsyncSession, *, subscriber_id: int, source_id: int, topic_id: int | None
) -> None:
    """The forum topic one source's articles go to in this chat (``None``: the chat's topic)."""
    await session.exec(
        delete(SourceTopic).where(
            col(SourceTopic.subscriber_id) == subscriber_id, col(SourceTopic.source_id) == source_id
        )
    )
    if topic_id is not None:
        session.add(SourceTopic(subscriber_id=subscriber_id, source_id=source_id, topic_id=topic_id))


async def forget_topic(session: AsyncSession, *, subscriber_id: int, topic_id: int) -> None:
    """A topic that no longer takes messages: what went there goes to General from now on."""
    await session.exec(
        update(Subscriber)
        .where(col(Subscriber.id) == subscriber_id, col(Subscriber.topic_id) == topic_id)
        .values(topic_id=None)
    )
    await session.exec(
        delete(SourceTopic).where(
            col(SourceTopic.subscriber_id) == subscriber_id, col(SourceTopic.topic_id) == topic_id
        )
    )


async def topics_of(
    session: AsyncSession, *, pairs: Collection[tuple[int, int]]
) -> dict[tuple[int, int], int]:
    """The forum topic each (subscriber, article) goes to, where it is not General: the topic of
    the article's source in that chat, else the chat's digest topic."""
    if not pairs:
        return {}
    subscriber_ids = sorted({subscriber for subscriber, _ in pairs})
    article_ids = sorted({article for _, article in pairs})
    topic = func.coalesce(SourceTopic.topic_id, Subscriber.topic_id)
    statement: Any = (
        select(col(Subscriber.id).label("subscriber"), col(StoredArticle.id).label("article"), topic)
        .select_from(Subscriber)
        .join(StoredArticle, col(StoredArticle.id).in_(article_ids))
        .outerjoin(
            SourceTopic,
            and_(
                col(SourceTopic.subscriber_id) == Subscriber.id,
                col(SourceTopic.source_id) == StoredArticle.source_id,
            ),
        )
        .where(col(Subscriber.id).in_(subscriber_ids), topic.is_not(None))
    )
    wanted = set(pairs)
    found: dict[tuple[int, int], int] = {}
    for row in (await session.exec(statement)).all():
        pair = (int(row[0]), int(row[1]))
        if pair in wanted:
            found[pair] = int(row[2])
    return found
