"""The deployment of docs/deployment.md, as separate processes on one PostgreSQL database: the
bot, two pollers and two senders share the work without doing any of it twice."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.fakeapi import FakeTelegram
from storage import DeliveryState, Source, create_engine, session_factory, session_scope
from storage import deliveries as delivery_queries
from storage import sources as source_queries
from storage import subscribers as subscriber_queries
from tests.crash_harness import due_subscriber_row, start_digestbot, worker_env
from tests.helpers import LocalSite, add_feeds, reset_database

FEEDS = 6
READERS = 12


def feed(n: int, entries: int) -> bytes:
    """Feed ``n`` with ``entries`` stories, one a day up to now: the last is news once the source is known."""
    items = "".join(
        f"<item><title>Feed {n} story {k}</title><guid>f{n}-{k}</guid>"
        f"<pubDate>{datetime.now(UTC) - timedelta(days=2 - k):%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
        f"<description><![CDATA[<p>Story {k} of feed {n}: the harbour council met and agreed on a plan. "
        f"The plan for story {k} covers the ferry, the lighthouse and the market.</p>]]></description></item>"
        for k in range(entries)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'.encode()


async def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.2)


async def test_the_bot_two_pollers_and_two_senders_share_one_database(
    postgres_url: str, tmp_path: Path
) -> None:
    await reset_database(postgres_url)
    site = LocalSite().start()
    for n in range(FEEDS):
        site.pages[f"/feed/{n}.xml"] = ("application/rss+xml", feed(n, 2))
    engine = create_engine(postgres_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    async with session_scope(sessions) as session:
        await add_feeds(session, [site.url(f"/feed/{n}.xml") for n in range(FEEDS)], interval=3600)
        rows = [{**due_subscriber_row(20_000 + i, now=now), "schedule": "instant"} for i in range(READERS)]
        await subscriber_queries.add_subscribers(session, rows=rows)
    fake = FakeTelegram()
    await fake.start()
    env = worker_env(fake, postgres_url, concurrency=4, lease=120.0, rate_limit=0)
    env.update(
        {
            "FETCH_ALLOW_PRIVATE_ADDRESSES": "true",
            "POLL_IDLE_SECONDS": "0.5",
            "SCHEDULER_INTERVAL_SECONDS": "1",
        }
    )
    log = tmp_path / "processes.log"
    processes = [
        await start_digestbot(env, log, "run"),
        *[await start_digestbot(env, log, "worker", "--poller") for _ in range(2)],
        *[await start_digestbot(env, log, "worker", "--no-scheduler") for _ in range(2)],
    ]
    try:

        async def all_polled() -> bool:
            async with session_scope(sessions) as session:
                return all(s.last_polled_at for s in await source_queries.list_sources(session))

        await _wait(all_polled, timeout=60, what="the first polls")
        first_hits = dict(site.hits)
        # Each feed gets one new story, and every feed is due again.
        for n in range(FEEDS):
            site.pages[f"/feed/{n}.xml"] = ("application/rss+xml", feed(n, 3))
        async with session_scope(sessions) as session:
            await session.exec(update(Source).values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1)))

        async def all_sent() -> bool:
            async with session_scope(sessions) as session:
                counts = await delivery_queries.delivery_counts(session)
            return counts[DeliveryState.SENT] >= READERS * FEEDS and not (
                counts[DeliveryState.PENDING] or counts[DeliveryState.SENDING]
            )

        await _wait(all_sent, timeout=90, what="the new stories' delivery")
        await asyncio.sleep(2)  # anything sent twice would be sent by now
        [help_reply] = await fake.reply_to(20_000, "/help")
        await asyncio.sleep(1)
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(process.wait(), timeout=30) for process in processes]
        await fake.stop()
        site.stop()
    async with session_scope(sessions) as session:
        counts = await delivery_queries.delivery_counts(session)
    await engine.dispose()
    output = log.read_text()
    assert codes == [0] * 5, output[-3000:]
    assert all(first_hits[f"/feed/{n}.xml"] == 1 for n in range(FEEDS)), first_hits  # polled once, by one
    assert all(site.hits[f"/feed/{n}.xml"] == 2 for n in range(FEEDS)), site.hits
    assert counts[DeliveryState.SENT] == READERS * FEEDS and counts[DeliveryState.FAILED] == 0
    digests = [m for m in fake.state.sent if m.chat_id >= 20_000 and "story 2" in m.text]
    per_chat = {
        chat: sum(1 for m in digests if m.chat_id == chat) for chat in range(20_000, 20_000 + READERS)
    }
    assert set(per_chat.values()) == {FEEDS}, per_chat  # each new story once to each reader
    assert "/subscribe" in help_reply.text
    assert len([m for m in fake.state.sent if m.chat_id == 20_000 and m.text == help_reply.text]) == 1
