"""Forum topics: a group's digests go to the topic chosen with /topic, one source's to its own
topic with /sourcetopic; a topic that is deleted falls back to General and nothing is lost."""

from __future__ import annotations

from bot.fakeapi import FakeTelegram
from bot.fakeapi.server import SentMessage
from storage import create_engine, session_factory, session_scope
from storage import subscribers as subscriber_queries
from tests.helpers import ADMIN, LocalSite, running_bot
from tests.test_reader_sources import harbour_feed

FORUM = -1005550001
PLAIN_GROUP = -1005550002
MODERATOR = 811


async def test_digests_go_to_their_topics_and_a_deleted_topic_falls_back_to_general(
    fake: FakeTelegram, sqlite_url: str, site: LocalSite
) -> None:
    site.pages["/harbour.xml"] = harbour_feed(1)
    site.pages["/markets.xml"] = harbour_feed(1, "Markets")
    news, markets = fake.create_topic(FORUM), fake.create_topic(FORUM)
    fake.set_member_status(FORUM, MODERATOR, "administrator")
    in_forum = {"chat_id": FORUM, "chat_type": "supergroup"}
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        await fake.reply_to(ADMIN, f"/addsource {site.url('/harbour.xml')}", count=2)
        await fake.reply_to(ADMIN, f"/addsource {site.url('/markets.xml')}", count=2)
        await fake.reply_to(MODERATOR, "/schedule instant", **in_forum)
        await fake.reply_to(MODERATOR, "/subscribe", **in_forum)
        [chosen] = await fake.reply_to(MODERATOR, "/topic", thread_id=news, **in_forum)
        assert "come to this topic" in chosen.text and chosen.thread_id == news  # answered in the topic
        [routed] = await fake.reply_to(MODERATOR, "/sourcetopic 2", thread_id=markets, **in_forum)
        assert "Articles of #2" in routed.text and routed.thread_id == markets

        async def new_entry_in(path: str, source_id: int, entries: int) -> SentMessage:
            before = len(fake.messages_to(FORUM))
            site.pages[path] = harbour_feed(entries, "Markets" if "markets" in path else "Harbour")
            await fake.reply_to(ADMIN, f"/refresh {source_id}", count=2)
            [digest] = await fake.wait_for_messages(FORUM, 1, after=before)
            return digest

        digest = await new_entry_in("/harbour.xml", 1, 2)
        assert "Harbour story 1" in digest.text and digest.thread_id == news
        digest = await new_entry_in("/markets.xml", 2, 2)
        assert "Markets story 1" in digest.text and digest.thread_id == markets

        fake.delete_topic(FORUM, news)
        digest = await new_entry_in("/harbour.xml", 1, 3)
        assert "Harbour story 2" in digest.text and digest.thread_id is None  # General, not lost
        digest = await new_entry_in("/harbour.xml", 1, 4)
        assert "Harbour story 3" in digest.text and digest.thread_id is None
        gone = [c for c in fake.state.calls if str(c[1].get("message_thread_id")) == str(news)]
        assert len(gone) == 3  # the two replies' topic, then one refused digest: forgotten since

        [back] = await fake.reply_to(MODERATOR, "/sourcetopic 2 off", thread_id=markets, **in_forum)
        assert "with the group's other digests" in back.text
        [general] = await fake.reply_to(MODERATOR, "/topic off", thread_id=markets, **in_forum)
        assert "General topic" in general.text

        fake.set_member_status(PLAIN_GROUP, MODERATOR, "administrator")
        [no_topics] = await fake.reply_to(MODERATOR, "/topic", chat_id=PLAIN_GROUP, chat_type="supergroup")
        assert "groups with topics" in no_topics.text
        [refused] = await fake.reply_to(812, "/topic", thread_id=markets, **in_forum)
        assert "admin" in refused.text.lower()

    engine = create_engine(sqlite_url)
    async with session_scope(session_factory(engine)) as session:
        forum = await subscriber_queries.get_subscriber(session, chat_id=FORUM)
        assert forum is not None and forum.topic_id is None
        assert await subscriber_queries.topics_of(session, pairs={(forum.id, 1)}) == {}
    await engine.dispose()
