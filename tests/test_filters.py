"""Keyword filters: matching rules, limits, and what subscribers receive through the real bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.fakeapi import FakeTelegram
from bot.usecases.polling import SourcePoller
from digests import DigestError, parse_article
from digests.filters import MAX_WORDS, KeywordFilter, parse_filter
from storage import articles as article_queries
from storage import session_scope
from storage import subscribers as subscriber_queries
from tests.helpers import ADMIN, LocalSite, running_bot

BODY = "这是正文的第一句，讲述事情的经过。第二句补充了背景和各方的反应。"


@pytest.mark.parametrize(
    ("words", "title", "text", "accepted"),
    [
        ("+乌克兰", "乌克兰局势", "", True),
        ("+乌克兰", "欧洲经济", "", False),
        ("+乌克兰", "烏克蘭和談", "", True),  # Traditional matches Simplified (OpenCC)
        ("+烏克蘭", "乌克兰局势", "", True),
        ("+乌克兰 -体育", "乌克兰体育代表团", "", False),
        ("-体育", "财经新闻", "正文没有那个词", True),
        ("+war", "Software update", "", False),  # English words on word boundaries
        ("+war", "The war goes on", "", True),
        ("+WAR", "ｗａｒ and peace", "", True),  # case and width folded
        ('+"peace talks"', "Peace   talks resume", "", True),
        ('+"peace talks"', "Peace and talks", "", False),
        ("+乌克兰", "Headline", "正文提到了乌克兰。", True),  # the text counts, not only the title
    ],
)
def test_filters_match_words_as_readers_mean_them(words: str, title: str, text: str, accepted: bool) -> None:
    assert parse_filter(words).accepts(title, text) is accepted


def test_filter_changes_keys_and_limits() -> None:
    first = parse_filter("+乌克兰 -体育")
    assert first.key == parse_filter("-体育 +烏克蘭").key != parse_filter("+乌克兰").key  # order and script
    moved = first.changed("+体育")
    assert moved.include == ("乌克兰", "体育") and moved.exclude == ()
    assert KeywordFilter().key is None and KeywordFilter.from_json(first.as_json()) == first
    with pytest.raises(DigestError) as many:
        parse_filter(" ".join(f"+w{n}" for n in range(MAX_WORDS + 1)))
    assert many.value.reason == "bad_filter_many"
    with pytest.raises(DigestError) as long:
        parse_filter("+" + "x" * 41)
    assert long.value.reason == "bad_filter_long"
    with pytest.raises(DigestError) as quote:
        parse_filter('+"open phrase')
    assert quote.value.reason == "bad_filter_quote"
    assert parse_filter(r"+(.*)*\d").accepts("a (.*)*\\d b", "")  # plain words: no pattern is run


MIXED = {
    "乌克兰局势最新进展": True,
    "乌克兰体育代表团出征": False,  # excluded word
    "欧洲经济展望": False,  # no included word
    "烏克蘭和談重啟": True,  # Traditional
    "Ukraine talks resume": False,
}


async def test_a_filtered_reader_receives_exactly_the_matching_articles(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url, scheduler_interval_seconds=0.3) as application:
        await fake.reply_to(801, "/subscribe")
        [saved] = await fake.reply_to(801, "/filter +乌克兰 -体育")
        assert "乌克兰" in saved.text and "体育" in saved.text
        [bad] = await fake.reply_to(801, '/filter +"unclosed')
        assert "quote is not closed" in bad.text
        await fake.reply_to(802, "/subscribe")  # no filter: everything
        runtime = application.bot_data.runtime
        before = {
            chat_id: len(fake.messages_to(chat_id)) for chat_id in (801, 802)
        }  # counted before they are due
        async with session_scope(runtime.sessions) as session:
            source = await article_queries.upload_source(session)
            for title in MIXED:
                article = parse_article(f"# {title}\n\n{BODY}{title}。")
                await article_queries.save_article(session, article=article, source_id=source.id)
            for chat_id in (801, 802):
                reader = await subscriber_queries.get_subscriber(session, chat_id=chat_id)
                reader.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
                session.add(reader)
        filtered = await fake.wait_for_messages(801, 1, after=before[801], timeout=10)
        everything = await fake.wait_for_messages(802, 1, after=before[802], timeout=10)
        received = " ".join(m.text for m in filtered)
        assert {t for t in MIXED if t in received} == {t for t, wanted in MIXED.items() if wanted}
        assert all(title in " ".join(m.text for m in everything) for title in MIXED)
        [shown] = await fake.reply_to(801, "/settings")
        assert "+乌克兰 -体育" in shown.text
        [cleared] = await fake.reply_to(801, "/filter clear")
        assert "cleared" in cleared.text


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><description><![CDATA[<p>{BODY}{title}</p>]]></description></item>"
        for guid, title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'.encode()
    )


async def test_a_source_filter_drops_entries_for_everyone(site: LocalSite, runtime) -> None:
    from bot.usecases import filtering

    poller = SourcePoller(runtime)
    site.pages["/feed.xml"] = ("application/rss+xml", rss([("a", "乌克兰局势")]))
    source, _, _ = await poller.add(site.url("/feed.xml"))
    await filtering.change_source_filter(runtime, source=source, words="-体育")
    site.pages["/feed.xml"] = (
        "application/rss+xml",
        rss([("a", "乌克兰局势"), ("b", "体育新闻：联赛开幕"), ("c", "经济新闻：市场平稳")]),
    )
    polled = await poller.poll(source)
    assert polled.new == 1
    async with session_scope(runtime.sessions) as session:
        titles = [a.title for a in await article_queries.recent_articles(session)]
    assert "体育新闻：联赛开幕" not in titles and "经济新闻：市场平稳" in titles
    assert "guid:b" in source.skipped_entries  # remembered: not fetched and parsed again


async def test_admins_set_a_source_filter_by_command(
    site: LocalSite, fake: FakeTelegram, sqlite_url: str
) -> None:
    site.pages["/feed.xml"] = ("application/rss+xml", rss([("a", "乌克兰局势")]))
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        await fake.reply_to(ADMIN, f"/addsource {site.url('/feed.xml')}", count=2)
        [usage] = await fake.reply_to(ADMIN, "/sourcefilter")
        assert "/sourcefilter ID" in usage.text
        [saved] = await fake.reply_to(ADMIN, "/sourcefilter 1 -体育")
        assert "#1" in saved.text and "体育" in saved.text
        [refused] = await fake.reply_to(801, "/sourcefilter 1 clear")
        assert "#1" not in refused.text


async def test_queueing_applies_each_distinct_filter_on_both_databases(runtime) -> None:
    """Set-wise: chats sharing a filter, chats with other filters, chats with none."""
    from sqlmodel import select

    from bot.usecases import filtering
    from bot.usecases.tick import queue_due_digests
    from storage import Delivery

    past = datetime.now(UTC) - timedelta(hours=1)
    words = {901: "+乌克兰", 902: "+烏克蘭", 903: "-乌克兰", 904: None, 905: "+nothing-matches"}
    async with session_scope(runtime.sessions) as session:
        for chat_id in words:
            reader = await subscriber_queries.ensure_subscriber(session, chat_id=chat_id)
            await subscriber_queries.subscribe(session, subscriber=reader, next_digest_at=past, now=past)
        source = await article_queries.upload_source(session)
        ids = {}
        for title in MIXED:
            row, _ = await article_queries.save_article(
                session, article=parse_article(f"# {title}\n\n{BODY}{title}。"), source_id=source.id
            )
            ids[row.id] = title
    for chat_id, change in words.items():
        if change:
            await filtering.change_chat_filter(runtime, chat_id=chat_id, words=change)
    assert await queue_due_digests(runtime.engine, runtime.sessions) is not None
    async with session_scope(runtime.sessions) as session:
        rows = (await session.exec(select(Delivery))).all()
        chats = {s.id: s.chat_id for s in await subscriber_queries.list_subscribers(session)}
    got: dict[int, set[str]] = {}
    for row in rows:
        got.setdefault(chats[row.subscriber_id], set()).add(ids[row.article_id])
    ukraine = {"乌克兰局势最新进展", "乌克兰体育代表团出征", "烏克蘭和談重啟"}
    assert got[901] == got[902] == ukraine
    assert got[903] == set(MIXED) - ukraine
    assert got[904] == set(MIXED)
    assert 905 not in got


@pytest.mark.parametrize(
    ("words", "title", "accepted"),
    [
        ("-war", "The w\u200bar goes on", False),  # a zero-width space inside the word
        ("-war", "The w\u00adar goes on", False),  # a soft hyphen
        ("+乾", "乾隆皇帝的故事", True),  # alone 乾 converts to 干; inside 乾隆 it does not
        ("+乾", "衣服已经乾了", True),
        ("+İstanbul", "news from istanbul today", True),
        ("+istanbul", "News from İstanbul today", True),
    ],
)
def test_folding_closes_the_gaps_a_hostile_tester_found(words: str, title: str, accepted: bool) -> None:
    assert parse_filter(words).accepts(title, "") is accepted
