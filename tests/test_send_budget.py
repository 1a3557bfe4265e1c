"""One send budget per bot token: the senders of one token together keep Telegram's rate."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import pytest

from bot.usecases.budget import SharedSendBudget, bucket_for
from storage import create_engine, session_factory
from tests.crash_harness import shared_budget_trial
from tests.helpers import reset_database, sqlite_url


def test_the_bucket_names_the_bot_and_never_holds_the_token() -> None:
    assert bucket_for("123456:SECRET-PART") == "bot:123456"


async def _take_times(budget: SharedSendBudget, count: int) -> list[float]:
    times: list[float] = []

    async def one() -> None:
        await budget.take()
        times.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(count)))
    return times


async def test_two_budgets_on_one_database_share_the_rate(database_url: str) -> None:
    """Two processes' budgets (two engines on one database) hand out 40 sends at 20 a second
    together: 2 s, not the 1 s each would take alone, and never two sends closer than the
    rate allows (but for a few milliseconds of lateness)."""
    await reset_database(database_url)
    engines = [create_engine(database_url), create_engine(database_url)]
    budgets = [SharedSendBudget(session_factory(engine), bucket="bot:1", rate=20) for engine in engines]
    try:
        started = time.monotonic()
        first, second = await asyncio.gather(*(_take_times(budget, 20) for budget in budgets))
        together = sorted(first + second)
        assert together[-1] - started >= 39 * 0.05 - 0.01
        gaps = [b - a for a, b in itertools.pairwise(together)]
        assert min(gaps) >= 0.05 - 2 * budgets[0].lateness - 0.002, gaps
        # 21 sends take a second at least (20 intervals), lateness aside.
        assert all(together[i + 20] - together[i] >= 1.0 - 0.011 for i in range(len(together) - 20))
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_flood_wait_pauses_every_sender_of_the_token(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    await reset_database(url)
    engines = [create_engine(url), create_engine(url)]
    told, other = (SharedSendBudget(session_factory(engine), bucket="bot:1", rate=20) for engine in engines)
    try:
        await told.take()
        await told.hold(1.5)  # Telegram answered 429 with retry_after to this process
        started = time.monotonic()
        await other.take()
        assert time.monotonic() - started >= 1.4
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_budget_whose_database_is_gone_still_spaces_its_own_sends(tmp_path: Path) -> None:
    """Replies to commands still go out while the database is away, at this process's rate."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'no.db'}")
    await engine.dispose()
    (tmp_path / "missing" / "no.db").unlink()
    (tmp_path / "missing").rmdir()  # the file cannot be made again: every reservation fails
    budget = SharedSendBudget(session_factory(engine), bucket="bot:1", rate=20)
    times = await _take_times(budget, 10)
    assert times[-1] - times[0] >= 9 * 0.05 - 0.01
    await engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_two_sender_processes_keep_one_limit_and_one_killed_midway_loses_nothing(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    """Two `digestbot worker` processes for one token against a server that answers 429 above
    10 sends a second; one is SIGKILLed after 30 sends. Every reader gets the digest, no 429
    comes after the first second, and the server sees the limit used, not exceeded."""
    url = sqlite_url(tmp_path) if database == "sqlite" else request.getfixturevalue("postgres_url")
    log = tmp_path / "workers.log"
    result = await shared_budget_trial(
        url, senders=2, limit=10, rate_limit=9.5, subscribers=100, kill_one_after=30, log=log
    )
    assert result.killed
    assert result.lost == 0, log.read_text()[-3000:]
    assert result.duplicates <= 8  # the killed sender's sends in flight
    assert result.too_many_late == 0, result
    assert result.rate >= 0.8 * 10, result
    assert result.rate <= 10.5, result
