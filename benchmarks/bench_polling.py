"""One poll of a huge feed: how long adding a 25,000-entry feed (under the 5 MB fetch cap; a larger one is refused) takes, and what it stores.

Usage: uv run python -m benchmarks.bench_polling [--entries 25000] [--per-poll 50]

Serves the feed from a local HTTP server on 127.0.0.1, follows it on a fresh SQLite database,
and prints the seconds of the first and second poll, the entries stored by each, and whether
the poll was recorded (``last_polled_at``) with its note for /sources.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bot.settings import Settings
from bot.usecases import following
from bot.usecases.polling import SourcePoller
from bot.usecases.runtime import open_runtime
from tests.helpers import LocalSite, reset_database, sqlite_url


def huge_feed(entries: int) -> bytes:
    start = datetime.now(UTC) - timedelta(days=60)
    items = "".join(
        f'<item><title>Entry {n}</title><guid isPermaLink="false">g{n}</guid>'
        f"<pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate>"
        f"<description>Entry {n} says a thing.</description></item>"
        for n in range(entries)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>{items}</channel></rss>'.encode()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=25_000)
    parser.add_argument("--per-poll", type=int, default=50)
    args = parser.parse_args()
    body = huge_feed(args.entries)
    print(f"feed: {args.entries} entries, {len(body) / 1e6:.1f} MB")
    site = LocalSite().start()
    site.pages["/huge.xml"] = ("application/rss+xml", body)
    url = sqlite_url(Path(tempfile.mkdtemp(prefix="bench-polling-")))
    await reset_database(url)
    settings = Settings(
        _env_file=None,
        database_url=url,
        fetch_allow_private_addresses=True,
        poll_max_new_entries=args.per_poll,
    )
    try:
        async with open_runtime(settings) as runtime:
            started = time.perf_counter()
            added = await following.add_source(runtime, url=site.url("/huge.xml"))
            first = time.perf_counter() - started
            source = added.source
            print(
                f"first poll: {first:.1f} s, {added.result.new} entries stored, "
                f"recorded: {source.last_polled_at is not None}, note: {source.last_error}"
            )
            started = time.perf_counter()
            second = await SourcePoller(runtime).poll(source)
            print(f"second poll: {time.perf_counter() - started:.1f} s, {second.new} entries stored")
    finally:
        site.stop()


if __name__ == "__main__":
    asyncio.run(main())
