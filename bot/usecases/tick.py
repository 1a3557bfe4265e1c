"""The scheduler tick: queue the digests that are due and advance schedules; the backfills' job.

No job per subscriber: the schedule lives in the database (``next_digest_at``),
and one repeating job asks who is due. A digest missed during downtime is queued
once on the next tick, and the schedule moves to its next slot after now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.metrics import LAST_TICK, TICK_SECONDS
from bot.usecases import upkeep
from bot.usecases.filtering import FilterVerdicts
from bot.usecases.runtime import Runtime
from bot.usecases.schedules import next_digest_at
from storage import SessionFactory, session_scope, utcnow
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from storage.locks import try_lock
from storage.subscribers import DueSubscriber

logger = logging.getLogger(__name__)


async def queue_due_digests(
    engine: AsyncEngine,
    sessions: SessionFactory,
    *,
    now: datetime | None = None,
    batch_size: int = 1000,
    on_queued: Callable[[], None] | None = None,
) -> int | None:
    """Queue every due digest; the number of items queued, or ``None`` when another tick runs.

    ``on_queued`` is called after each batch that queued something is committed, so that the
    delivery starts on the first thousand subscribers while the rest are queued."""
    now = now or utcnow()
    queued = 0
    verdicts = FilterVerdicts()
    async with try_lock(engine) as acquired:
        if not acquired:
            logger.debug("another process is running the scheduler tick")
            return None
        while True:
            queued_before = queued
            async with session_scope(sessions) as session:
                due = await subscriber_queries.due_subscribers(session, now=now, limit=batch_size)
                if not due:
                    break
                accepted = await _filtered(session, due, verdicts, now=now)
                queued += await delivery_queries.queue_scheduled(
                    session, subscriber_ids=[s.id for s in due], now=now, accepted=accepted
                )
                # Most subscribers share a few schedules: compute each slot once.
                slots = {(s.schedule, s.timezone) for s in due}
                next_slot = {key: next_digest_at(key[0], key[1], after=now) for key in slots}
                next_times = {s.id: next_slot[(s.schedule, s.timezone)] for s in due}
                await subscriber_queries.advance_schedules(session, next_times=next_times, now=now)
            if queued > queued_before and on_queued is not None:
                on_queued()
            if len(due) < batch_size:
                break
    if queued:
        logger.info("queued %d digest items", queued)
    return queued


async def _filtered(
    session: AsyncSession, due: list[DueSubscriber], verdicts: FilterVerdicts, *, now: datetime
) -> dict[str, set[int]]:
    """For the keyword filters among ``due``, the articles each accepts of those they could get."""
    filtered = [s for s in due if s.filter_key]
    if not filtered:
        return {}
    after = min((s.since for s in filtered if s.since is not None), default=now)
    article_ids = await article_queries.announced_between(session, after=after, until=now)
    keys = {s.filter_key for s in filtered if s.filter_key}
    return await verdicts.accepted(session, keys=keys, article_ids=article_ids)


async def run_tick(runtime: Runtime, *, now: datetime | None = None) -> int | None:
    """The scheduler tick: queue due digests (waking the delivery after each batch); what
    ``queue_due_digests`` says. It never waits for polling, which is a job of its own."""
    with TICK_SECONDS.time():
        queued = await queue_due_digests(runtime.engine, runtime.sessions, now=now, on_queued=runtime.queued)
    runtime.last_tick_at = utcnow()
    LAST_TICK.set(runtime.last_tick_at.timestamp())
    return queued


async def run_backfills(runtime: Runtime) -> None:
    """The backfills of articles stored before search and stories, a batch a round (a job of
    its own: polling is a loop, ``SourcePoller.run``)."""
    await upkeep.index_unindexed(runtime)
    await upkeep.group_ungrouped(runtime)
