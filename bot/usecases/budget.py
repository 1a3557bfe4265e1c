"""One send budget per bot token, shared by every process that sends for it.

Telegram's ~30 messages a second hold for the sum of all senders of a token, so no process may
space its sends by itself. Each takes a few slots at a time from the database
(``storage.budget``): the slots of all processes line up one after another at the configured
rate, a process that dies leaves only the slots it held (a quarter of a second) unused, and
a flood wait moves the next slot of everyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from bot.logs import OutageLog, is_database_error
from storage import SessionFactory, session_scope
from storage import budget as budget_queries

logger = logging.getLogger(__name__)


def bucket_for(token: str) -> str:
    """The bucket's name: the bot's id, the public half of its token."""
    return f"bot:{token.partition(':')[0][:50]}"


class SharedSendBudget:
    """Hands out this process's sends at the token's rate, in slots reserved through the database."""

    def __init__(
        self,
        sessions: SessionFactory,
        *,
        bucket: str,
        rate: float,
        reserve_seconds: float = 0.25,
    ) -> None:
        if rate <= 0:
            raise ValueError("a send budget needs a rate above zero")
        self.sessions = sessions
        self.bucket = bucket
        self.interval = 1.0 / rate
        # The most slots one reservation takes: what a dying process can leave unused.
        self.batch = max(1, int(rate * reserve_seconds))
        # How late a send may leave after its slot: 31 sends must span more than a second
        # wherever they come from, so lateness eats into 30 intervals' margin over a second.
        self.lateness = min(0.005, max(0.0, (30 * self.interval - 1.0) / 2))
        self.missed = 0  # slots this process woke too late for
        self._slots: deque[float] = deque()  # monotonic times of reserved, unused slots
        self._waiting = 0
        self._refill = asyncio.Lock()
        self._prefetch: asyncio.Future[None] | None = None
        self._local_next = 0.0  # while the database does not answer: this process's own spacing
        self._hold_until = 0.0  # a flood wait this process knows of
        self._ready = False
        self._database = OutageLog(logger, "the send budget's database")
        self.reservations = 0

    async def take(self) -> None:
        """Wait for this process's next send slot."""
        self._waiting += 1
        try:
            while True:
                now = time.monotonic()
                # A slot this process woke too late for is gone: sent late, it would come closer
                # to the next slot (of any process) than the rate allows.
                gone = max(now - self.lateness, self._hold_until)
                while self._slots and self._slots[0] < gone:
                    self._slots.popleft()
                    self.missed += 1
                if not self._slots:
                    await self._reserve_for_waiting()
                    continue
                slot = self._slots.popleft()
                if len(self._slots) < self._waiting - 1 and not self._refill.locked():
                    # Others wait too: the next slots are reserved while these go, so that the
                    # slots of one process follow each other without a gap.
                    self._prefetch = asyncio.ensure_future(self._reserve_for_waiting())
                if slot > now:
                    await asyncio.sleep(slot - now)
                if time.monotonic() <= slot + self.lateness:
                    return
                self.missed += 1
        finally:
            self._waiting -= 1

    async def _reserve_for_waiting(self) -> None:
        async with self._refill:
            if len(self._slots) < self._waiting:
                await self._reserve(min(self.batch, max(1, self._waiting - len(self._slots))))

    async def hold(self, seconds: float) -> None:
        """Telegram asked for a flood wait: no process sends for ``seconds``."""
        self._hold_until = max(self._hold_until, time.monotonic() + seconds)
        try:
            async with session_scope(self.sessions) as session:
                await budget_queries.hold(session, bucket=self.bucket, seconds=seconds)
        except Exception as error:
            if not is_database_error(error):
                raise
            self._database.failed(error)

    async def _reserve(self, count: int) -> None:
        start = max(time.monotonic(), self._hold_until)
        try:
            async with session_scope(self.sessions) as session:
                if not self._ready:
                    await budget_queries.ensure_bucket(session, bucket=self.bucket)
                    self._ready = True
                delay = await budget_queries.reserve(
                    session, bucket=self.bucket, count=count, interval=self.interval
                )
            self._database.answered()
            first = max(time.monotonic() + delay, start)
            if self._slots:  # after the ones already held, never between them
                first = max(first, self._slots[-1] + self.interval)
        except Exception as error:
            if not is_database_error(error):
                raise
            # Nothing is claimed from the outbox while the database is away, so what is left to
            # send (replies to commands) goes out at the rate of this one process.
            self._database.failed(error)
            self._ready = False
            first = max(self._local_next, start, self._slots[-1] + self.interval if self._slots else 0.0)
            self._local_next = first + count * self.interval
        self.reservations += 1
        self._slots.extend(first + position * self.interval for position in range(count))
