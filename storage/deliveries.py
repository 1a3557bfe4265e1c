"""Queries on sent items: one row per subscriber and article, the delivery outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Delivery, utcnow

STATES = ("pending", "sending", "sent", "failed")


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
        "state": "sent",
        "attempts": 1,
        "message_ids": message_ids,
        "queued_at": now,
        "sent_at": now,
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Delivery)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["subscriber_id", "article_id"])
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount)


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    """Sent items by state, every state present."""
    statement = select(Delivery.state, func.count()).group_by(col(Delivery.state))
    counts = dict.fromkeys(STATES, 0)
    for state, count in (await session.exec(statement)).all():
        counts[state] = int(count)
    return counts
