"""Crash safety of the delivery outbox, with real processes: the harness tests and the benchmark share.

A trial queues one article for N subscribers, starts a real `digestbot worker` against a fake
Bot API server on 127.0.0.1, kills it with SIGKILL at a random point of the delivery (after a
random number of sends), restarts it, and repeats; a last worker finishes the queue and stops
on SIGTERM. It counts the subscribers who got nothing (lost) and those who got the digest twice
(duplicates), against the bound: kills × sends in flight.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.fakeapi import FakeTelegram
from bot.usecases.tick import queue_due_digests
from digests import parse_article
from storage import DeliveryState, SessionFactory, create_engine, session_factory, session_scope
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from tests.helpers import reset_database

WORKER = str(Path(sys.executable).parent / "digestbot")


@dataclass(frozen=True)
class TrialResult:
    subscribers: int
    kills: int
    in_flight: int
    lost: int
    duplicates: int
    seconds: float
    clean_exit: bool
    after_restart: float = 0.0  # from the last start until the outbox was empty

    @property
    def within_bound(self) -> bool:
        return self.lost == 0 and self.duplicates <= self.kills * self.in_flight and self.clean_exit


def due_subscriber_row(chat_id: int, *, now: datetime) -> dict[str, object]:
    """A subscriber (for ``add_subscribers``) subscribed two days ago whose 08:00 digest is due now."""
    subscribed = now - timedelta(days=2)
    return {
        "chat_id": chat_id,
        "active": True,
        "schedule": "08:00",
        "timezone": "UTC",
        "subscribed_at": subscribed,
        "last_digest_at": subscribed,
        "next_digest_at": now - timedelta(minutes=1),
    }


async def queue_one_article(
    url: str, subscribers: int, *, first_chat: int = 10_000, queue: bool = True
) -> None:
    """N subscribed chats, one article, and the due tick that queues it for all of them."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with session_scope(sessions) as session:
        await subscriber_queries.add_subscribers(
            session, rows=[due_subscriber_row(first_chat + i, now=now) for i in range(subscribers)]
        )
        text = (
            "Crash test\n\nThe outbox survives a crash. Every reader gets the digest once or, rarely, twice."
        )
        await article_queries.save_article(session, article=parse_article(text), now=now - timedelta(hours=1))
    if queue:
        await queue_due_digests(engine, sessions, now=now)
    await engine.dispose()


async def outbox_open(url: str) -> int:
    engine = create_engine(url)
    try:
        return await _open_rows(session_factory(engine))
    finally:
        await engine.dispose()


async def _open_rows(sessions: SessionFactory) -> int:
    async with session_scope(sessions) as session:
        counts = await delivery_queries.delivery_counts(session)
    return counts[DeliveryState.PENDING] + counts[DeliveryState.SENDING]


def worker_env(
    fake: FakeTelegram, url: str, *, concurrency: int, lease: float, rate_limit: float = 0.0
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "DELIVERY_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_FILE_URL": fake.base_file_url,
            "DATABASE_URL": url,
            "RATE_LIMIT_PER_SECOND": str(rate_limit),
            "DELIVERY_CONCURRENCY": str(concurrency),
            "DELIVERY_LEASE_SECONDS": str(lease),
            "DELIVERY_CHAT_INTERVAL_SECONDS": "0",
            "DELIVERY_BATCH_SIZE": str(4 * concurrency),
        }
    )
    return env


async def start_worker(env: dict[str, str], log: Path, *, tick: bool = False) -> asyncio.subprocess.Process:
    """A `digestbot worker` process; it runs the scheduler tick too when ``tick`` is set."""
    return await start_digestbot(env, log, "worker", *([] if tick else ["--no-scheduler"]))


async def start_digestbot(env: dict[str, str], log: Path, *arguments: str) -> asyncio.subprocess.Process:
    """A `digestbot …` process (``run``, ``worker --poller``, …), its output appended to ``log``."""
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            WORKER,
            *arguments,
            env=env,
            stdout=output,
            stderr=output,
            stdin=asyncio.subprocess.DEVNULL,
        )


async def wait_until_drained(url: str, *, timeout: float) -> None:
    """Until nothing is pending or being sent (one engine for all the looks: the fake server
    shares this event loop, and must not wait behind a new connection five times a second)."""
    deadline = time.monotonic() + timeout
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        while await _open_rows(sessions):
            if time.monotonic() > deadline:
                raise TimeoutError("the outbox did not drain in time")
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def stop_when_done(url: str, processes: list[asyncio.subprocess.Process], *, timeout: float) -> bool:
    """Wait until the outbox is empty, then SIGTERM; ``True`` when every worker exited with 0."""
    await wait_until_drained(url, timeout=timeout)
    for process in processes:
        process.send_signal(signal.SIGTERM)
    codes = [await asyncio.wait_for(p.wait(), timeout=30) for p in processes]
    return all(code == 0 for code in codes)


def tally(fake: FakeTelegram, subscribers: int, first_chat: int = 10_000) -> tuple[int, int]:
    received: dict[int, int] = {}
    for message in fake.state.sent:
        received[message.chat_id] = received.get(message.chat_id, 0) + 1
    lost = sum(1 for i in range(subscribers) if received.get(first_chat + i, 0) == 0)
    duplicates = sum(count - 1 for count in received.values())
    return lost, duplicates


async def crash_trial(
    url: str,
    *,
    subscribers: int = 1000,
    kills: int = 3,
    concurrency: int = 10,
    lease: float = 120.0,
    rng: random.Random | None = None,
    log: Path | None = None,
) -> TrialResult:
    """One trial: kill the worker ``kills`` times at random points, then let it finish.

    The lease is the production default: rows a killed worker held come back because the
    worker is seen to be gone, not because their lease ran out."""
    rng = rng or random.Random()
    log = log or Path(tempfile.mkstemp(prefix="crash-worker-", suffix=".log")[1])
    await reset_database(url)
    await queue_one_article(url, subscribers)
    fake = FakeTelegram()
    await fake.start()
    started = time.monotonic()
    env = worker_env(fake, url, concurrency=concurrency, lease=lease)
    try:
        for _ in range(kills):
            target = len(fake.state.sent) + rng.randint(1, max(2, subscribers // (kills + 1)))
            process = await start_worker(env, log)
            while len(fake.state.sent) < target and process.returncode is None:
                await asyncio.sleep(0.005)
            process.kill()  # SIGKILL: no cleanup at all
            await process.wait()
        restarted = time.monotonic()
        last = await start_worker(env, log)
        await wait_until_drained(url, timeout=120)
        after_restart = time.monotonic() - restarted
        clean = await stop_when_done(url, [last], timeout=30)
    finally:
        await fake.stop()
    lost, duplicates = tally(fake, subscribers)
    seconds = time.monotonic() - started
    return TrialResult(subscribers, kills, concurrency, lost, duplicates, seconds, clean, after_restart)


async def two_workers(url: str, *, subscribers: int = 2000, concurrency: int = 10) -> tuple[int, int, bool]:
    """Two workers share one outbox; (lost, duplicates, both exited cleanly)."""
    await reset_database(url)
    await queue_one_article(url, subscribers)
    fake = FakeTelegram()
    await fake.start()
    log = Path(tempfile.mkstemp(prefix="two-workers-", suffix=".log")[1])
    env = worker_env(fake, url, concurrency=concurrency, lease=120.0)
    try:
        processes = [await start_worker(env, log), await start_worker(env, log)]
        clean = await stop_when_done(url, processes, timeout=180)
    finally:
        await fake.stop()
    lost, duplicates = tally(fake, subscribers)
    return lost, duplicates, clean


@dataclass(frozen=True)
class SharedBudgetResult:
    senders: int
    subscribers: int
    lost: int
    duplicates: int
    rate: float  # messages a second as the server saw them, first to last
    too_many: int  # 429 answers in all
    too_many_late: int  # 429 answers after the first second of sending
    killed: bool


async def shared_budget_trial(
    url: str,
    *,
    senders: int,
    limit: float,
    rate_limit: float,
    subscribers: int,
    concurrency: int = 8,
    kill_one_after: int | None = None,
    log: Path | None = None,
) -> SharedBudgetResult:
    """``senders`` worker processes deliver one article to ``subscribers`` chats for one token,
    against a server that answers 429 above ``limit`` sends a second; with ``kill_one_after``,
    one of them is SIGKILLed once that many messages went out."""
    log = log or Path(tempfile.mkstemp(prefix="shared-budget-", suffix=".log")[1])
    await reset_database(url)
    await queue_one_article(url, subscribers)
    fake = FakeTelegram(rate_limit=limit)
    await fake.start()
    env = worker_env(fake, url, concurrency=concurrency, lease=120.0, rate_limit=rate_limit)
    killed = False
    # The measuring server shares this process: a garbage collection late in a long test run
    # (tens of ms over its heap) would hold requests that arrived on time and then count them as
    # one burst. No collection while it measures (the benchmark runs it in a process of its own).
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        processes = [await start_worker(env, log) for _ in range(senders)]
        if kill_one_after is not None:
            while len(fake.state.sent) < kill_one_after:
                await asyncio.sleep(0.01)
            processes[0].kill()
            await processes[0].wait()
            processes = processes[1:]
            killed = True
        await stop_when_done(url, processes, timeout=60 + 3 * subscribers / limit)
    finally:
        gc.enable()
        gc.unfreeze()
        await fake.stop()
    lost, duplicates = tally(fake, subscribers)
    first, last = fake.first_sent or 0.0, fake.last_sent or 0.0
    rate = (fake.sent_count - 1) / (last - first) if last > first else 0.0
    late = sum(1 for moment in fake.too_many if moment > first + 1.0)
    return SharedBudgetResult(senders, subscribers, lost, duplicates, rate, len(fake.too_many), late, killed)
