"""Faults a hostile tester found, each with the test that reproduces it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.fakeapi import FakeTelegram, InjectedError
from digests.render import TELEGRAM_LIMIT, telegram_length
from storage import deliveries as delivery_queries
from storage import session_scope
from storage import sources as source_queries
from storage import subscribers as subscriber_queries
from tests.helpers import ADMIN, OWN_SAMPLE, running_bot


async def test_sources_with_150_sources_arrive_split_between_lines(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url) as application:
        async with session_scope(application.bot_data.runtime.sessions) as session:
            for n in range(150):
                await source_queries.add_source(
                    session,
                    url=f"https://feeds{n}.example/a-rather-long-path/for-the-feed/{n}.xml",
                    kind="feed",
                    title=f"Source number {n} with a title long enough to fill a line " + "x" * 60,
                    poll_interval_seconds=1800,
                    now=datetime.now(UTC) + timedelta(days=1),
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
