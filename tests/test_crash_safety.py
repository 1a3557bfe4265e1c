"""Crash safety with real processes: SIGKILLed workers lose nothing and repeat little."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from tests.crash_harness import (
    crash_trial,
    queue_one_article,
    start_worker,
    stop_when_done,
    tally,
    two_workers,
    worker_env,
)
from tests.helpers import reset_database, sqlite_url


async def test_sigkilled_worker_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}"
    result = await crash_trial(
        url, subscribers=1000, kills=3, concurrency=10, rng=random.Random(7), log=tmp_path / "worker.log"
    )
    assert result.lost == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert result.duplicates <= result.kills * result.in_flight
    assert result.clean_exit  # SIGTERM: in-flight sends finish, exit 0


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_after_a_kill_mid_push_everyone_has_the_digest_within_seconds_of_the_restart(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    """The lease is 120 s; the restarted worker sees the killed one is gone (its file lock or
    advisory lock was released by its death) and takes back its rows at once."""
    url = sqlite_url(tmp_path) if database == "sqlite" else request.getfixturevalue("postgres_url")
    log = tmp_path / "worker.log"
    result = await crash_trial(url, subscribers=200, kills=1, concurrency=10, rng=random.Random(3), log=log)
    assert result.lost == 0 and result.duplicates <= result.in_flight, log.read_text()[-3000:]
    assert result.after_restart < 20, result
    assert "workers that are gone: back in the queue" in log.read_text()


async def test_two_workers_on_postgresql_share_the_outbox_exactly(postgres_url: str) -> None:
    lost, duplicates, clean = await two_workers(postgres_url, subscribers=2000)
    assert (lost, duplicates, clean) == (0, 0, True)


async def test_a_worker_with_the_scheduler_queues_due_digests_and_delivers_them(tmp_path: Path) -> None:
    """`digestbot worker` without --no-scheduler: its own tick finds the due subscribers."""
    url = sqlite_url(tmp_path)
    await reset_database(url)
    await queue_one_article(url, 20, queue=False)  # due, but nothing queued yet
    fake = FakeTelegram()
    await fake.start()
    log = tmp_path / "worker.log"
    try:
        env = {**worker_env(fake, url, concurrency=4, lease=30.0), "SCHEDULER_INTERVAL_SECONDS": "0.5"}
        process = await start_worker(env, log, tick=True)
        await fake.wait_for_messages(10_019, 1, timeout=60)
        clean = await stop_when_done(url, [process], timeout=60)
    finally:
        await fake.stop()
    assert tally(fake, 20) == (0, 0), log.read_text()[-3000:]
    assert clean and "worker exited cleanly after 20 messages" in log.read_text()
