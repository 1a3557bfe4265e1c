"""Background loops: supervised (a bug restarts them, /healthz shows it) and polling that drains."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bot.fakeapi import FakeTelegram
from bot.settings import Settings
from bot.usecases.loops import LoopHealth, supervise
from bot.usecases.polling import SourcePoller
from bot.usecases.runtime import open_runtime
from storage import deliveries as delivery_queries
from storage import session_scope
from storage import sources as source_queries
from tests.helpers import ADMIN, LocalSite, add_feeds, running_bot


async def test_a_loop_that_fails_is_logged_counted_and_run_again(caplog: pytest.LogCaptureFixture) -> None:
    health = LoopHealth("test", stuck_after=5)
    rounds: list[int] = []
    stop = asyncio.Event()

    async def body() -> None:
        rounds.append(len(rounds))
        if len(rounds) < 3:
            raise KeyError("injected")
        stop.set()

    await supervise(health, body, stop, backoff=0.01)
    assert rounds == [0, 1, 2]
    assert health.restarts == 2 and health.stopped and "KeyError" in health.last_error
    assert sum("the test loop failed" in record.getMessage() for record in caplog.records) == 2
    assert all(record.exc_info for record in caplog.records if "loop failed" in record.getMessage())


def test_a_loop_without_progress_is_stuck_and_a_dead_one_unhealthy() -> None:
    health = LoopHealth("test", stuck_after=5, running=True)
    assert health.healthy()
    assert not health.healthy(now=time.monotonic() + 6)
    health.running = False  # died, waiting for its restart
    assert not health.healthy() and health.report()["state"] == "restarting"


async def test_the_delivery_loop_killed_by_a_bug_restarts_delivers_and_healthz_shows_it(
    fake: FakeTelegram, sqlite_url: str, own_sample_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first claim raises an exception nothing expects: the loop is restarted, the digest
    still goes out, and /healthz reports the restart (and 503 while the loop was down)."""
    real_claim = delivery_queries.claim
    calls = 0

    async def claim_with_a_bug(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ZeroDivisionError("injected into the delivery loop")
        return await real_claim(*args, **kwargs)

    monkeypatch.setattr(delivery_queries, "claim", claim_with_a_bug)
    async with running_bot(
        fake, sqlite_url, monitoring_port=0, scheduler_interval_seconds=0.2, delivery_chat_interval_seconds=0
    ) as application:
        port = application.bot_data.monitoring.port
        async with httpx.AsyncClient() as client:
            while calls == 0:
                await asyncio.sleep(0.01)
            during = await client.get(f"http://127.0.0.1:{port}/healthz")  # within the 1 s backoff
            await fake.reply_to(501, "/subscribe")
            await fake.reply_to(501, "/schedule instant")
            fake.send_document(ADMIN, own_sample_path.name, own_sample_path.read_bytes())
            await fake.wait_for_messages(501, 3, timeout=20)  # two replies, then the digest
            after = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert during.status_code == 503
    assert during.json()["loops"]["delivery"]["state"] == "restarting"
    assert after.status_code == 200
    delivery = after.json()["loops"]["delivery"]
    assert delivery["state"] == "running" and delivery["restarts"] == 1
    assert "ZeroDivisionError" in delivery["last_error"]
    assert after.json()["loops"]["polling"]["state"] == "running"


async def test_a_backlog_of_due_feeds_drains_without_waiting_for_ticks(sqlite_url: str) -> None:
    """60 due feeds that answer in 0.3 s each, 8 polls at a time and batches of 8: about 2.3 s
    when the next feed is claimed as each poll ends (a batch a 30-s tick took 4 minutes)."""
    site = LocalSite().start()
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'

    def slow_feed(handler) -> None:
        time.sleep(0.3)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(feed)))
        handler.end_headers()
        handler.wfile.write(feed)

    site.routes["/feed/"] = slow_feed
    settings = Settings(
        database_url=sqlite_url,
        fetch_allow_private_addresses=True,
        poll_concurrency=8,
        poll_batch_size=8,
        poll_idle_seconds=30,
        scheduler_interval_seconds=30,
    )
    try:
        async with open_runtime(settings) as runtime:
            async with session_scope(runtime.sessions) as session:
                await add_feeds(session, [site.url(f"/feed/{n}.xml") for n in range(60)])
            poller = SourcePoller(runtime)
            stop = asyncio.Event()
            started = time.monotonic()
            loop = asyncio.create_task(poller.run(stop))
            while sum(site.hits.values()) < 60:
                assert time.monotonic() - started < 20, site.hits
                await asyncio.sleep(0.05)
            drained = time.monotonic() - started
            stop.set()
            await loop
            async with session_scope(runtime.sessions) as session:
                polled = [s for s in await source_queries.list_sources(session) if s.last_polled_at]
    finally:
        site.stop()
    assert len(polled) == 60
    assert drained < 6.0, drained  # 60 × 0.3 s / 8 = 2.25 s of fetching
    assert max(site.hits.values()) == 1  # each feed once: claimed, never polled twice at once
    assert poller.health.stopped and poller.health.restarts == 0
