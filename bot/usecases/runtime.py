"""What every use case runs against: the settings, the database, the digest cache and the hooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logs import OutageLog
from bot.settings import Settings
from bot.usecases.digest_forms import RichSupport
from bot.usecases.loops import LoopHealth
from bot.usecases.rendering import DigestRenderer
from bot.usecases.sites import SiteAccess
from digests.fetch import FetchPolicy
from storage import SessionFactory, Source, create_engine, session_factory

SourcePausedHook = Callable[[Source, str], Awaitable[None]]
logger = logging.getLogger("digestbot")


@dataclass
class Runtime:
    """One per process: front ends build it from settings and pass it to every use case."""

    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    renderer: DigestRenderer
    fetch_policy: FetchPolicy
    sites: SiteAccess  # polite fetching of sites without feeds: robots.txt, per-host pace
    # Called when items were queued, so that a delivery worker looks at the outbox at once.
    on_queued: list[Callable[[], None]] = field(default_factory=list)
    # Called when a source is paused after failing too often (the front end tells the admins).
    on_source_paused: list[SourcePausedHook] = field(default_factory=list)
    rich: RichSupport = field(default_factory=RichSupport)  # rich or classic digests (DIGEST_FORMAT)
    last_tick_at: datetime | None = None
    # Every stored article is in the search index (new ones are indexed as they are stored).
    search_index_complete: bool = False
    stories_complete: bool = False  # likewise: every stored article has its story
    # The background loops of this process (delivery, polling), as /healthz reports them.
    loops: dict[str, LoopHealth] = field(default_factory=dict)
    _write_turns: asyncio.Lock = field(default_factory=asyncio.Lock)
    # One log line when the database stops answering and one when it is back, for every part.
    database: OutageLog = field(default_factory=lambda: OutageLog(logger, "the database"))

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        policy = fetch_policy(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            renderer=DigestRenderer(sessions, normal_sentences=settings.digest_sentences),
            fetch_policy=policy,
            sites=SiteAccess(policy, interval=settings.site_request_interval_seconds),
            rich=RichSupport(settings.digest_format),
        )

    def single_writer(self) -> AbstractAsyncContextManager[object]:
        """Around a burst of writes: on SQLite, which has one writer at a time, the process's
        writers take turns here instead of waiting on the file lock (which sleeps and retries);
        on PostgreSQL nothing is held."""
        return self._write_turns if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()

    def loop_health(self, name: str, *, stuck_after: float) -> LoopHealth:
        """The health record of one of this process's loops, which ``/healthz`` reports."""
        health = self.loops[name] = LoopHealth(name, stuck_after=stuck_after)
        return health

    def queued(self) -> None:
        """Something was queued for delivery: wake whoever delivers."""
        for wake in self.on_queued:
            wake()

    async def close(self) -> None:
        await self.engine.dispose()


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The one fetch policy every fetch uses, the command line's included."""
    return FetchPolicy(allow_private_addresses=settings.fetch_allow_private_addresses)


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime whose database connections are closed when the block ends."""
    runtime = Runtime.from_settings(settings)
    try:
        yield runtime
    finally:
        await runtime.close()
