"""Database tables. The schema changes only through an Alembic revision."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Constraint names are fixed so that migrations can refer to them on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DeliveryState(StrEnum):
    """Where a sent item is in the outbox: pending → sending → sent | failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class DigestFormat(StrEnum):
    """How a digest goes out: one rich message (Bot API 10.1), or the classic HTML message (also
    a chat's choice); plain is the classic one without markup, after Telegram refused its HTML."""

    RICH = "rich"
    CLASSIC = "classic"
    PLAIN = "plain"


class SourceKind(StrEnum):
    """Where articles come from; all but uploads are polled."""

    FEED = "feed"
    PAGE = "page"  # one article, polled for edits
    SECTION = "section"  # a site's section page: its article links are the entries
    SITEMAP = "sitemap"  # a news sitemap or a sitemap index of them
    UPLOAD = "upload"


class ChatKind(StrEnum):
    """What a chat is, as Telegram says (``Chat.type``)."""

    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class DigestLength(StrEnum):
    """How long a chat's digests are: sentences for the lead, each section and its detail."""

    SHORT = "short"
    NORMAL = "normal"
    LONG = "long"


class SpecialSchedule(StrEnum):
    """The schedules that are not a time of day: every article at once, or none."""

    INSTANT = "instant"
    OFF = "off"


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table (SQLModel sets ``__table__`` at class creation, untyped)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def stored_id(value: int | None) -> int:
    """A stored row's id: tables declare ``id: int | None`` (it is ``None`` only before the row
    is flushed), and past storage an id is an ``int``; reading one too early is a bug."""
    if value is None:
        raise ValueError("a row's id was read before the row was stored")
    return int(value)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A closed set stored as its values' text (VARCHAR: no native enum type to migrate), read
    back as the enum's members; a value outside the set is refused before it is written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def _enum(enum: type[StrEnum], length: int, *, default: StrEnum | None, nullable: bool = False) -> Any:
    # The column's own default too: bulk inserts through Core do not see the model's.
    return Field(
        default=default, sa_column=Column(EnumText(enum, length), nullable=nullable, default=default)
    )


def _timestamp(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


class Subscriber(SQLModel, table=True):
    """A chat the bot talks to: a user, a group or a channel, subscribed or not."""

    __tablename__ = "subscriber"
    __table_args__ = (
        UniqueConstraint("chat_id", name="uq_subscriber_chat_id"),
        Index("ix_subscriber_due", "active", "next_digest_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_type: ChatKind = _enum(ChatKind, 16, default=ChatKind.PRIVATE)
    title: str | None = Field(default=None, max_length=255)
    username: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=8)  # UI language: en or zh
    timezone: str = Field(default="UTC", max_length=64)
    schedule: str = Field(default="08:00", max_length=64)  # "08:00", "07:30 mon-fri", "instant", "off"
    digest_length: DigestLength = _enum(DigestLength, 8, default=DigestLength.NORMAL)
    digest_format: DigestFormat | None = _enum(DigestFormat, 8, default=None, nullable=True)  # None: bot's
    # The forum topic (message_thread_id) digests go to in a group with topics; None: General.
    topic_id: int | None = Field(default=None)
    active: bool = Field(default=False)  # subscribed and reachable
    # All sources (the default), or only those in source_follow; uploads by admins always come.
    follow_all: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    # Keyword filter ({"include": [...], "exclude": [...]}, digests.filters), and its key: the
    # same filters share a key, so queueing evaluates each distinct filter once per article.
    keyword_filter: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    filter_key: str | None = Field(default=None, max_length=32, index=True)
    subscribed_at: datetime | None = _timestamp()
    next_digest_at: datetime | None = _timestamp()
    last_digest_at: datetime | None = _timestamp()
    deactivated_at: datetime | None = _timestamp()
    deactivated_reason: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class Source(SQLModel, table=True):
    """Where articles come from: a feed, a web page, or uploads by an admin."""

    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("url", name="uq_source_url"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: SourceKind = _enum(SourceKind, 16, default=SourceKind.UPLOAD)
    url: str | None = Field(default=None, max_length=2048)
    title: str | None = Field(default=None, max_length=255)
    paused: bool = Field(default=False)
    # False for a source only readers follow (/follow): its articles reach those chats alone.
    public: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    poll_interval_seconds: int = Field(default=1800)  # POLL_INTERVAL_SECONDS, or an admin's choice
    interval_chosen: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )  # set by an admin: the source's own advice is then ignored
    # What the source last asked for (<ttl>, sy:updatePeriod, Cache-Control: max-age), in seconds.
    advised_interval_seconds: int | None = Field(default=None)
    next_poll_at: datetime | None = _timestamp(index=True)
    etag: str | None = Field(default=None, max_length=255)
    last_modified: str | None = Field(default=None, max_length=64)
    error_count: int = Field(default=0)  # consecutive failed polls
    last_error: str | None = Field(default=None, max_length=1024)
    last_polled_at: datetime | None = _timestamp()
    paused_reason: str | None = Field(default=None, max_length=255)
    body_hash: str | None = Field(default=None, max_length=64)  # of the last body: unchanged → not parsed
    # Entries of the feed that stored no article (a copy of a known text, or no text at all), by
    # entry key → fingerprint, so that an unchanged one is not fetched and parsed on every poll.
    skipped_entries: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    # Entries that fail this keyword filter are not stored (for everyone): digests.filters.
    keyword_filter: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class StoredArticle(SQLModel, table=True):
    """One ingested article with its parsed structure."""

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("content_hash", name="uq_article_content_hash"),
        UniqueConstraint("source_id", "entry_key", name="uq_article_source_entry"),
        Index("ix_article_source_guid", "source_id", "guid"),
        Index("ix_article_published", "published_at"),
        Index("ix_article_fetched", "fetched_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="SET NULL"), nullable=True),
    )
    url: str | None = Field(default=None, max_length=2048)
    guid: str | None = Field(default=None, max_length=1024)
    # The entry's identity in its source: GUID, else canonical link, else a hash of title and text.
    entry_key: str | None = Field(default=None, max_length=1024)
    content_hash: str = Field(max_length=64)
    title: str = Field(max_length=1024)
    language: str = Field(default="en", max_length=16)
    byline: str | None = Field(default=None, max_length=255)
    published_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    structure: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # False for a new source's back catalogue: stored for /articles, never pushed.
    announce: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    # The story it tells (the id of the story's first article: digests.stories) and the MinHash
    # signature that found it; None for articles stored before stories were grouped.
    story_id: int | None = Field(default=None, index=True)
    signature: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class ArticleBand(SQLModel, table=True):
    """One band key of an article's MinHash signature: articles sharing one are story candidates."""

    __tablename__ = "article_band"

    band_key: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    )


class StoredSection(SQLModel, table=True):
    """One section of a stored article."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("article_id", "position", name="uq_section_article_position"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    heading: str = Field(max_length=1024)
    label: str = Field(default="", max_length=32)
    paragraphs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Delivery(SQLModel, table=True):
    """A sent item: one article queued for or pushed to one subscriber (the outbox)."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "article_id", name="uq_delivery_subscriber_article"),
        Index("ix_delivery_state_available", "state", "available_at"),
        Index("ix_delivery_state_queued", "state", "queued_at", "id"),  # claims, oldest first
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscriber.id", ondelete="CASCADE"), nullable=False)
    )
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False)
    )
    state: DeliveryState = _enum(DeliveryState, 16, default=DeliveryState.PENDING)
    attempts: int = Field(default=0)
    message_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    queued_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    available_at: datetime | None = _timestamp()  # not before: backoff and leases
    sent_at: datetime | None = _timestamp()
    last_error: str | None = Field(default=None, max_length=1024)
    claimed_by: str | None = Field(default=None, max_length=36)  # the worker process sending it
    form: DigestFormat | None = _enum(DigestFormat, 8, default=None, nullable=True)  # how it went out


class SourceFollow(SQLModel, table=True):
    """A source a subscriber chose to follow (when not following all of them)."""

    __tablename__ = "source_follow"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "source_id", name="uq_source_follow_subscriber_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscriber.id", ondelete="CASCADE"), nullable=False)
    )
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="CASCADE"), nullable=False)
    )


class SourceReader(SQLModel, table=True):
    """A source a chat follows as its own (/follow URL, with READER_SOURCES on)."""

    __tablename__ = "source_reader"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "source_id", name="uq_source_reader_subscriber_source"),
        Index("ix_source_reader_source", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscriber.id", ondelete="CASCADE"), nullable=False)
    )
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class SourceTopic(SQLModel, table=True):
    """The forum topic one source's articles go to in one chat (/sourcetopic ID inside it)."""

    __tablename__ = "source_topic"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "source_id", name="uq_source_topic_subscriber_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(
        sa_column=Column(Integer, ForeignKey("subscriber.id", ondelete="CASCADE"), nullable=False)
    )
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="CASCADE"), nullable=False)
    )
    topic_id: int


class Worker(SQLModel, table=True):
    """A process that claims from the outbox; while it lives it holds a lock named after its id."""

    __tablename__ = "worker"

    id: str = Field(primary_key=True, max_length=36)
    host: str = Field(default="", max_length=255)
    pid: int = Field(default=0)
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class SendBudget(SQLModel, table=True):
    """The messages a second that every process sending for one bot token shares: the next
    free send slot, in seconds since the epoch by the database's clock (one clock for all hosts)."""

    __tablename__ = "send_budget"

    bucket: str = Field(primary_key=True, max_length=64)  # "bot:<bot id>", never the token
    next_at: float = Field(default=0.0)


class PendingUpload(SQLModel, table=True):
    """A document an admin sent, remembered until it is published: a crash in between does not
    lose it (polling has confirmed the update to Telegram already)."""

    __tablename__ = "pending_upload"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    file_id: str = Field(max_length=255)
    file_name: str = Field(max_length=255)
    mime_type: str | None = Field(default=None, max_length=255)
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
