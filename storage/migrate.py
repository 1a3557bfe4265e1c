"""Alembic, driven from code: upgrade to head, or tell whether a database is behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, normalize_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaBehindError(RuntimeError):
    """The database schema is older than this code; run `digestbot db upgrade`."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema up to ``revision``: blocking, call it off the event loop."""
    command.upgrade(alembic_config(url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def ensure_schema(url: str, *, upgrade_sqlite: bool = True) -> None:
    """Upgrade an SQLite database; refuse a PostgreSQL schema that is behind."""
    from storage.db import is_sqlite

    if is_sqlite(url) and upgrade_sqlite:
        await asyncio.to_thread(upgrade, url)
        return
    engine = create_engine(url)
    try:
        current = await current_revision(engine)
    finally:
        await engine.dispose()
    head = head_revision()
    if current != head:
        raise SchemaBehindError(
            f"the database schema is at {current or 'nothing'} but this version needs {head}: "
            "run `digestbot db upgrade` first"
        )
