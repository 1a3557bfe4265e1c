"""Alembic, driven from code: upgrade to head, or tell whether a database is behind.

A database already at the head is recognised without importing Alembic (with Mako and
Pygments, a tenth of a second and a tenth of the bot's memory at start): the head is read off
the migration files and the current revision off the ``alembic_version`` table.
"""

from __future__ import annotations

import asyncio
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, is_sqlite, normalize_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(?:\"([^\"]+)\"|None)", re.M)


class SchemaBehindError(RuntimeError):
    """The database schema is older than this code; run `digestbot db upgrade`."""


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


@cache
def head_revision() -> str | None:
    """The newest migration: the revision no other migration revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).add(value)
    heads = revisions - revised
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {sorted(heads)}")
    return heads.pop() if heads else None


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema up to ``revision``: blocking, call it off the event loop."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision in Alembic's ``alembic_version`` table; ``None`` before the first migration."""

    def read(sync: object) -> str | None:
        if not inspect(sync).has_table("alembic_version"):
            return None
        return sync.execute(text("SELECT version_num FROM alembic_version")).scalar()  # type: ignore[attr-defined]

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def ensure_schema(url: str, *, upgrade_sqlite: bool = True) -> None:
    """Upgrade an SQLite database; refuse a PostgreSQL schema that is behind."""
    engine = create_engine(url)
    try:
        current = await current_revision(engine)
    finally:
        await engine.dispose()
    head = head_revision()
    if current == head:
        return
    if is_sqlite(url) and upgrade_sqlite:
        await asyncio.to_thread(upgrade, url)
        return
    raise SchemaBehindError(
        f"the database schema is at {current or 'nothing'} but this version needs {head}: "
        "run `digestbot db upgrade` first"
    )
