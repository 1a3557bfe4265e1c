"""The shared send budget: slots of one bot token's sending, handed out by the database.

A reservation moves the bucket's next free slot forward by ``count`` intervals in one
statement, so reservations of all processes line up one after another, whichever host they
run on: the time is the database's, and a process learns only how long to wait.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.sql import ColumnElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.models import SendBudget


def _database_now(session: AsyncSession) -> ColumnElement[Any]:
    """Seconds since the epoch by the database's clock, at the moment the statement runs."""
    if dialect_name(session) == "postgresql":
        return func.extract("epoch", func.clock_timestamp())
    return (func.julianday("now") - 2440587.5) * 86400.0


def _later_of(session: AsyncSession, a: Any, b: Any) -> ColumnElement[float]:
    return func.greatest(a, b) if dialect_name(session) == "postgresql" else func.max(a, b)


async def ensure_bucket(session: AsyncSession, *, bucket: str) -> None:
    """The bucket's row, made if it is missing (by any number of processes at once)."""
    # The same statement on both databases (no dialect module to import for it).
    statement = text(
        "INSERT INTO send_budget (bucket, next_at) VALUES (:bucket, 0) ON CONFLICT (bucket) DO NOTHING"
    )
    await (await session.connection()).execute(statement.bindparams(bucket=bucket))


async def reserve(session: AsyncSession, *, bucket: str, count: int, interval: float) -> float:
    """Take ``count`` slots ``interval`` seconds apart; the seconds until the first of them."""
    now = _database_now(session)
    span = count * interval
    statement = (
        update(SendBudget)
        .where(col(SendBudget.bucket) == bucket)
        .values(next_at=_later_of(session, col(SendBudget.next_at), now) + span)
        .returning(col(SendBudget.next_at) - span - now)
    )
    delay = (await session.exec(statement)).scalar_one_or_none()
    if delay is None:
        raise LookupError(f"no send budget {bucket!r}")
    return max(0.0, float(delay))


async def hold(session: AsyncSession, *, bucket: str, seconds: float) -> None:
    """No slot before ``seconds`` from now, for every sender: Telegram asked for a flood wait."""
    now = _database_now(session)
    await session.exec(
        update(SendBudget)
        .where(col(SendBudget.bucket) == bucket)
        .values(next_at=_later_of(session, col(SendBudget.next_at), now + seconds))
    )
