"""Compact briefings: a scheduled digest of many articles comes as one message with buttons."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.fakeapi import FakeTelegram
from digests import parse_article
from storage import articles as article_queries
from storage import session_scope
from storage import subscribers as subscriber_queries
from tests.helpers import running_bot

TOPICS = ["港口", "电网", "粮食", "铁路", "选举", "央行", "气候", "航运", "芯片", "医疗"]


def article_text(n: int, topic: str) -> str:
    return (
        f"# {topic}新闻第{n}篇\n\n{topic}领域本周出现新的变化，第{n}篇报道说明了原因。\n\n"
        f"## 一、背景\n\n{topic}问题由来已久。各方一直在讨论解决办法。\n\n"
        f"## 二、进展\n\n本周{topic}谈判取得进展。专家认为前景乐观。\n\n"
        f"## 三、展望\n\n明年{topic}形势仍有不确定性。"
    )


async def test_a_daily_digest_of_ten_articles_is_one_briefing_with_buttons(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url, scheduler_interval_seconds=0.3) as application:
        await fake.reply_to(1101, "/subscribe")
        await fake.reply_to(1102, "/subscribe")
        await fake.reply_to(1102, "/length long")  # keeps the full overviews
        runtime = application.bot_data.runtime
        async with session_scope(runtime.sessions) as session:
            source = await article_queries.upload_source(session)
            for n, topic in enumerate(TOPICS, 1):
                article = parse_article(article_text(n, topic))
                await article_queries.save_article(session, article=article, source_id=source.id)
            for chat_id in (1101, 1102):
                reader = await subscriber_queries.get_subscriber(session, chat_id=chat_id)
                reader.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
                session.add(reader)
        start = len(fake.messages_to(1101))
        [briefing] = await fake.wait_for_messages(1101, 1, after=start, timeout=10)
        assert "briefing" in briefing.text and "10 articles" in briefing.text
        assert all(f"{topic}新闻" in briefing.text for topic in TOPICS)
        assert "本周" in briefing.text  # each story's best sentence, not only its title
        rows = briefing.reply_markup["inline_keyboard"]
        assert len(rows) == 10 and all(len(row) == 4 for row in rows)  # overview + 3 sections each
        await asyncio.sleep(1.0)
        assert len(fake.messages_to(1101)) == start + 1  # one message for the ten

        before = len(fake.messages_to(1101))
        fake.press_button(1101, briefing, rows[2][0]["callback_data"])  # story 3's overview
        [overview] = await fake.wait_for_messages(1101, 1, after=before, timeout=10)
        assert f"{TOPICS[2]}新闻" in overview.text and "背景" in overview.text
        before = len(fake.messages_to(1101))
        fake.press_button(1101, briefing, rows[4][2]["callback_data"])  # story 5, section 2
        [section] = await fake.wait_for_messages(1101, 1, after=before, timeout=10)
        assert "进展" in section.text and TOPICS[4] in section.text

        long_digest = fake.messages_to(1102)
        assert not any("briefing" in m.text for m in long_digest)
        assert " ".join(m.text for m in long_digest).count("背景") == len(TOPICS)  # every overview in full
