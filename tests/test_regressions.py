"""Faults a hostile tester found, each with the test that reproduces it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from bot.fakeapi import FakeTelegram, InjectedError
from digests.render import TELEGRAM_LIMIT, telegram_length
from storage import deliveries as delivery_queries
from storage import session_scope
from storage import sources as source_queries
from storage import subscribers as subscriber_queries
from tests.helpers import ADMIN, OWN_SAMPLE, running_bot


async def _many_sources(session, count: int, *, title: str) -> list:
    """``count`` feeds with long titles (``title`` with ``{n}``), none due for a day."""
    added = []
    for n in range(count):
        source, _ = await source_queries.add_source(
            session,
            url=f"https://feeds{n}.example/a-rather-long-path/for-the-feed/{n}.xml",
            kind="feed",
            title=title.format(n=n) + "x" * 70,
            poll_interval_seconds=1800,
            now=datetime.now(UTC) + timedelta(days=1),
        )
        added.append(source)
    return added


async def test_sources_with_150_sources_arrive_split_between_lines(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url) as application:
        async with session_scope(application.bot_data.runtime.sessions) as session:
            await _many_sources(
                session, 150, title="Source number {n} with a title long enough to fill a line "
            )
        fake.send_text(ADMIN, "/sources")
        await fake.wait_for_messages(ADMIN, 2, timeout=10)
        await asyncio.sleep(0.5)
        messages = fake.messages_to(ADMIN)
        assert len(messages) >= 2 and all(telegram_length(m.raw) <= TELEGRAM_LIMIT for m in messages)
        shown = "\n".join(m.text for m in messages)
        assert all(
            f"\n{n + 1} Source number {n} " in shown for n in range(150)
        )  # every id /removesource needs
        assert fake.state.html_errors == []


async def test_a_401_episode_loses_no_digest(fake: FakeTelegram, sqlite_url: str) -> None:
    """While Telegram answers 401 (a token being rotated) the digests wait; then all arrive."""
    readers = list(range(4001, 4011))
    async with running_bot(
        fake,
        sqlite_url,
        scheduler_interval_seconds=0.3,
        delivery_chat_interval_seconds=0,
        delivery_backoff_seconds=0.2,
        delivery_max_attempts=2,
    ) as application:
        for reader in readers:
            await fake.reply_to(reader, "/subscribe")
        fake.send_document(ADMIN, OWN_SAMPLE.name, OWN_SAMPLE.read_bytes())
        await fake.wait_for_messages(ADMIN, 2, timeout=10)
        fake.inject_error(InjectedError("sendMessage", 401, "Unauthorized", times=40))
        async with session_scope(application.bot_data.runtime.sessions) as session:
            for reader in readers:
                row = await subscriber_queries.get_subscriber(session, chat_id=reader)
                row.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
                session.add(row)
        for reader in readers:
            await fake.wait_for_messages(reader, 1, after=1, timeout=60)
        for _ in range(50):  # the last marks may still be on their way to the database
            async with session_scope(application.bot_data.runtime.sessions) as session:
                counts = await delivery_queries.delivery_counts(session)
            if counts["pending"] + counts["sending"] == 0:
                break
            await asyncio.sleep(0.1)
        assert counts["failed"] == 0 and counts["sent"] == len(readers)
        assert sum(len(fake.messages_to(reader)) for reader in readers) == 2 * len(readers)  # once each


async def test_a_database_that_restarts_mid_push_repeats_no_digest(
    fake: FakeTelegram, postgres_url: str
) -> None:
    """The database drops every connection for two seconds while sixty digests go out: sends
    in flight are recorded when it is back, and nothing is sent while they cannot be."""
    from sqlalchemy.engine import make_url
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.frontend.sender import TelegramSender
    from bot.usecases.outbox import DeliveryPolicy, Outbox
    from bot.usecases.runtime import open_runtime
    from bot.usecases.schedules import next_digest_at
    from bot.usecases.tick import queue_due_digests
    from digests import parse_article
    from storage import articles as article_queries
    from tests.helpers import DatabaseProxy, reset_database, settings_for

    await reset_database(postgres_url)
    url = make_url(postgres_url)
    proxy = DatabaseProxy(url.port or 5432)
    await proxy.start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    readers = list(range(5001, 5061))
    t0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    policy = DeliveryPolicy(
        batch_size=20,
        concurrency=8,
        backoff_base=0.05,
        idle_wait=0.05,
        chat_interval=0.0,
        recovery_interval=0.5,
        outage_pause_max=0.5,
    )
    request = HTTPXRequest(connection_pool_size=16, read_timeout=2.0, write_timeout=2.0, connect_timeout=2.0)
    try:
        async with (
            open_runtime(settings_for(fake, through_proxy)) as runtime,
            Bot(fake.token, base_url=fake.base_url, request=request) as bot,
        ):
            async with session_scope(runtime.sessions) as session:
                for reader in readers:
                    row = await subscriber_queries.ensure_subscriber(
                        session, chat_id=reader, schedule="08:00", timezone="UTC"
                    )
                    await subscriber_queries.subscribe(
                        session,
                        subscriber=row,
                        now=t0,
                        next_digest_at=next_digest_at("08:00", "UTC", after=t0),
                    )
                await article_queries.save_article(
                    session,
                    article=parse_article(OWN_SAMPLE.read_text(encoding="utf-8")),
                    now=t0 + timedelta(minutes=1),
                )
            assert await queue_due_digests(
                runtime.engine, runtime.sessions, now=t0 + timedelta(hours=3)
            ) == len(readers)
            fake.inject_error(
                InjectedError("sendMessage", 0, "", delay=0.05, times=10_000)
            )  # sends take a while
            outbox = Outbox(TelegramSender(bot), runtime, policy)
            stop = asyncio.Event()
            worker = asyncio.create_task(outbox.run(stop))
            while len(fake.state.sent) < 15:
                await asyncio.sleep(0.01)
            proxy.go_down()
            await asyncio.sleep(2.0)
            proxy.down = False
            for _ in range(300):
                async with session_scope(runtime.sessions) as session:
                    counts = await delivery_queries.delivery_counts(session)
                if counts["sent"] == len(readers):
                    break
                await asyncio.sleep(0.1)
            stop.set()
            await worker
        received = [m.chat_id for m in fake.state.sent]
        assert sorted(set(received)) == readers and len(received) == len(readers)  # each once
        assert counts["sent"] == len(readers) and counts["failed"] == 0
    finally:
        await proxy.stop()


async def _help_time(fake: FakeTelegram, user: int) -> float:
    started = asyncio.get_running_loop().time()
    [reply] = await fake.reply_to(user, "/help")
    assert "/latest" in reply.text
    return asyncio.get_running_loop().time() - started


async def test_a_slow_site_and_a_huge_filter_hold_up_no_other_chat(
    fake: FakeTelegram, sqlite_url: str, site
) -> None:
    def slow(handler) -> None:
        time.sleep(6)  # a site that answers every request late
        handler.send_response(404)
        handler.end_headers()

    site.routes["/"] = slow
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        await fake.reply_to(6001, "/start")  # both chats known before the clock starts
        started = asyncio.get_running_loop().time()
        [checking] = await fake.reply_to(ADMIN, f"/addsource {site.url('/slow-section/')}")
        assert "Checking" in checking.text and asyncio.get_running_loop().time() - started < 1.0
        assert await _help_time(fake, 6001) < 1.0  # answered while the admin's site is slow
        words = " ".join("甲乙丙丁戊己庚辛壬癸"[n % 10] + str(n) for n in range(1200))  # ~4,000 characters
        fake.send_text(6002, f"/filter {words}")
        assert await _help_time(fake, 6001) < 1.0
        [refused] = await fake.wait_for_messages(6002, 1, timeout=5)
        assert "20" in refused.text  # the limit, said at once
        [result] = await fake.wait_for_messages(ADMIN, 1, after=1, timeout=30)
        assert result.method == "editMessageText" and result.message_id == checking.message_id


async def test_a_digest_due_during_a_slow_poll_is_queued_on_time(
    fake: FakeTelegram, sqlite_url: str, site
) -> None:
    def slow(handler) -> None:
        time.sleep(8)
        handler.send_response(404)
        handler.end_headers()

    site.routes["/feed.xml"] = slow
    async with running_bot(
        fake,
        sqlite_url,
        fetch_allow_private_addresses=True,
        scheduler_interval_seconds=0.3,
        delivery_chat_interval_seconds=0,
    ) as application:
        await fake.reply_to(6101, "/subscribe")
        runtime = application.bot_data.runtime
        async with session_scope(runtime.sessions) as session:
            await source_queries.add_source(
                session, url=site.url("/feed.xml"), kind="feed", title="Slow", poll_interval_seconds=1800
            )
        while not site.hits.get("/feed.xml"):  # the polling round has begun and waits on the site
            await asyncio.sleep(0.05)
        fake.send_document(ADMIN, OWN_SAMPLE.name, OWN_SAMPLE.read_bytes())
        await fake.wait_for_messages(ADMIN, 2, timeout=10)
        async with session_scope(runtime.sessions) as session:
            reader = await subscriber_queries.get_subscriber(session, chat_id=6101)
            reader.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(reader)
        started = asyncio.get_running_loop().time()
        [digest] = await fake.wait_for_messages(6101, 1, after=1, timeout=10)
        assert asyncio.get_running_loop().time() - started < 3.0  # the poll still waits on the site
        assert "城市夜间公交" in digest.text


async def test_settings_of_a_chat_following_sixty_sources_stay_one_message(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url) as application:
        await fake.reply_to(6201, "/start")
        runtime = application.bot_data.runtime
        async with session_scope(runtime.sessions) as session:
            reader = await subscriber_queries.get_subscriber(session, chat_id=6201)
            for source in await _many_sources(session, 60, title="A source with a long title, number {n}, "):
                await source_queries.follow(session, subscriber=reader, source_id=source.id)
        [shown] = await fake.reply_to(6201, "/settings")
        assert "#1 " in shown.text and "+30" in shown.text and telegram_length(shown.raw) <= TELEGRAM_LIMIT
        button = next(b for b in shown.buttons if b["callback_data"] == "set:length:long")
        before = len(fake.messages_to(6201))
        fake.press_button(6201, shown, button["callback_data"])
        [edited] = await fake.wait_for_messages(6201, 1, after=before, timeout=10)
        assert edited.method == "editMessageText" and "+30" in edited.text
        assert fake.state.html_errors == []
