"""Cross-process locks: one scheduler tick at a time across bots and workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

SCHEDULER_LOCK = 0x6469_6765  # "dige"


@asynccontextmanager
async def try_lock(engine: AsyncEngine, key: int = SCHEDULER_LOCK) -> AsyncIterator[bool]:
    """Hold a PostgreSQL advisory lock if nobody else does; ``False`` when it is taken.

    SQLite serializes writers itself and has one process per file in practice, so the
    lock is always granted there.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as connection:
        acquired = bool(
            (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
        )
        try:
            yield acquired
        finally:
            if acquired:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await connection.commit()
