"""Polling: a round over many small feeds, and one huge feed.

Usage: uv run python -m benchmarks.bench_polling [--feeds 1000] [--sections 100] [--skip-huge]
       [--entries 25000] [--per-poll 50]

Part 1: 1,000 feeds of 20 entries (half excerpt-only, linking ~6 kB article pages) served by a
loopback server in a process of its own (so its CPU is not counted): an OPML import of them all,
then three rounds with the default settings — the first (everything new: back catalogues
stored), one where 10 % of the entries are new, one where nothing changed (304) — each with its
wall time and the poller's CPU per feed; then the peak RSS. With them, ``--sections`` sites
without a feed, each on a loopback address of its own (127.0.0.2, …): a section page of 20
article links among navigation and tag links, added by URL (discovery included) and polled in
the same rounds with the default per-host pace; the farm reports the closest two requests any
one host received.
Part 3 (``--backlogs 300,1000``): that many unchanged feeds due at once when a real `digestbot
worker` starts: seconds until all were polled, and how late a digest due meanwhile is queued.

Part 2: how long adding a 25,000-entry feed (under the 5 MB fetch cap) takes, what the first and
second polls store, and whether the poll was recorded with its note for /sources.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

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


def article_page(path: str) -> bytes:
    """A news page of about 6 kB: navigation, a headline, eight paragraphs, related links, a footer."""
    story = path.strip("/").replace("/", " ")
    paragraphs = "".join(
        f"<p>Paragraph {k} of story {story} reports what officials said on day {k}, "
        f"how markets moved by {k}.{len(path) % 10} percent, and what analysts expect for quarter {k % 4 + 1}. "
        f"Critics of the plan in story {story} argued that the numbers for day {k} were too optimistic.</p>"
        for k in range(8)
    )
    related = "".join(f'<li><a href="/page/related/{k}">Related story {k}</a></li>' for k in range(10))
    return (
        f"<!doctype html><html><head><title>Story {story} | Example News</title></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/markets">Markets</a></nav></header>'
        f"<main><article><h1>Story {story}</h1><p class=byline>By A. Reporter</p>{paragraphs}</article>"
        f"<aside><h2>Related</h2><ul>{related}</ul></aside></main>"
        "<footer><p>© Example News. All rights reserved.</p></footer></body></html>"
    ).encode()


def section_page(k: int, fresh: int) -> bytes:
    """Site ``k``'s section page: 20 + ``fresh`` article links among navigation, tags, authors."""
    cards = "".join(
        f'<article><h2><a href="/news/2026/11/site-{k}-story-number-{n}">Story {n} of site {k} in the news</a></h2>'
        f'<a href="/tag/topic-{n % 3}">topic {n % 3}</a> <a href="/author/writer-{n % 2}">writer</a></article>'
        for n in range(20 + fresh)
    )
    return (
        f"<html><head><title>Site {k}: world</title></head><body><nav><a href='/'>Home</a>"
        f"<a href='/world/'>World</a><a href='/login'>Log in</a></nav><main>{cards}"
        f"<a href='/world/page/2'>Older</a></main><footer><a href='/about'>About</a></footer></body></html>"
    ).encode()


def serve_sections(sections: int, fresh: Any, gaps: Any) -> list[LocalSite]:
    """One site per loopback address 127.0.0.2…; ``gaps[k]`` is the closest two requests to site
    ``k`` so far (seconds)."""
    import threading

    from tests.helpers import send

    sites = []
    for k in range(sections):
        site = LocalSite(host=f"127.0.0.{k + 2}")
        last = [0.0]

        def answer(handler, k: int = k, last: list[float] = last) -> None:
            now = time.monotonic()
            if last[0]:
                gaps[k] = min(gaps[k], now - last[0])
            last[0] = now
            if handler.path == "/world/":
                send(handler, 200, "text/html; charset=utf-8", section_page(k, fresh.value))
            elif handler.path.startswith("/news/"):
                send(handler, 200, "text/html; charset=utf-8", article_page(handler.path))
            else:
                send(handler, 404, "text/plain", b"not found")

        site.routes["/"] = answer
        threading.Thread(target=site._server.serve_forever, daemon=True).start()
        sites.append(site)
    return sites


def serve_feeds(feeds: int, fresh: Any, ready: Any, sections: int = 0, gaps: Any = None) -> None:
    """The loopback feed farm, in a process of its own so its CPU is not the poller's: feed
    ``n`` at ``/feed/n.xml`` with ``fresh.value`` extra entries (an ETag that follows its bytes),
    article pages under ``/page/``."""
    from tests.helpers import send

    site = LocalSite()

    def feed(handler) -> None:
        n = int(handler.path.removeprefix("/feed/").removesuffix(".xml"))
        body = small_feed(n, site.base, fresh=fresh.value)
        etag = f'"{fresh.value}"'
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.end_headers()
            return
        send(handler, 200, "application/rss+xml", body, etag=etag)

    site.routes["/feed/"] = feed
    site.routes["/page/"] = lambda h: send(h, 200, "text/html; charset=utf-8", article_page(h.path))
    section_sites = serve_sections(sections, fresh, gaps)
    ready.put((site.base, [s.base for s in section_sites]))
    site._server.serve_forever()


async def round_of_feeds(feeds: int, sections: int) -> None:
    import multiprocessing
    import resource

    from bot.usecases.polling import SourcePoller
    from storage import session_scope
    from storage import sources as source_queries

    context = multiprocessing.get_context("fork")
    fresh, ready = context.Value("i", 0), context.Queue()
    gaps = context.Array("d", [float("inf")] * max(1, sections))
    server = context.Process(target=serve_feeds, args=(feeds, fresh, ready, sections, gaps), daemon=True)
    server.start()
    base, section_bases = ready.get(timeout=30)
    url = sqlite_url(Path(tempfile.mkdtemp(prefix="bench-round-")))
    await reset_database(url)
    settings = Settings(database_url=url, fetch_allow_private_addresses=True)
    try:
        async with open_runtime(settings) as runtime:
            outlines = "".join(f'<outline type="rss" xmlUrl="{base}/feed/{n}.xml"/>' for n in range(feeds))
            opml = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()
            wall = time.perf_counter()
            imported = await following.import_opml(runtime, data=opml)
            print(
                f"OPML import: {sum(1 for i in imported if i.added)} of {feeds} feeds followed "
                f"in {time.perf_counter() - wall:.1f} s",
                flush=True,
            )
            if sections:
                wall = time.perf_counter()
                slots = asyncio.Semaphore(settings.poll_concurrency)

                async def add(url: str) -> str:
                    async with slots:
                        added = await following.add_source(runtime, url=url)
                        return f"{added.source.kind}:{added.result.links}"

                kinds = await asyncio.gather(*(add(f"{b}/world/") for b in section_bases))
                print(
                    f"section pages: {sum(k.startswith('section:20') for k in kinds)} of {sections} added as "
                    f"section pages of 20 article links (discovery and first poll) in "
                    f"{time.perf_counter() - wall:.1f} s",
                    flush=True,
                )
            for label in (
                "first round (all new)",
                "second round (10 % new entries)",
                "third round (unchanged: 304)",
            ):
                if label.startswith("second"):
                    fresh.value = 2
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
                    f"{label}: {polled} sources in {wall:.1f} s wall, {cpu:.1f} s CPU "
                    f"({1000 * cpu / max(1, polled):.1f} ms CPU a source)",
                    flush=True,
                )
        if sections:
            closest = min(gaps[:sections])
            print(
                f"closest two requests to one section site: {closest:.2f} s "
                f"(SITE_REQUEST_INTERVAL_SECONDS {settings.site_request_interval_seconds:g})"
            )
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        server.terminate()


async def drain_from_start(feeds: int) -> None:
    """Part 3: ``feeds`` unchanged feeds all due when `digestbot worker` starts (after a restart,
    an outage, an OPML import): how long until every one was polled, and how late a digest that
    falls due five seconds into that round is queued (the tick runs every 30 s)."""
    import multiprocessing

    from bot.fakeapi import FakeTelegram
    from bot.frontend import WORKER, build_application, running
    from digests import parse_article
    from storage import articles as article_queries
    from storage import deliveries as delivery_queries
    from storage import session_scope
    from storage import sources as source_queries
    from storage import subscribers as subscriber_queries
    from tests.crash_harness import due_subscriber_row

    context = multiprocessing.get_context("fork")
    fresh, ready = context.Value("i", 0), context.Queue()
    server = context.Process(target=serve_feeds, args=(feeds, fresh, ready), daemon=True)
    server.start()
    base, _ = ready.get(timeout=30)
    url = sqlite_url(Path(tempfile.mkdtemp(prefix="bench-drain-")))
    await reset_database(url)
    fake = FakeTelegram()
    await fake.start()
    settings = Settings(
        database_url=url,
        fetch_allow_private_addresses=True,
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        telegram_api_file_url=fake.base_file_url,
        rate_limit_per_second=0,
    )
    try:
        async with open_runtime(settings) as runtime:
            outlines = "".join(f'<outline type="rss" xmlUrl="{base}/feed/{n}.xml"/>' for n in range(feeds))
            opml = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()
            await following.import_opml(runtime, data=opml)
            while await SourcePoller(runtime).poll_due():  # the first round: now they are unchanged
                pass
            now = datetime.now(UTC)
            async with session_scope(runtime.sessions) as session:
                for source in await source_queries.list_sources(session):
                    source.next_poll_at = now - timedelta(seconds=1)
                    session.add(source)
                row = due_subscriber_row(1, now=now)
                row["next_digest_at"] = now + timedelta(seconds=5)
                await subscriber_queries.add_subscribers(session, rows=[row])
                await article_queries.save_article(
                    session, article=parse_article("Due\n\nA digest falls due during the round."), now=now
                )
        application = build_application(settings, roles=WORKER)
        started = time.monotonic()
        due_at = started + 5
        queued_at = polled_at = None
        async with running(application):
            runtime = application.bot_data.runtime
            while queued_at is None or polled_at is None:
                await asyncio.sleep(0.25)
                async with session_scope(runtime.sessions) as session:
                    if polled_at is None:
                        sources = await source_queries.list_sources(session)
                        first_poll = datetime.now(UTC) - timedelta(seconds=time.monotonic() - started)
                        if all(s.last_polled_at and s.last_polled_at >= first_poll for s in sources):
                            polled_at = time.monotonic()
                    if queued_at is None and sum((await delivery_queries.delivery_counts(session)).values()):
                        queued_at = time.monotonic()
                if time.monotonic() - started > 600:
                    raise TimeoutError("the backlog did not drain in 10 minutes")
        target = 18 if feeds <= 300 else 60
        print(
            f"due backlog of {feeds} unchanged feeds: all polled {polled_at - started:.1f} s after the "
            f"worker started (target <= {target} s); the digest due at +5 s queued "
            f"{queued_at - due_at:.1f} s after it fell due (one tick: {settings.scheduler_interval_seconds:g} s)",
            flush=True,
        )
    finally:
        await fake.stop()
        server.terminate()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=25_000)
    parser.add_argument("--per-poll", type=int, default=50)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--sections", type=int, default=100, help="sites without feeds (at most 250)")
    parser.add_argument("--skip-huge", action="store_true")
    parser.add_argument(
        "--backlogs", default="300,1000", help="part 3: due unchanged feeds when the worker starts (0: skip)"
    )
    args = parser.parse_args()
    for backlog in (int(n) for n in args.backlogs.split(",") if int(n)):
        await drain_from_start(backlog)
    if args.feeds:
        await round_of_feeds(args.feeds, min(args.sections, 250))
    if args.skip_huge:
        return
    body = huge_feed(args.entries)
    print(f"feed: {args.entries} entries, {len(body) / 1e6:.1f} MB")
    site = LocalSite().start()
    site.pages["/huge.xml"] = ("application/rss+xml", body)
    url = sqlite_url(Path(tempfile.mkdtemp(prefix="bench-polling-")))
    await reset_database(url)
    settings = Settings(
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
