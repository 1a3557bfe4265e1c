"""Search over stored articles: FTS5 on SQLite and text search on PostgreSQL, Chinese and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.fakeapi import FakeTelegram
from bot.usecases import reading, upkeep
from digests import parse_article
from storage import search as search_index
from storage import session_scope
from tests.helpers import running_bot, store_article

CHINESE = (
    "# 普京会见美国特使\n\n俄罗斯总统普京周二在莫斯科会见了美国特使。双方就乌克兰问题交换了意见。"
    "\n\n克里姆林宫表示，会谈富有建设性，但分歧依然存在。"
)
ENGLISH = (
    "# Envoys meet in Geneva\n\nDiplomats gathered in Geneva on Monday for another round of talks. "
    "The negotiations covered energy supplies and prisoner exchanges.\n\nObservers called the mood cautious."
)
OLDER_CHINESE = "# 乌克兰粮食出口\n\n乌克兰的粮食出口连续第三个月增长。港口运转正常。"


async def _store(runtime, *documents: tuple[str, datetime]) -> list[int]:
    ids = []
    async with session_scope(runtime.sessions) as session:
        for document, published in documents:
            row, _ = await store_article(session, article=parse_article(document), published_at=published)
            ids.append(row.id)
    return ids


async def test_search_finds_chinese_and_english_articles_by_words_of_their_body(runtime) -> None:
    now = datetime.now(UTC)
    chinese, english, older = await _store(
        runtime, (CHINESE, now), (ENGLISH, now - timedelta(hours=1)), (OLDER_CHINESE, now - timedelta(days=2))
    )
    found = {
        query: [row.id for row in (await reading.search(runtime, query=query)).articles]
        for query in (
            "特使",
            "克里姆林宫 建设性",
            "energy exchanges",
            "GENEVA",
            "乌克兰",
            "烏克蘭",
            "特使 Geneva",
            "粮食 出口",
        )
    }
    assert found["特使"] == [chinese]  # a word of the body, not of the title
    assert found["克里姆林宫 建设性"] == [chinese]
    assert found["energy exchanges"] == found["GENEVA"] == [english]
    assert found["乌克兰"] == found["烏克蘭"] == [chinese, older]  # newest first; either script
    assert found["特使 Geneva"] == []  # every word must be there
    assert found["粮食 出口"] == [older]


@pytest.mark.parametrize("query", ['"', "AND", "NEAR(a b)", "*", "a OR", "-x", "')--", "：；！"])
async def test_queries_are_words_never_syntax(runtime, query: str) -> None:
    """Whatever the query holds, it is searched as its words: the article is found exactly when
    it holds every one of them (a plain scan of its terms is the oracle), and nothing fails."""
    from digests.search import search_terms

    [article_id] = await _store(runtime, (ENGLISH, datetime.now(UTC)))
    words = search_terms(query, query=True)
    holds_all = bool(words) and set(words) <= set(search_terms(ENGLISH))
    found = [row.id for row in (await reading.search(runtime, query=query)).articles]
    assert found == ([article_id] if holds_all else [])


async def test_articles_stored_before_the_index_are_indexed_by_the_tick(runtime) -> None:
    [article_id] = await _store(runtime, (CHINESE, datetime.now(UTC)))
    async with session_scope(runtime.sessions) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        key = "rowid" if sqlite else "article_id"
        await session.exec(text(f"DELETE FROM article_search WHERE {key} = :id").bindparams(id=article_id))
    assert (await reading.search(runtime, query="特使")).articles == []
    assert await upkeep.index_unindexed(runtime) == 1
    assert [row.id for row in (await reading.search(runtime, query="特使")).articles] == [article_id]
    assert await upkeep.index_unindexed(runtime) == 0 and runtime.search_index_complete
    async with session_scope(runtime.sessions) as session:
        assert await search_index.unindexed_articles(session) == []


async def test_search_in_telegram_with_buttons_that_open_each_result(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url) as application:
        await _store(application.bot_data.runtime, (CHINESE, datetime.now(UTC)), (ENGLISH, datetime.now(UTC)))
        [usage] = await fake.reply_to(1001, "/search")
        assert "/search" in usage.text
        [none] = await fake.reply_to(1001, "/search nothingmatches")
        assert "nothingmatches" in none.text
        [results] = await fake.reply_to(1001, "/search 特使")
        assert "普京会见美国特使" in results.text and "Geneva" not in results.text
        [button] = [b for row in results.reply_markup["inline_keyboard"] for b in row]
        before = len(fake.messages_to(1001))
        fake.press_button(1001, results, button["callback_data"])
        [overview] = await fake.wait_for_messages(1001, 1, after=before, timeout=10)
        assert "普京会见美国特使" in overview.text


async def test_search_pages_through_older_results_in_place(fake: FakeTelegram, sqlite_url: str) -> None:
    """23 articles with the word: the reply shows the newest 10 and "Older »"; pressing it edits
    the message into results 11–20 with both buttons, then 21–23 with "« Newer" alone."""
    now = datetime.now(UTC)
    documents = [
        (
            f"Harbour report {n}\n\nThe lighthouse keeper counted {n} ships in the harbour today.",
            now - timedelta(hours=n),
        )
        for n in range(23)
    ]
    async with running_bot(fake, sqlite_url) as application:
        ids = await _store(application.bot_data.runtime, *documents)  # ids[0] is the newest
        [first] = await fake.reply_to(1001, "/search lighthouse")

        def shown(message) -> list[int]:
            return [
                int(b["callback_data"].split(":")[1])
                for row in message.reply_markup["inline_keyboard"]
                for b in row
                if b["callback_data"].startswith("art:")
            ]

        def pages(message) -> list[str]:
            return [
                b["text"]
                for row in message.reply_markup["inline_keyboard"]
                for b in row
                if b["callback_data"].startswith("find:")
            ]

        def button(message, label: str) -> str:
            [data] = [
                b["callback_data"]
                for row in message.reply_markup["inline_keyboard"]
                for b in row
                if b["text"] == label
            ]
            return data

        assert shown(first) == ids[:10] and pages(first) == ["Older »"]
        before = len(fake.messages_to(1001))
        fake.press_button(1001, first, button(first, "Older »"))
        [second] = await fake.wait_for_messages(1001, 1, after=before, timeout=10)
        assert second.method == "editMessageText" and second.message_id == first.message_id
        assert shown(second) == ids[10:20] and pages(second) == ["« Newer", "Older »"]
        assert "(results 11–20)" in second.text
        before = len(fake.messages_to(1001))
        fake.press_button(1001, second, button(second, "Older »"))
        [third] = await fake.wait_for_messages(1001, 1, after=before, timeout=10)
        assert shown(third) == ids[20:] and pages(third) == ["« Newer"]
        before = len(fake.messages_to(1001))
        fake.press_button(1001, third, "find:notanumber:lighthouse")  # forged: answered, nothing sent
        fake.press_button(1001, third, button(third, "« Newer"))
        [back] = await fake.wait_for_messages(1001, 1, after=before, timeout=10)
        assert shown(back) == ids[10:20]


CORPUS_QUERIES = ("harbour", "harbour lighthouse keeper", "经济", "经济 市场 政策")


async def test_search_over_100000_articles_matches_one_plain_query_on_both_databases(
    database_url: str,
) -> None:
    """A word in 45 % of 100,000 articles (more matches than PostgreSQL takes query arguments):
    no error, and the same ten articles, page after page, as one SQL query written by hand."""
    from bot.settings import Settings
    from bot.usecases.runtime import open_runtime
    from tests.search_corpus import plain_search, share, store_corpus

    await store_corpus(database_url, 100_000)
    assert 100_000 * share(100_000, "harbour") > 32_767
    async with open_runtime(Settings(database_url=database_url)) as runtime:
        for query in CORPUS_QUERIES:
            expected, _ = await plain_search(database_url, query, limit=20)
            first = await reading.search(runtime, query=query)
            second = await reading.search(runtime, query=query, offset=10)
            assert [row.id for row in first.articles] == expected[:10], query
            assert [row.id for row in second.articles] == expected[10:20], query
            assert first.more and second.more
