"""Cross-process locks: one scheduler tick at a time, and the liveness of worker processes."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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


def _worker_key(worker_id: str) -> int:
    """A signed 64-bit advisory lock key for a worker id."""
    return int.from_bytes(hashlib.sha256(worker_id.encode()).digest()[:8], "big", signed=True)


def _lock_path(engine: AsyncEngine, worker_id: str) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(f"{database}.workers") / f"{worker_id}.lock"


class LivenessLock:
    """Held by a worker process for its whole life, released by the kernel or the server when
    the process dies however it dies: a session advisory lock on PostgreSQL, an exclusive
    ``flock`` on a file beside the SQLite database."""

    def __init__(self, engine: AsyncEngine, worker_id: str) -> None:
        self.engine = engine
        self.worker_id = worker_id
        self._connection: AsyncConnection | None = None
        self._file: int | None = None

    async def acquire(self) -> None:
        if self.engine.dialect.name == "postgresql":
            self._connection = await self.engine.connect()
            key = _worker_key(self.worker_id)
            await self._connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            await self._connection.commit()
            return
        path = _lock_path(self.engine, self.worker_id)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)

    async def release(self) -> None:
        if self._connection is not None:
            await self._connection.close()  # the session ends, and its advisory lock with it
            self._connection = None
        if self._file is not None:
            os.close(self._file)
            self._file = None
            path = _lock_path(self.engine, self.worker_id)
            if path is not None:
                path.unlink(missing_ok=True)


async def worker_is_alive(engine: AsyncEngine, worker_id: str) -> bool:
    """Whether the process that registered ``worker_id`` still holds its liveness lock."""
    if engine.dialect.name == "postgresql":
        key = _worker_key(worker_id)
        async with engine.connect() as connection:
            free = bool(
                (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
            )
            if free:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            await connection.commit()
        return not free
    path = _lock_path(engine, worker_id)
    if path is None or not path.exists():
        return False
    handle = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    path.unlink(missing_ok=True)
    return False
