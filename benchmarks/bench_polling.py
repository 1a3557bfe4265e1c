"""Polling: one huge feed, and a round over many small ones.

Usage: uv run python -m benchmarks.bench_polling [--entries 25000] [--per-poll 50] [--feeds 1000]

Part 1: how long adding a 25,000-entry feed (under the 5 MB fetch cap) takes, and what it stores.
Part 2: 1,000 feeds of 20 entries (half excerpt-only, with their pages) on a loopback server:
the wall time of a full round with the default settings, then of a round where nothing changed
(CPU per unchanged feed), and the peak RSS.

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


def small_feed(n: int, base: str, *, fresh: int = 0) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for k in range(20 + fresh):
        when = format_datetime(start + timedelta(hours=k))
        if k % 2:
            items.append(
                f"<item><title>F{n} e{k}</title><guid>f{n}e{k}</guid><link>{base}/page/{n}/{k}</link>"
                f"<pubDate>{when}</pubDate><description>Teaser {k}.</description></item>"
            )
        else:
            items.append(
                f'<item><title>F{n} e{k}</title><guid isPermaLink="false">f{n}e{k}</guid><pubDate>{when}</pubDate>'
                f"<description><![CDATA[<p>Entry {k} of feed {n} says one thing. It says another.</p>]]></description></item>"
            )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{"".join(items)}</channel></rss>'.encode()


async def round_of_feeds(feeds: int) -> None:
    import resource

    from bot.usecases.polling import SourcePoller
    from storage import session_scope
    from storage import sources as source_queries

    site = LocalSite().start()
    page = b"<html><body><article><h1>Page</h1><p>The full text of the page is long enough to read.</p></article></body></html>"

    def pages(handler) -> None:
        from tests.helpers import send

        send(handler, 200, "text/html", page)

    site.routes["/page/"] = pages
    for n in range(feeds):
        site.pages[f"/feed/{n}.xml"] = ("application/rss+xml", small_feed(n, site.base))
    url = sqlite_url(Path(tempfile.mkdtemp(prefix="bench-round-")))
    await reset_database(url)
    settings = Settings(_env_file=None, database_url=url, fetch_allow_private_addresses=True)
    try:
        async with open_runtime(settings) as runtime:
            async with session_scope(runtime.sessions) as session:
                for n in range(feeds):
                    await source_queries.add_source(
                        session,
                        url=site.url(f"/feed/{n}.xml"),
                        kind="feed",
                        title=None,
                        poll_interval_seconds=1800,
                    )
            for label in (
                "first round (all new)",
                "second round (10 % new entries)",
                "third round (unchanged)",
            ):
                if label.startswith("second"):
                    for n in range(feeds):
                        site.pages[f"/feed/{n}.xml"] = (
                            "application/rss+xml",
                            small_feed(n, site.base, fresh=2),
                        )
                async with session_scope(runtime.sessions) as session:  # everything due again
                    for source in await source_queries.list_sources(session):
                        source.next_poll_at = datetime.now(UTC) - timedelta(seconds=1)
                        session.add(source)
                cpu, wall = time.process_time(), time.perf_counter()
                polled = 0
                while results := await SourcePoller(runtime).poll_due():
                    polled += len(results)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                print(
                    f"{label}: {polled} feeds in {wall:.1f} s wall, {cpu:.1f} s CPU "
                    f"({1000 * cpu / max(1, polled):.1f} ms CPU a feed)"
                )
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        site.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=25_000)
    parser.add_argument("--per-poll", type=int, default=50)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--skip-huge", action="store_true")
    args = parser.parse_args()
    if args.feeds:
        await round_of_feeds(args.feeds)
    if args.skip_huge:
        return
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
