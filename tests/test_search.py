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
        query: [row.id for row in await reading.search(runtime, query=query)]
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
    found = [row.id for row in await reading.search(runtime, query=query)]
    assert found == ([article_id] if holds_all else [])


async def test_articles_stored_before_the_index_are_indexed_by_the_tick(runtime) -> None:
    [article_id] = await _store(runtime, (CHINESE, datetime.now(UTC)))
    async with session_scope(runtime.sessions) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        key = "rowid" if sqlite else "article_id"
        await session.exec(text(f"DELETE FROM article_search WHERE {key} = :id").bindparams(id=article_id))
    assert await reading.search(runtime, query="特使") == []
    assert await upkeep.index_unindexed(runtime) == 1
    assert [row.id for row in await reading.search(runtime, query="特使")] == [article_id]
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
