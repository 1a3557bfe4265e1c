"""Scheduled digests and the outbox, against the fake Bot API and real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.fakeapi import FakeTelegram, InjectedError
from bot.frontend.sender import TelegramSender
from bot.usecases import publishing
from bot.usecases.outbox import DeliveryPolicy, Outbox
from bot.usecases.runtime import Runtime, open_runtime
from bot.usecases.schedules import next_digest_at
from bot.usecases.tick import queue_due_digests
from digests import parse_article
from storage import Subscriber, create_engine, session_factory, session_scope
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from tests.helpers import settings_for

POLICY = DeliveryPolicy(
    batch_size=50,
    concurrency=8,
    lease=timedelta(seconds=30),
    max_attempts=3,
    backoff_base=0.05,
    idle_wait=0.05,
    chat_interval=0.0,
    outage_pause_max=0.5,
    recovery_interval=0.5,
)
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday


@dataclass
class Harness:
    fake: FakeTelegram
    runtime: Runtime
    worker: Outbox

    async def subscriber(
        self, chat_id: int, *, schedule: str = "08:00", timezone: str = "UTC", at: datetime = T0
    ) -> Subscriber:
        async with session_scope(self.runtime.sessions) as session:
            row = await subscriber_queries.ensure_subscriber(
                session, chat_id=chat_id, schedule=schedule, timezone=timezone
            )
            await subscriber_queries.subscribe(
                session, subscriber=row, now=at, next_digest_at=next_digest_at(schedule, timezone, after=at)
            )
        return row

    async def article(self, text: str, *, at: datetime, announce: bool = True) -> int:
        async with session_scope(self.runtime.sessions) as session:
            row, _ = await article_queries.save_article(session, article=parse_article(text), now=at)
            row.announce = announce
            session.add(row)
        return row.id

    async def tick(self, at: datetime) -> int:
        return await queue_due_digests(self.runtime.engine, self.runtime.sessions, now=at) or 0

    async def drain(self) -> None:
        while await self.worker.drain_once():
            pass

    async def counts(self) -> dict[str, int]:
        async with session_scope(self.runtime.sessions) as session:
            return await delivery_queries.delivery_counts(session)

    async def row(self, chat_id: int) -> Subscriber:
        async with session_scope(self.runtime.sessions) as session:
            return await subscriber_queries.get_subscriber(session, chat_id=chat_id)


def article_text(n: int) -> str:
    return f"Story {n}\n\nThe first news of story {n} is here. More about story {n} follows.\n"


@pytest.fixture
async def harness(fake: FakeTelegram, database_url: str) -> AsyncIterator[Harness]:
    request = HTTPXRequest(connection_pool_size=16, read_timeout=1.0, write_timeout=1.0, connect_timeout=1.0)
    bot = Bot(fake.token, base_url=fake.base_url, request=request)
    async with open_runtime(settings_for(fake, database_url)) as runtime, bot:
        yield Harness(fake, runtime, Outbox(TelegramSender(bot), runtime, POLICY))


async def test_digests_come_at_each_subscribers_time_in_their_timezone(harness: Harness) -> None:
    await harness.subscriber(1, timezone="Asia/Shanghai")  # 08:00 there is 00:00 UTC
    await harness.subscriber(2, timezone="Europe/Berlin")  # 07:00 UTC in winter
    await harness.subscriber(3, timezone="America/New_York")  # 13:00 UTC in winter
    await harness.article(article_text(1), at=T0 + timedelta(minutes=5))
    expected = {
        T0 + timedelta(hours=1, seconds=1): {2},
        T0 + timedelta(hours=7, seconds=1): {3},
        T0 + timedelta(hours=18, seconds=1): {1},
    }
    for moment, chats in expected.items():
        await harness.tick(moment)
        await harness.drain()
        assert {m.chat_id for m in harness.fake.state.sent} >= chats
    assert sorted(m.chat_id for m in harness.fake.state.sent) == [1, 2, 3]
    assert all("Story 1" in m.text for m in harness.fake.state.sent)


async def test_a_three_hour_downtime_sends_each_missed_digest_once(harness: Harness) -> None:
    await harness.subscriber(10, schedule="07:00")
    await harness.subscriber(11, schedule="08:00")
    await harness.article(article_text(1), at=T0 + timedelta(minutes=1))
    back = T0 + timedelta(hours=3)  # down from 06:00 to 09:00: both slots were missed
    assert await harness.tick(back) == 2
    assert await harness.tick(back + timedelta(seconds=30)) == 0
    await harness.drain()
    assert sorted(m.chat_id for m in harness.fake.state.sent) == [10, 11]
    row = await harness.row(10)
    assert row.next_digest_at == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # tomorrow, not the missed slots


async def test_the_tick_wakes_the_delivery_after_each_batch_it_queues(harness: Harness) -> None:
    for chat in range(20, 25):
        await harness.subscriber(chat)
    wakes: list[int] = []
    runtime = harness.runtime
    due = T0 + timedelta(hours=2, seconds=1)
    assert (
        await queue_due_digests(
            runtime.engine, runtime.sessions, now=due, batch_size=2, on_queued=lambda: wakes.append(1)
        )
        == 0
    )
    assert wakes == []  # nothing to send: nobody woken
    await harness.article(article_text(1), at=due + timedelta(minutes=1))
    tomorrow = due + timedelta(days=1)
    queued = await queue_due_digests(
        runtime.engine, runtime.sessions, now=tomorrow, batch_size=2, on_queued=lambda: wakes.append(1)
    )
    assert queued == 5
    assert len(wakes) == 3  # batches of 2, 2 and 1: the first thousand need not wait for the rest
    assert (await harness.counts())["pending"] == 5


async def test_each_article_once_and_new_subscribers_get_no_backlog(harness: Harness) -> None:
    await harness.article(article_text(0), at=T0 - timedelta(days=2))  # before anyone subscribed
    await harness.subscriber(20)
    await harness.article(article_text(1), at=T0 + timedelta(hours=1))
    await harness.article(article_text(2), at=T0 + timedelta(hours=1, minutes=5))
    await harness.article(article_text(3), at=T0 + timedelta(hours=1), announce=False)  # back catalogue
    await harness.tick(T0 + timedelta(hours=2, seconds=1))
    await harness.drain()
    [digest] = harness.fake.messages_to(20)  # both articles in one message
    assert "Story 1" in digest.text and "Story 2" in digest.text
    assert "Story 0" not in digest.text and "Story 3" not in digest.text
    # The next day nothing new: no digest. A new article comes in the one after.
    await harness.tick(T0 + timedelta(days=1, hours=2, seconds=1))
    await harness.article(article_text(4), at=T0 + timedelta(days=1, hours=3))
    await harness.tick(T0 + timedelta(days=2, hours=2, seconds=1))
    await harness.drain()
    texts = [m.text for m in harness.fake.messages_to(20)]
    assert len(texts) == 2 and "Story 4" in texts[1] and "Story 1" not in texts[1]


async def test_instant_subscribers_get_a_new_article_right_away(harness: Harness, sample_path: Path) -> None:
    await harness.subscriber(30, schedule="instant", at=datetime.now(UTC) - timedelta(minutes=1))
    await harness.subscriber(31, schedule="08:00", at=datetime.now(UTC) - timedelta(minutes=1))
    await harness.subscriber(32, schedule="off", at=datetime.now(UTC) - timedelta(minutes=1))
    published = await publishing.publish_bytes(
        harness.runtime, sample_path.read_bytes(), name=sample_path.name
    )
    assert published.created
    await harness.drain()
    [message] = harness.fake.messages_to(30)
    assert "闭门会谈过程与克宫会前会后定调" in message.text
    assert [b["callback_data"] for b in message.buttons] == [
        f"sec:{published.article_id}:1",
        f"sec:{published.article_id}:2",
    ]
    assert harness.fake.messages_to(31) == [] and harness.fake.messages_to(32) == []
    again = await publishing.publish_bytes(harness.runtime, sample_path.read_bytes(), name=sample_path.name)
    await harness.drain()
    assert not again.created and len(harness.fake.messages_to(30)) == 1


async def _queue_for(harness: Harness, chat_ids: list[int]) -> None:
    for chat_id in chat_ids:
        await harness.subscriber(chat_id)
    await harness.article(article_text(1), at=T0 + timedelta(minutes=1))
    await harness.tick(T0 + timedelta(hours=2, seconds=1))


async def test_blocked_user_is_deactivated_and_others_still_get_theirs(harness: Harness) -> None:
    harness.fake.inject_error(
        InjectedError("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=41)
    )
    await _queue_for(harness, [40, 41, 42])
    await harness.drain()
    assert sorted(m.chat_id for m in harness.fake.state.sent) == [40, 42]
    blocked = await harness.row(41)
    assert not blocked.active and "blocked" in blocked.deactivated_reason and blocked.deactivated_at
    assert await harness.counts() == {"pending": 0, "sending": 0, "sent": 2, "failed": 1}


async def test_chat_not_found_deactivates(harness: Harness) -> None:
    harness.fake.inject_error(InjectedError("sendMessage", 400, "Bad Request: chat not found", chat_id=51))
    await _queue_for(harness, [50, 51])
    await harness.drain()
    assert not (await harness.row(51)).active
    assert (await harness.row(50)).active


async def test_migrated_group_is_moved_and_the_digest_resent(harness: Harness) -> None:
    harness.fake.inject_error(
        InjectedError(
            "sendMessage",
            400,
            "Bad Request: group chat was upgraded",
            chat_id=-60,
            parameters={"migrate_to_chat_id": -100600},
        )
    )
    await _queue_for(harness, [-60])
    await harness.drain()
    assert [m.chat_id for m in harness.fake.state.sent] == [-100600]
    assert await harness.row(-60) is None and (await harness.row(-100600)).active


async def test_a_group_migrating_onto_a_chat_the_bot_knows_becomes_one_subscriber(harness: Harness) -> None:
    """Someone wrote in the supergroup before the group's digest went out: the bot knew both
    chats. The two rows become one on the new chat, the group's settings and history kept."""
    async with session_scope(harness.runtime.sessions) as session:
        await subscriber_queries.ensure_subscriber(session, chat_id=-100700)  # known, not subscribed
    await _queue_for(harness, [-70])
    async with session_scope(harness.runtime.sessions) as session:
        group = await subscriber_queries.get_subscriber(session, chat_id=-70)
        group.timezone, group.digest_length = "Asia/Tokyo", "long"
        session.add(group)
    harness.fake.inject_error(
        InjectedError(
            "sendMessage",
            400,
            "Bad Request: group chat was upgraded",
            chat_id=-70,
            parameters={"migrate_to_chat_id": -100700},
        )
    )
    await harness.drain()
    assert [m.chat_id for m in harness.fake.state.sent] == [-100700]
    assert await harness.row(-70) is None
    merged = await harness.row(-100700)
    assert merged.active and merged.timezone == "Asia/Tokyo" and merged.digest_length == "long"
    assert (await harness.counts())["sent"] == 1 and (await harness.counts())["failed"] == 0


async def test_flood_control_waits_retry_after(harness: Harness) -> None:
    harness.fake.inject_error(
        InjectedError("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=70, retry_after=1)
    )
    await _queue_for(harness, [70, 71])
    started = time.monotonic()
    await harness.drain()
    assert [m.chat_id for m in harness.fake.state.sent] == [71]
    assert (await harness.counts())["pending"] == 1  # waits, not failed
    while not harness.fake.messages_to(70):
        await asyncio.sleep(0.2)
        await harness.drain()
        assert time.monotonic() - started < 10
    assert time.monotonic() - started >= 1.0  # not before retry_after


async def test_parse_error_is_resent_once_as_plain_text(harness: Harness) -> None:
    harness.fake.inject_error(
        InjectedError(
            "sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag", chat_id=80
        )
    )
    await _queue_for(harness, [80])
    await harness.drain()
    [message] = harness.fake.messages_to(80)
    assert message.parse_mode is None and "<b>" not in message.raw and "Story 1" in message.text
    assert (await harness.counts())["sent"] == 1


async def _queue_now(harness: Harness, chat_ids: list[int]) -> None:
    """Digests queued now (so they are fresh), one per chat."""
    now = datetime.now(UTC)
    for chat_id in chat_ids:
        await harness.subscriber(chat_id, at=now - timedelta(days=2))
    await harness.article(article_text(1), at=now - timedelta(hours=1))
    await harness.tick(now)


async def test_a_telegram_outage_loses_nothing_and_uses_up_no_attempts(harness: Harness) -> None:
    """The Bot API answers 502 and hangs for a while, far more often than max_attempts: every
    digest still arrives, once, when it is back, and the worker paused instead of spinning."""
    chats = list(range(300, 310))
    harness.fake.inject_error(InjectedError("sendMessage", 502, "Bad Gateway", times=40))
    harness.fake.inject_error(InjectedError("sendMessage", 0, "", delay=1.5, times=5))
    await _queue_now(harness, chats)
    stop = asyncio.Event()
    running = asyncio.create_task(harness.worker.run(stop))
    try:
        deadline = time.monotonic() + 60
        while (counts := await harness.counts())["pending"] + counts["sending"] > 0:
            assert time.monotonic() < deadline, counts
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await running
    received = [m.chat_id for m in harness.fake.state.sent]
    # A send that hung past the client's timeout may have reached the chat all the same:
    # at-least-once, with no more repeats than such sends.
    assert sorted(set(received)) == chats and len(received) <= len(chats) + 5
    counts = await harness.counts()
    assert counts["failed"] == 0 and counts["sent"] == len(chats)
    assert len(harness.fake.calls("sendMessage")) < 40 + 5 + len(chats) + 25  # paused, not spinning


async def test_a_digest_is_given_up_only_when_it_is_no_longer_fresh(harness: Harness) -> None:
    worker = Outbox(harness.worker.sender, harness.runtime, replace(POLICY, fresh=timedelta(seconds=2)))
    harness.fake.inject_error(InjectedError("sendMessage", 0, "", chat_id=90, delay=1.5, times=100))
    await _queue_now(harness, [90, 91])
    deadline = time.monotonic() + 30
    while (await harness.counts())["failed"] == 0:
        await worker.drain_once()
        await asyncio.sleep(0.1)
        assert time.monotonic() < deadline
    counts = await harness.counts()
    assert counts["failed"] == 1 and counts["sent"] == 1
    async with session_scope(harness.runtime.sessions) as session:
        [failure] = await delivery_queries.recent_failures(session)
    assert failure.chat_id == 90 and "TimedOut" in failure.error and "not delivered within" in failure.error


async def test_a_slow_subscriber_does_not_delay_the_others(harness: Harness) -> None:
    harness.fake.inject_error(InjectedError("sendMessage", 0, "", chat_id=100, delay=0.9))  # slow, then fine
    await _queue_for(harness, [100, *range(101, 111)])
    started = time.monotonic()
    drain = asyncio.create_task(harness.worker.drain_once())
    await harness.fake.wait_for_messages(110, 1, timeout=5)
    others_done = time.monotonic() - started
    await drain
    assert others_done < 0.8


async def test_only_one_scheduler_tick_runs_at_a_time_on_postgresql(postgres_url: str) -> None:
    from storage.locks import try_lock
    from tests.helpers import reset_database

    await reset_database(postgres_url)
    engine = create_engine(postgres_url)
    try:
        async with try_lock(engine) as first:
            assert first
            assert await queue_due_digests(engine, session_factory(engine)) is None  # the other tick waits
        assert await queue_due_digests(engine, session_factory(engine)) == 0
    finally:
        await engine.dispose()


async def test_a_grouped_digest_of_three_articles_has_a_button_row_per_article(harness: Harness) -> None:
    await harness.subscriber(40)
    ids = []
    for n in (1, 2, 3):
        text = f"Story {n}\n\nThe lead of story {n}.\n\n## Part one\n\nOne of {n}.\n\n## Part two\n\nTwo of {n}.\n"
        ids.append(await harness.article(text, at=T0 + timedelta(hours=1, minutes=n)))
    await harness.tick(T0 + timedelta(hours=2, seconds=1))
    await harness.drain()
    [digest] = harness.fake.messages_to(40)
    assert all(f"Story {n}" in digest.text for n in (1, 2, 3))
    rows = digest.reply_markup["inline_keyboard"]
    assert [[button["callback_data"] for button in row] for row in rows] == [
        [f"sec:{article_id}:1", f"sec:{article_id}:2"] for article_id in ids
    ]
    assert rows[0][0]["text"] == f"#{ids[0]} · 1"
    assert all(len(button["callback_data"].encode()) <= 64 for row in rows for button in row)
