"""Storage against SQLite and PostgreSQL: migrations, subscribers, articles, sent items."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from digests import parse_article
from storage import (
    Delivery,
    SchemaBehindError,
    create_engine,
    deliveries,
    ensure_schema,
    session_factory,
    session_scope,
    subscribers,
)
from storage import articles as article_queries
from storage.migrate import current_revision, head_revision, upgrade
from tests.helpers import OWN_SAMPLE, reset_database

BIG_CHAT_ID = -1001234567890123  # supergroup ids need 64 bits


async def test_migrations_reach_head(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_subscribe_is_idempotent_and_survives_a_new_engine(database_url: str) -> None:
    engine = create_engine(database_url)
    factory = session_factory(engine)
    next_at = datetime(2026, 1, 2, 0, 0, tzinfo=UTC)
    async with session_scope(factory) as session:
        subscriber = await subscribers.ensure_subscriber(
            session, chat_id=BIG_CHAT_ID, chat_type="supergroup", title="Readers", language="zh"
        )
        assert await subscribers.subscribe(session, subscriber=subscriber, next_digest_at=next_at)
        assert not await subscribers.subscribe(session, subscriber=subscriber, next_digest_at=next_at)
        await subscribers.update_settings(
            session,
            subscriber=subscriber,
            timezone="Asia/Shanghai",
            schedule="07:30",
            next_digest_at=next_at + timedelta(hours=1),
        )
    await engine.dispose()

    engine = create_engine(database_url)
    async with session_scope(session_factory(engine)) as session:
        stored = await subscribers.get_subscriber(session, chat_id=BIG_CHAT_ID)
        assert stored is not None and stored.active and stored.language == "zh"
        assert (stored.timezone, stored.schedule) == ("Asia/Shanghai", "07:30")
        assert stored.next_digest_at == next_at + timedelta(hours=1)  # timezone-aware, UTC
        assert await subscribers.unsubscribe(session, subscriber=stored)
        assert not await subscribers.unsubscribe(session, subscriber=stored)
        counts = await subscribers.subscriber_counts(session)
        assert counts == {"total": 1, "active": 0, "inactive": 1, "deactivated": 0}
    await engine.dispose()


async def test_chat_id_is_unique(sessions) -> None:
    with pytest.raises(IntegrityError):
        async with session_scope(sessions) as session:
            session.add(subscribers.Subscriber(chat_id=5))
            session.add(subscribers.Subscriber(chat_id=5))
            await session.flush()


async def test_articles_are_stored_once_with_their_sections(sessions) -> None:
    article = parse_article(OWN_SAMPLE.read_text(encoding="utf-8"))
    async with session_scope(sessions) as session:
        source = await article_queries.upload_source(session)
        row, created = await article_queries.save_article(session, article=article, source_id=source.id)
        again, created_again = await article_queries.save_article(session, article=article)
        assert created and not created_again and again.id == row.id
    async with session_scope(sessions) as session:
        latest = await article_queries.latest_article(session)
        assert latest is not None and latest.id == row.id
        restored = await article_queries.load_digest_article(session, article=latest)
        assert restored.title == article.title
        assert restored.lead == article.lead and restored.sections == article.sections
        assert restored.published == article.published
        assert await article_queries.count_articles(session) == 1


async def test_sent_items_are_unique_per_subscriber_and_article(sessions) -> None:
    async with session_scope(sessions) as session:
        subscriber = await subscribers.ensure_subscriber(session, chat_id=1001)
        row, _ = await article_queries.save_article(
            session, article=parse_article(OWN_SAMPLE.read_text(encoding="utf-8"))
        )
        assert await deliveries.record_sent(
            session, subscriber_id=subscriber.id, article_id=row.id, message_ids=[10, 11]
        )
        assert not await deliveries.record_sent(
            session, subscriber_id=subscriber.id, article_id=row.id, message_ids=[12]
        )
        assert await deliveries.delivery_counts(session) == {
            "pending": 0,
            "sending": 0,
            "sent": 1,
            "failed": 0,
        }
    with pytest.raises(IntegrityError):
        async with session_scope(sessions) as session:
            session.add(Delivery(subscriber_id=subscriber.id, article_id=row.id))
            await session.flush()


async def test_deactivation_keeps_the_reason(sessions) -> None:
    async with session_scope(sessions) as session:
        subscriber = await subscribers.ensure_subscriber(session, chat_id=77)
        await subscribers.subscribe(session, subscriber=subscriber, next_digest_at=None)
        await subscribers.deactivate(
            session, subscriber=subscriber, reason="Forbidden: bot was blocked by the user"
        )
    async with session_scope(sessions) as session:
        stored = await subscribers.get_subscriber(session, chat_id=77)
        assert not stored.active and stored.deactivated_at is not None
        assert stored.deactivated_reason.startswith("Forbidden")
        assert (await subscribers.subscriber_counts(session))["deactivated"] == 1


async def test_postgres_schema_behind_is_refused(postgres_url: str) -> None:
    await reset_database(postgres_url, migrate=False)
    with pytest.raises(SchemaBehindError, match="digestbot db upgrade"):
        await ensure_schema(postgres_url)
    await asyncio.to_thread(upgrade, postgres_url)
    await ensure_schema(postgres_url)  # up to date: no error


async def test_sqlite_is_upgraded_on_start(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'bot.db'}"
    await ensure_schema(url)
    engine = create_engine(url)
    try:
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            from sqlalchemy import text

            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_without_a_server_the_postgresql_tests_say_why_they_skip() -> None:
    from tests.helpers import postgres_reachable

    reason = await postgres_reachable("postgresql+asyncpg://postgres@127.0.0.1:1")
    assert reason is not None and reason.startswith(
        "no PostgreSQL at postgresql+asyncpg://postgres@127.0.0.1:1"
    )


def test_the_head_read_off_the_migration_files_is_alembics_head() -> None:
    """The start-up check reads the head without Alembic; it must agree with Alembic."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _modelled(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
    """Leave out the search index (SQLite FTS5 tables, PostgreSQL's generated index): the
    migration that made it owns it, and no model describes it."""
    table = name if kind == "table" else parents.get("table_name")
    return not (table or "").startswith("article_search") and not (name or "").startswith("ix_article_search")


async def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    """Alembic owns the schema: after every revision, autogenerate finds nothing left to change
    (a column or table added to a model without its migration fails here)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.engine import Connection
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401 - registers every table on SQLModel.metadata

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_name": _modelled}
        )
        return list(compare_metadata(context, SQLModel.metadata))

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert found == []
