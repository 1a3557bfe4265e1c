"""The scheduler tick: poll the sources that are due, queue the digests that are due, advance schedules.

No job per subscriber: the schedule lives in the database (``next_digest_at``),
and one repeating job asks who is due. A digest missed during downtime is queued
once on the next tick, and the schedule moves to its next slot after now.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.metrics import LAST_TICK, TICK_SECONDS
from bot.usecases.polling import SourcePoller
from bot.usecases.runtime import Runtime
from bot.usecases.schedules import next_digest_at
from storage import SessionFactory, session_scope, utcnow
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from storage.locks import try_lock

logger = logging.getLogger(__name__)


async def queue_due_digests(
    engine: AsyncEngine, sessions: SessionFactory, *, now: datetime | None = None, batch_size: int = 1000
) -> int | None:
    """Queue every due digest; the number of items queued, or ``None`` when another tick runs."""
    now = now or utcnow()
    queued = 0
    async with try_lock(engine) as acquired:
        if not acquired:
            logger.debug("another process is running the scheduler tick")
            return None
        while True:
            async with session_scope(sessions) as session:
                due = await subscriber_queries.due_subscribers(session, now=now, limit=batch_size)
                if not due:
                    break
                queued += await delivery_queries.queue_scheduled(
                    session, subscriber_ids=[s.id for s in due], now=now
                )
                # Most subscribers share a few schedules: compute each slot once.
                slots = {(s.schedule, s.timezone) for s in due}
                next_slot = {key: next_digest_at(key[0], key[1], after=now) for key in slots}
                next_times = {s.id: next_slot[(s.schedule, s.timezone)] for s in due}
                await subscriber_queries.advance_schedules(session, next_times=next_times, now=now)
            if len(due) < batch_size:
                break
    if queued:
        logger.info("queued %d digest items", queued)
    return queued


async def run_tick(runtime: Runtime, *, now: datetime | None = None) -> int | None:
    """One tick: poll due sources, queue due digests, wake the delivery; what ``queue_due_digests`` says."""
    with TICK_SECONDS.time():
        await SourcePoller(runtime).poll_due(now=now)
        queued = await queue_due_digests(runtime.engine, runtime.sessions, now=now)
    runtime.last_tick_at = utcnow()
    LAST_TICK.set(runtime.last_tick_at.timestamp())
    if queued:
        runtime.queued()
    return queued
