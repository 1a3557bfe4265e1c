"""Readers' own sources (READER_SOURCES): one source per URL however many chats follow it, its
digests to those chats only, a limit a chat, and the admins see who follows what."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from bot.fakeapi import FakeTelegram
from storage import create_engine, session_factory, session_scope
from storage import sources as source_queries
from tests.helpers import ADMIN, LocalSite, running_bot

FIRST, SECOND, BYSTANDER = 701, 702, 703


SUBJECTS = {
    "Harbour": "what the port authority decided today and why the ferries will run on a new timetable",
    "Markets": "how the fish market's prices moved this week and which boats brought the largest catch",
}


def _published(n: int) -> datetime:
    """Story 0 an hour old (before its source was added), later ones a few seconds ahead: news
    whenever the feed is polled (a date to the second may equal the source's creation)."""
    return datetime.now(UTC) + (timedelta(seconds=2 * n) if n else timedelta(hours=-1))


def harbour_feed(entries: int, name: str = "Harbour") -> tuple[str, bytes]:
    """An RSS feed of ``entries`` stories; feeds of other names tell other stories."""
    items = "".join(
        f"<item><title>{name} story {n}</title><guid>{name}{n}</guid>"
        f"<pubDate>{format_datetime(_published(n))}</pubDate>"
        f"<description>{name} story {n} tells {SUBJECTS[name]} from Monday.</description></item>"
        for n in range(entries)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'
    return "application/rss+xml", body.encode()


async def test_two_readers_following_one_url_share_one_source_and_only_they_get_its_digests(
    fake: FakeTelegram, sqlite_url: str, site: LocalSite
) -> None:
    site.pages["/harbour.xml"] = harbour_feed(1)
    url = site.url("/harbour.xml")
    settings = {"fetch_allow_private_addresses": True, "reader_sources": True, "reader_sources_max": 2}
    async with running_bot(fake, sqlite_url, **settings):
        for chat in (FIRST, SECOND, BYSTANDER):
            await fake.reply_to(chat, "/schedule instant")
        [_, followed] = await fake.reply_to(FIRST, f"/follow {url}?utm_source=newsletter", count=2)
        assert "Following #1 Harbour" in followed.text, followed.text
        [_, followed] = await fake.reply_to(SECOND, f"/follow {url}", count=2)
        assert "Following #1 Harbour" in followed.text, followed.text
        assert site.hits["/harbour.xml"] == 1  # the second follower fetched nothing
        [_, again] = await fake.reply_to(SECOND, f"/follow {url}", count=2)
        assert "follows #1 Harbour already" in again.text
        await fake.reply_to(BYSTANDER, "/subscribe")  # all the admins' sources, none of the readers'

        [listed] = await fake.reply_to(ADMIN, "/sources")
        assert "followed by 2 chats: @user701, @user702" in listed.text, listed.text
        assert "only those chats get its digests" in listed.text

        before = {chat: len(fake.messages_to(chat)) for chat in (FIRST, SECOND, BYSTANDER)}
        site.pages["/harbour.xml"] = harbour_feed(2)
        await fake.reply_to(ADMIN, "/refresh 1", count=2)
        assert site.hits["/harbour.xml"] == 2  # one fetch for both followers
        for chat in (FIRST, SECOND):
            [digest] = await fake.wait_for_messages(chat, 1, after=before[chat])
            assert "Harbour story 1" in digest.text
        await asyncio.sleep(1.0)
        assert len(fake.messages_to(BYSTANDER)) == before[BYSTANDER]
        # Nor can the bystander find them: what a chat follows is its own business.
        [found] = await fake.reply_to(SECOND, "/search harbour story")
        assert "Harbour story 1" in found.text, found.text
        [listed] = await fake.reply_to(SECOND, "/articles")
        assert "Harbour story" in listed.text
        [nothing] = await fake.reply_to(BYSTANDER, "/search harbour story")
        assert "No article holds every word" in nothing.text, nothing.text
        [nothing] = await fake.reply_to(BYSTANDER, "/articles")
        assert "No articles yet" in nothing.text, nothing.text
        [nothing] = await fake.reply_to(BYSTANDER, "/digest 1")
        assert "There is no article 1" in nothing.text, nothing.text

        [mine] = await fake.reply_to(FIRST, "/follow")
        assert "\n1 Harbour" in mine.text
        site.pages["/tide.xml"] = harbour_feed(1)
        site.pages["/gulls.xml"] = harbour_feed(1)
        await fake.reply_to(FIRST, f"/follow {site.url('/tide.xml')}", count=2)
        [_, limit] = await fake.reply_to(FIRST, f"/follow {site.url('/gulls.xml')}", count=2)
        assert "follows 2 sources already" in limit.text and "/gulls.xml" not in site.hits

        [left] = await fake.reply_to(FIRST, "/unfollow 1")
        assert "Stopped following #1" in left.text
        [not_followed] = await fake.reply_to(FIRST, "/unfollow 1")
        assert "does not follow #1" in not_followed.text
        [usage] = await fake.reply_to(FIRST, "/unfollow harbour")
        assert "/unfollow ID" in usage.text
        [_] = await fake.reply_to(SECOND, "/unfollow 1")

    engine = create_engine(sqlite_url)
    async with session_scope(session_factory(engine)) as session:
        source = await source_queries.get_polled_source(session, source_id=1)
        assert source is not None and source.paused and not source.public  # nobody follows it now
        assert len(await source_queries.list_sources(session)) == 2
    await engine.dispose()


async def test_an_admin_adding_a_readers_source_makes_it_everyones(
    fake: FakeTelegram, sqlite_url: str, site: LocalSite
) -> None:
    site.pages["/harbour.xml"] = harbour_feed(1)
    settings = {"fetch_allow_private_addresses": True, "reader_sources": True}
    async with running_bot(fake, sqlite_url, **settings):
        await fake.reply_to(FIRST, f"/follow {site.url('/harbour.xml')}", count=2)
        [_, added] = await fake.reply_to(ADMIN, f"/addsource {site.url('/harbour.xml')}", count=2)
        assert "#1" in added.text
    engine = create_engine(sqlite_url)
    async with session_scope(session_factory(engine)) as session:
        source = await source_queries.get_polled_source(session, source_id=1)
        assert source is not None and source.public
    await engine.dispose()


async def test_without_reader_sources_follow_says_the_admins_choose(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url):
        [refused] = await fake.reply_to(FIRST, "/follow https://example.org/feed.xml")
        assert "only the sources its admins chose" in refused.text
        [refused] = await fake.reply_to(FIRST, "/unfollow 1")
        assert "only the sources its admins chose" in refused.text
