"""Queries on worker processes: who claims from the outbox, and when it was last seen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Worker


async def register_worker(
    session: AsyncSession, *, worker_id: str, host: str, pid: int, now: datetime
) -> None:
    session.add(Worker(id=worker_id, host=host[:255], pid=pid, started_at=now, heartbeat_at=now))


async def heartbeat(session: AsyncSession, *, worker_id: str, now: datetime) -> None:
    worker = await session.get(Worker, worker_id)
    if worker is not None:
        worker.heartbeat_at = now
        session.add(worker)


async def other_workers(session: AsyncSession, *, worker_id: str) -> Sequence[Worker]:
    """Every registered worker but this one, oldest first."""
    statement = select(Worker).where(col(Worker.id) != worker_id).order_by(col(Worker.started_at))
    return (await session.exec(statement)).all()


async def forget_workers(session: AsyncSession, *, worker_ids: Sequence[str]) -> None:
    if worker_ids:
        await session.exec(delete(Worker).where(col(Worker.id).in_(list(worker_ids))))
