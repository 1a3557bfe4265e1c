"""Delivery throughput, rate limiting, memory and the due query, against a fake Bot API server.

Usage: uv run python -m benchmarks.bench_delivery [--throughput-subscribers 10000,50000]
           [--databases sqlite,postgresql] [--limited-seconds 60] [--memory-subscribers 100000]
           [--query-subscribers 100000] [--senders 1,2,4] [--budget-subscribers 900] [--parts abcde]

Prints, in one run:
 (a) rate limiting off: end-to-end messages/s of the outbox (tick, claim, render, send, mark) for one
     article to N subscribers, and of a naive loop (`for chat in chats: await bot.send_message(...)`
     with PTB's Bot as it comes) on the same server, and their ratio: on SQLite and on PostgreSQL
     (a database of its own on DATABASE_URL's server, else on the local one), side by side;
 (b) default limits against a server that answers 429 above 30 messages/s: the achieved rate over at
     least 60 s, and how many 429s came, and how many after the first second;
 (c) peak memory of a process that queues and delivers to 100,000 subscribers due at once;
 (d) the due-subscriber query for 100,000 subscribers on SQLite and PostgreSQL;
 (e) 1, 2 and 4 sender processes for one token against a server that answers 429 above 30
     messages/s: their combined rate, the 429s, and who got nothing or twice (both databases).
The fake server runs in its own process, so its memory and CPU are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bot.frontend import DELIVERY_ONLY, build_application
from bot.frontend.keyboards import markup
from bot.settings import Settings
from bot.usecases.outbox import DeliveryPolicy, Outbox
from bot.usecases.tick import run_tick
from storage import DigestFormat, create_engine, session_factory, session_scope
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from tests.crash_harness import queue_one_article
from tests.helpers import POSTGRES_SERVER, postgres_database, reset_database

TOKEN = "123456:BENCH-TOKEN"


class FakeServer:
    """`python -m bot.fakeapi` in a child process."""

    def __init__(self, rate_limit: float = 0.0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.fakeapi", "--rate-limit", str(rate_limit), "--token", TOKEN],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline())  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"

    def stats(self) -> dict:
        return httpx.get(f"http://127.0.0.1:{self.port}/_stats", timeout=10).json()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def settings(url: str, server: FakeServer, *, rate_limit: float) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=server.base_url,
        telegram_api_file_url=server.base_url.replace("/bot", "/file/bot"),
        database_url=url,
        rate_limit_per_second=rate_limit,
        delivery_chat_interval_seconds=0.0,
        digest_format="classic",  # the naive loop sends the classic message: like for like
    )


async def deliver_all(config: Settings) -> tuple[int, float]:
    """Tick and drain the outbox in this process: (messages sent, seconds)."""
    application = build_application(config, roles=DELIVERY_ONLY)
    async with application:
        runtime = application.bot_data.runtime
        worker = Outbox(application.bot_data.sender, runtime, DeliveryPolicy.from_settings(config))
        runtime.on_queued.append(worker.wake)  # as the application wires it
        stop = asyncio.Event()
        started = time.perf_counter()
        running = asyncio.create_task(worker.run(stop))
        queued = await run_tick(runtime) or 0  # the scheduler tick: it wakes the worker after each batch
        for polls in itertools.count(1):  # until nothing is left to send (items may wait for retry_after)
            await asyncio.sleep(0.1)  # the granularity of the measurement: 1 % of a 10 s run
            if worker.sent_messages < queued and polls % 20:
                # Counting the outbox by state reads every row: 10 times a second it would take
                # CPU from the worker it measures. Each item queued here is one message at least
                # (every 2 s it counts anyway, in case an item failed for good).
                continue
            async with session_scope(runtime.sessions) as session:
                counts = await delivery_queries.delivery_counts(session)
            if counts["pending"] + counts["sending"] == 0:
                break
        stop.set()
        await running
        elapsed = time.perf_counter() - started
        await runtime.close()
    return worker.sent_messages, elapsed


async def naive_loop(url: str, server: FakeServer, chats: int) -> tuple[int, float]:
    """`for chat in chats: await bot.send_message(...)` with PTB's Bot as it comes: the same
    message, no bookkeeping."""
    from telegram import Bot, LinkPreviewOptions
    from telegram.constants import ParseMode

    config = settings(url, server, rate_limit=0)
    application = build_application(config, roles=DELIVERY_ONLY)
    async with application:  # only to render the very message the outbox sends
        runtime = application.bot_data.runtime
        async with session_scope(runtime.sessions) as session:
            article = await article_queries.latest_article(session)
        articles = await runtime.renderer.load_articles([article.id])
        [message] = await application.bot_data.composer.digest(
            article_ids=[article.id],
            articles=articles,
            length="normal",
            language="en",
            form=DigestFormat.CLASSIC,
        )
        await runtime.close()
    no_preview = LinkPreviewOptions(is_disabled=True)
    # The naive script: python-telegram-bot's Bot as it comes, one message after another.
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        started = time.perf_counter()
        for chat in range(10_000, 10_000 + chats):
            await bot.send_message(
                chat,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(message.keyboard),
                link_preview_options=no_preview,
            )
        elapsed = time.perf_counter() - started
    return chats, elapsed


async def part_throughput(url: str, subscribers: int, label: str) -> None:
    server = FakeServer()
    try:
        await reset_database(url)
        await queue_one_article(url, subscribers, queue=False)
        sent, seconds = await deliver_all(settings(url, server, rate_limit=0))
        naive_sent, naive_seconds = await naive_loop(url, server, subscribers)
    finally:
        server.close()
    outbox_rate, naive_rate = sent / seconds, naive_sent / naive_seconds
    print(
        f"(a) {label:<10} {subscribers:>7}: outbox {outbox_rate:4.0f} msg/s ({sent} in {seconds:.1f} s), "
        f"naive loop {naive_rate:4.0f} msg/s; ratio {outbox_rate / naive_rate:.2f} (target >= 1.2)"
    )


async def throughput_on_each_database(args: argparse.Namespace, sqlite: str) -> None:
    """Part (a) on SQLite and on PostgreSQL (in a database of its own, dropped afterwards, on the
    server of DATABASE_URL when it names one), at each number of subscribers."""
    for count in args.throughput_subscribers:
        if "sqlite" in args.databases:
            await part_throughput(sqlite, count, "SQLite")
        if "postgresql" in args.databases:
            async with postgres_database("digestbot_bench", postgres_server()) as url:
                await part_throughput(url, count, "PostgreSQL")


def postgres_server() -> str:
    """The PostgreSQL server of DATABASE_URL when it names one, else the local one: the benchmark
    makes a database of its own there (it never resets the database DATABASE_URL names)."""
    from sqlalchemy.engine import make_url

    from storage.db import normalize_url

    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        return POSTGRES_SERVER
    return make_url(normalize_url(given))._replace(database=None).render_as_string(hide_password=False)


async def part_rate_limited(url: str, seconds: float) -> None:
    subscribers = int(seconds * 30) + 300
    server = FakeServer(rate_limit=30)
    try:
        await reset_database(url)
        await queue_one_article(url, subscribers, queue=False)
        start_uptime = server.stats()["uptime"]
        sent, elapsed = await deliver_all(
            settings(url, server, rate_limit=Settings.model_fields["rate_limit_per_second"].default)
        )
        stats = server.stats()
    finally:
        server.close()
    late = [t for t in stats["too_many_after"] if t > start_uptime + 1.0]
    span = stats["last_sent"] - stats["first_sent"]
    rate = (stats["sent"] - 1) / span  # as Telegram sees it: first to last message
    print(
        f"(b) default limits vs a server that refuses > 30 msg/s: {stats['sent']} messages over {span:.1f} s "
        f"= {rate:.2f} msg/s ({100 * rate / 30:.1f}% of 30; target >= 95%); end to end {sent / elapsed:.2f} msg/s"
    )
    print(f"    429 answers: {stats['too_many']} in all, {len(late)} after the first second (target 0)")


async def part_shared_budget(args: argparse.Namespace, sqlite: str) -> None:
    """Part (e): 1, 2 and 4 `digestbot worker` processes for one token (one send budget through
    the database) against a server that answers 429 above 30 msg/s."""
    from tests.crash_harness import shared_budget_trial

    rate = Settings.model_fields["rate_limit_per_second"].default
    for database in args.databases.split(","):
        for senders in args.senders:
            if database == "sqlite":
                result = await shared_budget_trial(
                    sqlite, senders=senders, limit=30, rate_limit=rate, subscribers=args.budget_subscribers
                )
            else:
                async with postgres_database("digestbot_bench", postgres_server()) as url:
                    result = await shared_budget_trial(
                        url, senders=senders, limit=30, rate_limit=rate, subscribers=args.budget_subscribers
                    )
            print(
                f"(e) {database:<10} {senders} sender(s): {result.rate:5.2f} msg/s combined "
                f"({100 * result.rate / 30:.1f}% of 30; target >= 95%), 429: {result.too_many} in all, "
                f"{result.too_many_late} after the first second (target 0); lost {result.lost}, "
                f"twice {result.duplicates}"
            )


def part_memory(url: str, subscribers: int) -> None:
    """In a child process, so that its peak memory is its own."""
    asyncio.run(reset_database(url))
    asyncio.run(queue_one_article(url, subscribers, queue=False))
    server = FakeServer()
    try:
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.bench_delivery",
                "--child-memory",
                url,
                "--port",
                str(server.port),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.close()
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"(c) {subscribers} subscribers due at once: queued and delivered {result['sent']} messages in "
        f"{result['seconds']:.0f} s; peak memory {result['peak_mb']:.0f} MB (target <= 200 MB)"
    )


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def child_memory(url: str, port: int) -> None:
    server = FakeServer.__new__(FakeServer)
    server.port, server.base_url = port, f"http://127.0.0.1:{port}/bot"
    sent, seconds = await deliver_all(settings(url, server, rate_limit=0))
    print(json.dumps({"sent": sent, "seconds": seconds, "peak_mb": peak_memory_mb()}))


async def part_due_query(url: str, subscribers: int, label: str) -> None:
    await reset_database(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    rows = [
        {
            "chat_id": 10_000 + i,
            "active": i % 10 != 0,
            "schedule": "08:00",
            "timezone": "UTC",
            "next_digest_at": now + timedelta(seconds=(i * 7919) % 86_400 - 600),
        }
        for i in range(subscribers)
    ]
    for start in range(0, subscribers, 10_000):
        async with session_scope(sessions) as session:
            await subscriber_queries.add_subscribers(session, rows=rows[start : start + 10_000])
    times, found = [], 0
    for _ in range(20):
        async with session_scope(sessions) as session:
            started = time.perf_counter()
            due = await subscriber_queries.due_subscribers(session, now=now, limit=1000)
            times.append(time.perf_counter() - started)
            found = len(due)
    await engine.dispose()
    print(
        f"(d) due query, {subscribers} subscribers on {label}: median {1000 * statistics.median(times):.1f} ms, "
        f"max {1000 * max(times):.1f} ms for {found} due (target < 100 ms)"
    )


async def main_async(args: argparse.Namespace, url: str) -> None:
    if "a" in args.parts:
        await throughput_on_each_database(args, url)
    if "b" in args.parts:
        await part_rate_limited(url, args.limited_seconds)
    if "e" in args.parts:
        await part_shared_budget(args, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--throughput-subscribers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10_000, 50_000],
        help="part (a): comma-separated subscriber counts",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="part (a): sqlite, postgresql or both"
    )
    parser.add_argument("--limited-seconds", type=float, default=60.0)
    parser.add_argument("--memory-subscribers", type=int, default=100_000)
    parser.add_argument("--query-subscribers", type=int, default=100_000)
    parser.add_argument(
        "--senders", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2, 4], help="part (e)"
    )
    parser.add_argument("--budget-subscribers", type=int, default=900, help="part (e): chats per run")
    parser.add_argument("--parts", default="abcde", help="which parts to run, e.g. ab")
    parser.add_argument("--child-memory", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        asyncio.run(child_memory(args.child_memory, args.port))
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    url = f"sqlite+aiosqlite:///{folder / 'outbox.db'}"
    print(f"SQLite outbox in {folder}; fake Bot API server in a child process on 127.0.0.1")
    asyncio.run(main_async(args, url))
    if "c" in args.parts:
        part_memory(url, args.memory_subscribers)
    if "d" in args.parts:
        asyncio.run(part_due_query(url, args.query_subscribers, "SQLite"))
        asyncio.run(due_query_on_postgresql(args.query_subscribers))


async def due_query_on_postgresql(subscribers: int) -> None:
    """Part (d) on PostgreSQL, in a database of its own that is dropped afterwards."""
    async with postgres_database("digestbot_bench") as url:
        await part_due_query(url, subscribers, "PostgreSQL")


if __name__ == "__main__":
    main()
