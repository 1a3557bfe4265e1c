"""Crash safety with real processes: SIGKILLed workers lose nothing and repeat little."""

from __future__ import annotations

import random
from pathlib import Path

from tests.crash_harness import crash_trial, two_workers


async def test_sigkilled_worker_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}"
    result = await crash_trial(
        url, subscribers=1000, kills=3, concurrency=10, rng=random.Random(7), log=tmp_path / "worker.log"
    )
    assert result.lost == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert result.duplicates <= result.kills * result.in_flight
    assert result.clean_exit  # SIGTERM: in-flight sends finish, exit 0


async def test_two_workers_on_postgresql_share_the_outbox_exactly(postgres_url: str) -> None:
    lost, duplicates, clean = await two_workers(postgres_url, subscribers=2000)
    assert (lost, duplicates, clean) == (0, 0, True)
