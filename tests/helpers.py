"""What tests (and the benchmarks) share: paths, settings, a running bot, a local HTTP site, databases.

Everything here talks to loopback only: the fake Bot API and the local site listen on 127.0.0.x,
and the PostgreSQL helpers create and drop a database of their own on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# CI lays ../shared/ beside the clone; DIGESTBOT_SHARED points elsewhere when it is not.
SHARED = Path(os.environ.get("DIGESTBOT_SHARED", REPO.parent / "shared"))
SAMPLE_ARTICLE = SHARED / "articles" / "zh-putin-witkoff-kushner.txt"
# The repository's own article (three numbered sections): what tests use that need any article.
OWN_SAMPLE = REPO / "examples" / "sample-zh.txt"


def shared_file(path: Path) -> Path:
    """``path`` under ../shared; without it the test is skipped with the reason (in CI, where
    ../shared is always laid beside the clone, that is a failure)."""
    if path.exists():
        return path
    reason = f"needs {path} (../shared/ beside the clone, or DIGESTBOT_SHARED)"
    import pytest

    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


ADMIN = 42  # the bot admin in every test that runs the bot


# --- the bot against the fake Bot API server ----------------------------------------------


def settings_for(fake: Any, database_url: str, **overrides: Any) -> Any:
    """Settings for a bot talking to ``fake``; rate limiting is off unless a test turns it on, and
    digests are classic messages unless a test asks for ``digest_format="auto"`` or ``"rich"``
    (the tests of rich digests: tests/test_rich_digests.py)."""
    from bot.settings import Settings

    values = {
        "telegram_bot_token": fake.token,
        "telegram_api_base_url": fake.base_url,
        "telegram_api_file_url": fake.base_file_url,
        "database_url": database_url,
        "admin_user_ids": frozenset({ADMIN}),
        "default_timezone": "UTC",
        "default_schedule": "08:00",
        "rate_limit_per_second": 0,
        "site_request_interval_seconds": 0,
        "digest_format": "classic",
        **overrides,
    }
    return Settings(**values)


@asynccontextmanager
async def running_bot(fake: Any, database_url: str, **overrides: Any) -> AsyncIterator[Any]:
    """The real application, polling the fake server, until the block ends."""
    from bot.frontend import build_application, running

    async with running(build_application(settings_for(fake, database_url, **overrides))) as application:
        yield application


async def store_article(session: Any, **values: Any) -> tuple[Any, bool]:
    """An article stored as the bot stores one (indexed, given its story, queued for instant
    chats: ``bot.usecases.ingestion``): (its row, whether it was new)."""
    from bot.usecases import ingestion

    stored = await ingestion.store_article(session, **values)
    return stored.row, stored.created


async def add_feeds(session: Any, urls: list[str], *, interval: int = 1800) -> None:
    """Feed sources, due now, as if followed before (no discovery, no first poll)."""
    from storage import SourceKind
    from storage import sources as source_queries

    for url in urls:
        await source_queries.add_source(
            session, url=url, kind=SourceKind.FEED, title=None, poll_interval_seconds=interval
        )


def sqlite_url(folder: Path, name: str = "digestbot.db") -> str:
    return f"sqlite+aiosqlite:///{folder / name}"


# --- one local HTTP site ---------------------------------------------------------------------

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalSite:
    """An HTTP server on loopback for fetch, feed and publish tests.

    ``pages`` maps a path to (content type, body), served with an ETag that conditional GETs
    honour; ``routes`` maps a path, or a prefix ending in ``/``, to a function that writes the
    whole answer; ``/redirect-to/URL`` redirects; anything else is 404. ``hits`` counts requests
    and ``served`` holds each one's (start, end, path), monotonic seconds.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.served: list[tuple[float, float, str]] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://{host}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> LocalSite:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("/") and path.startswith(p)]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                started = time.monotonic()
                try:
                    self._answer()
                finally:
                    site.served.append((started, time.monotonic(), self.path))

            def _answer(self) -> None:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                route = site._route(self.path)
                if route is not None:
                    route(self)
                elif self.path.startswith("/redirect-to/"):
                    self.send_response(302)
                    self.send_header("Location", self.path.removeprefix("/redirect-to/"))
                    self.end_headers()
                elif self.path in site.pages:
                    content_type, body = site.pages[self.path]
                    etag = f'"{uuid.uuid5(uuid.NAMESPACE_OID, body.hex()).hex[:12]}"'
                    if self.headers.get("If-None-Match") == etag:
                        self.send_response(304)
                        self.end_headers()
                        return
                    send(self, 200, content_type, body, etag=etag)
                else:
                    send(self, 404, "text/plain", b"not found")

        return Handler


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    content_type: str | None,
    body: bytes,
    *,
    etag: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Write a whole answer from a route (a client that gave up meanwhile is no error)."""
    with suppress(BrokenPipeError, ConnectionResetError):
        _send(handler, status, content_type, body, etag=etag, headers=headers or {})


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    content_type: str | None,
    body: bytes,
    *,
    etag: str | None,
    headers: dict[str, str],
) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    if etag:
        handler.send_header("ETag", etag)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# --- databases: a SQLite file, and a PostgreSQL database of our own ---------------------------

# The server, not a database: tests create a database of their own on it and drop it afterwards.
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql+asyncpg://postgres@127.0.0.1:5432")


async def _on_server(statement: str, server: str = POSTGRES_SERVER) -> None:
    """Run one statement outside a transaction in the server's maintenance database."""
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_postgres_database(prefix: str = "digestbot_test", server: str = POSTGRES_SERVER) -> str:
    """A new, empty database on the server (the local one unless given); its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _on_server(f'CREATE DATABASE "{name}"', server)
    return f"{server}/{name}"


async def drop_postgres_database(url: str) -> None:
    """Drop a database made by ``create_postgres_database`` (connections still open are closed)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    if not name or not name.startswith("digestbot_"):
        raise ValueError(f"refusing to drop {name!r}: not a database the tests created")
    server = parsed._replace(database=None).render_as_string(hide_password=False)
    await _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', server)


async def postgres_reachable(server: str = POSTGRES_SERVER) -> str | None:
    """``None`` when the PostgreSQL server answers; else why not (the reason a skip gives)."""
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(f"{server}/postgres")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means: no server to test against
        return f"no PostgreSQL at {server} ({type(error).__name__}: {error})"
    finally:
        await engine.dispose()
    return None


_SQLITE_AT_HEAD: list[Path] = []
_PUBLIC_TABLES = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)


async def _sqlite_at_head() -> Path:
    """An empty SQLite database at the newest schema, migrated once per process."""
    from storage.migrate import upgrade

    if not _SQLITE_AT_HEAD:
        folder = Path(tempfile.mkdtemp(prefix="digestbot-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        await asyncio.to_thread(upgrade, sqlite_url(folder))
        _SQLITE_AT_HEAD.append(folder / "digestbot.db")
    return _SQLITE_AT_HEAD[0]


async def reset_database(url: str, *, migrate: bool = True) -> None:
    """Empty a test database and (unless ``migrate`` is false) bring it to the newest schema: a
    SQLite file is replaced by a copy of one migrated once; a database the tests created on
    PostgreSQL has its tables emptied when it is at the newest schema, else its public schema is
    made again and migrated."""
    from storage.migrate import upgrade

    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = Path(make_url(url).database or "")
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        if migrate:  # a copy of one migrated file: migrating each test's database took 0.3-1 s
            shutil.copyfile(await _sqlite_at_head(), database)
            return
    else:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        from storage.db import create_engine
        from storage.migrate import current_revision, head_revision

        if not (make_url(url).database or "").startswith("digestbot_"):
            raise ValueError("refusing to reset a database the tests did not create")
        engine = create_engine(url)
        try:
            if migrate and await current_revision(engine) == head_revision():
                # At the newest schema already: emptying the tables is a tenth of migrating again.
                async with engine.begin() as connection:
                    tables = (await connection.execute(text(_PUBLIC_TABLES))).scalars().all()
                    if tables:
                        names = ", ".join(f'"{table}"' for table in tables)
                        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                return
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        finally:
            await engine.dispose()
    if migrate:
        await asyncio.to_thread(upgrade, url)


@asynccontextmanager
async def postgres_database(
    prefix: str = "digestbot_test", server: str = POSTGRES_SERVER
) -> AsyncIterator[str]:
    """A database of our own on the server for the length of the block (benchmarks and scripts)."""
    url = await create_postgres_database(prefix, server)
    try:
        yield url
    finally:
        await drop_postgres_database(url)


def long_section(language: str, *, chars: int = 200_000, seed: int = 7) -> tuple[str, str]:
    """A one-section article of about ``chars`` characters (its body, then its best sentence).

    Every filler sentence is made of words of its own plus one of a few topic words; the best
    sentence holds every topic word (the most central and most probable sentence of all), and
    it stands at 95 % of the text, where a ranker that read only the beginning never looks.
    """
    import random

    rng = random.Random(seed)
    # Per language: the pieces of made-up words and how many make one, the topic words, a
    # filler sentence's shape ({w} a made-up word, {W} one capitalised, {t} a topic word), the best.
    pieces, length, topics, shape, best = {
        "zh": (
            list("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星云山川"),
            2,
            ["营收", "同比", "毛利率", "订单", "产能", "出口"],
            "{w}{w}{t}{w}{w}{w}。",
            "营收、同比、毛利率、订单、产能、出口。",
        ),
        "en": (
            ["ka", "lo", "mi", "tu", "ren", "sa", "vo", "pel", "dri", "zu", "qua", "nix"],
            3,
            ["revenue", "exports", "orders", "capacity", "margins", "shipments"],
            "{W} {w} {t} {w} {w}.",
            "Revenue, exports, orders, capacity, margins and shipments.",
        ),
    }[language]

    def filler() -> str:
        text = shape.replace("{t}", rng.choice(topics))
        while "{w}" in text or "{W}" in text:
            word = "".join(rng.choice(pieces) for _ in range(length))
            text = text.replace("{w}", word, 1) if "{W}" not in text else text.replace("{W}", word.title(), 1)
        return text

    sentences: list[str] = []
    while sum(map(len, sentences)) < chars:
        sentences.append(filler())
    sentences.insert(len(sentences) * 95 // 100, best)
    separator = "" if language == "zh" else " "
    paragraphs = [separator.join(sentences[i : i + 10]) for i in range(0, len(sentences), 10)]
    return "\n".join(paragraphs), best


# --- a database outage on loopback ---------------------------------------------------------


class DatabaseProxy:
    """A TCP proxy on loopback to the test's PostgreSQL server, for outages: ``blackhole``
    swallows everything and answers nothing (a database that hangs); ``down`` drops every
    connection and refuses new ones (a database that restarts)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.blackhole = False
        self.down = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        """Drop every connection (so that the clients give up rather than wait forever)."""
        for writer in self._writers:
            writer.transport.abort()

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()

    def go_down(self) -> None:
        self.down = True
        self.cut()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with suppress(ConnectionError):
                while data := await source.read(65536):
                    if not self.blackhole:
                        sink.write(data)
                        await sink.drain()

        # When either side ends, the other is closed too (as a real connection ends).
        directions = [
            asyncio.ensure_future(pipe(reader, upstream_writer)),
            asyncio.ensure_future(pipe(upstream_reader, writer)),
        ]
        await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
        for direction in directions:
            direction.cancel()
        writer.close()
        upstream_writer.close()
