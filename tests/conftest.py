"""Fixtures: the sample article, databases of each kind, the fake Bot API, the local HTTP site.

Helpers that tests import live in ``tests.helpers``; this module only declares fixtures.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.helpers import (
    OWN_SAMPLE,
    SAMPLE_ARTICLE,
    LocalSite,
    create_postgres_database,
    drop_postgres_database,
    postgres_reachable,
    reset_database,
    shared_file,
)
from tests.helpers import (
    sqlite_url as sqlite_file_url,
)

Result = TypeVar("Result")


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The shared sample article (``../shared/articles``): tests of what that article holds."""
    return shared_file(SAMPLE_ARTICLE)


@pytest.fixture(scope="session")
def own_sample_path() -> Path:
    """The repository's own sample article, for tests that need any article with sections."""
    return OWN_SAMPLE


@pytest.fixture(scope="session")
def sample_text(sample_path: Path) -> str:
    return sample_path.read_text(encoding="utf-8")


def _run_alone(coroutine: Coroutine[Any, Any, Result]) -> Result:
    """Run a coroutine to completion on its own loop in a thread (a session fixture may be set up
    from inside a running test loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of the test run's own, dropped at the end. Without a server the
    PostgreSQL tests are skipped with the reason, except in CI, where that is a failure."""
    problem = _run_alone(postgres_reachable())
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    url = _run_alone(create_postgres_database())
    yield url
    _run_alone(drop_postgres_database(url))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    url = sqlite_file_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    await reset_database(url)
    return url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database file."""
    url = sqlite_file_url(tmp_path, "bot.db")
    await reset_database(url)
    return url


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[object]:
    """A session factory on the migrated database; the engine is disposed afterwards."""
    from storage.db import create_engine, session_factory

    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[object]:
    """A fake Telegram Bot API server on 127.0.0.1."""
    from bot.fakeapi import FakeTelegram

    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """The local HTTP site, empty; tests add pages and routes."""
    local = LocalSite().start()
    yield local
    local.stop()


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[object]:
    """The use cases' runtime on a migrated database, fetching from loopback allowed."""
    from bot.settings import Settings
    from bot.usecases.runtime import open_runtime

    settings = Settings(
        database_url=database_url,
        fetch_allow_private_addresses=True,
        site_request_interval_seconds=0,
    )
    async with open_runtime(settings) as opened:
        yield opened


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``digestbot`` in this process (much faster than a new one): (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_")):
            monkeypatch.delenv(name)

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        with monkeypatch.context() as scoped:
            scoped.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
            for name, value in env.items():
                scoped.setenv(name, value)
            from bot.cli import main

            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse: a usage error
                code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run
