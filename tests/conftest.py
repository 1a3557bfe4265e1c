"""Shared fixtures: the sample article and evaluation sets from ../shared/."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# CI lays ../shared/ beside the clone; DIGESTBOT_SHARED points elsewhere when it is not.
SHARED = Path(os.environ.get("DIGESTBOT_SHARED", REPO.parent / "shared"))
SAMPLE_ARTICLE = SHARED / "articles" / "zh-putin-witkoff-kushner.txt"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    assert SAMPLE_ARTICLE.exists(), f"the sample article is expected at {SAMPLE_ARTICLE}"
    return SAMPLE_ARTICLE


@pytest.fixture(scope="session")
def sample_text(sample_path: Path) -> str:
    return sample_path.read_text(encoding="utf-8")


# --- databases: a real SQLite file and the PostgreSQL server on this machine -------------

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def reset_postgres(url: str = POSTGRES_URL) -> None:
    """An empty public schema in the test database."""
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    import asyncio

    from storage.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'digestbot.db'}"
    else:
        url = POSTGRES_URL
        await reset_postgres(url)
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
async def sessions(database_url: str):
    """A session factory on the migrated database; the engine is disposed afterwards."""
    from storage.db import create_engine, session_factory

    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


# --- the bot against the fake Bot API server ----------------------------------------------

ADMIN = 42


@pytest.fixture
async def fake():
    """A fake Telegram Bot API server on 127.0.0.1."""
    from bot.fakeapi import FakeTelegram

    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def settings_for(fake, database_url: str, **overrides):
    from bot.settings import Settings

    values = {
        "telegram_bot_token": fake.token,
        "telegram_api_base_url": fake.base_url,
        "telegram_api_file_url": fake.base_file_url,
        "database_url": database_url,
        "admin_user_ids": frozenset({ADMIN}),
        "default_timezone": "UTC",
        "default_schedule": "08:00",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running(fake, database_url: str, **overrides):
    """The real application, polling the fake server, until the block ends."""
    from bot.app import build_application
    from bot.runner import polling

    async with polling(build_application(settings_for(fake, database_url, **overrides))) as application:
        yield application


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database file."""
    import asyncio

    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await asyncio.to_thread(upgrade, url)
    return url
