"""The digest a reader opens: one rich message (Bot API 10.1) with a collapsible block per
section and the original's link; classic where the API or the chat has no rich messages, and
nothing lost for the difference. Through the real bot and the fake Bot API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.fakeapi import FakeTelegram
from bot.fakeapi.html import TelegramHtmlError, check_rich_html
from digests import digest_article, parse_article
from digests.render import rich_digest
from storage import DigestFormat, Subscriber, session_scope
from storage import articles as article_queries
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from tests.helpers import OWN_SAMPLE, running_bot

URL = "https://news.example/night-buses"
HEADINGS = ("客流变化与乘客构成", "成本与财政压力", "下一步安排")


async def _publish(application, *, url: str | None = URL, text: str | None = None) -> int:
    """Store the repository's sample article (three sections) as if a feed brought it."""
    async with session_scope(application.bot_data.runtime.sessions) as session:
        article = parse_article(text or OWN_SAMPLE.read_text(encoding="utf-8"))
        row, _ = await article_queries.save_article(session, article=article, url=url)
    return row.id


async def _due(application, chat_id: int) -> None:
    """The chat's digest is due now."""
    async with session_scope(application.bot_data.runtime.sessions) as session:
        reader = await subscriber_queries.get_subscriber(session, chat_id=chat_id)
        reader.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(reader)


async def _rows(application) -> dict[int, tuple[str, str | None]]:
    """Each delivery's state and the form it went out in, by subscriber chat, once none is
    pending or being sent (a message arrives a moment before its row is marked)."""
    from sqlmodel import select

    from storage.models import Delivery

    for _ in range(50):
        async with session_scope(application.bot_data.runtime.sessions) as session:
            rows = (await session.exec(select(Delivery, Subscriber).join(Subscriber))).all()
        found = {subscriber.chat_id: (delivery.state, delivery.form) for delivery, subscriber in rows}
        if all(state not in ("pending", "sending") for state, _ in found.values()):
            break
        await asyncio.sleep(0.1)
    return found


@pytest.fixture
async def bot(fake: FakeTelegram, sqlite_url: str) -> AsyncIterator[object]:
    async with running_bot(
        fake,
        sqlite_url,
        digest_format="auto",
        scheduler_interval_seconds=0.3,
        delivery_chat_interval_seconds=0,
    ) as application:
        yield application


async def test_a_pushed_digest_is_one_rich_message_with_a_details_block_per_section_and_the_link(
    fake: FakeTelegram, bot
) -> None:
    await fake.reply_to(3001, "/subscribe")
    await _publish(bot)
    await _due(bot, 3001)
    [digest] = await fake.wait_for_messages(3001, 1, after=1, timeout=10)
    assert digest.method == "sendRichMessage"
    assert digest.raw.count("<details>") == 3 and digest.raw.count("<summary>") == 3
    for heading in HEADINGS:
        assert re.search(rf"<details><summary>[^<]*{heading}</summary><ul><li>", digest.raw)
    assert f'<a href="{URL}">城市夜间公交试运行三个月' in digest.raw  # the linked title
    assert "示例通讯社" in digest.text and "2026-11-20" in digest.text  # source · date
    assert "百分之四十二" in digest.text  # the lead
    [button] = digest.buttons
    assert button["url"] == URL and button["text"] == "Open article"
    assert fake.state.html_errors == []
    assert (await _rows(bot))[3001] == ("sent", DigestFormat.RICH)


async def test_latest_is_rich_and_format_classic_is_honoured(fake: FakeTelegram, bot) -> None:
    await _publish(bot)
    [latest] = await fake.reply_to(3002, "/latest")
    assert latest.method == "sendRichMessage" and latest.raw.count("<details>") == 3
    [done] = await fake.reply_to(3002, "/format classic")
    assert "classic" in done.text
    [classic] = await fake.reply_to(3002, "/latest")
    assert classic.method == "sendMessage" and "<details>" not in classic.raw
    assert f'<b><a href="{URL}">' in classic.raw  # the title still links to the original
    assert classic.buttons[0]["url"] == URL  # "Open article", then one button per section
    assert [b.get("callback_data") for b in classic.buttons[1:]] == ["sec:1:1", "sec:1:2", "sec:1:3"]
    [usage] = await fake.reply_to(3002, "/format fancy")
    assert "/format rich" in usage.text and "/format classic" in usage.text


async def test_without_the_method_digests_arrive_classic_and_nothing_fails(
    fake: FakeTelegram, bot, caplog
) -> None:
    fake.rich_messages = False  # an older, self-hosted Bot API server
    for chat_id in (3003, 3004):
        await fake.reply_to(chat_id, "/subscribe")
    await _publish(bot)
    await _due(bot, 3003)
    [first] = await fake.wait_for_messages(3003, 1, after=1, timeout=10)
    await _due(bot, 3004)
    [second] = await fake.wait_for_messages(3004, 1, after=1, timeout=10)
    for message in (first, second):
        assert message.method == "sendMessage" and "成本与财政压力" in message.text
        assert f'<a href="{URL}">' in message.raw
    rows = await _rows(bot)
    assert rows[3003] == ("sent", DigestFormat.CLASSIC) and rows[3004] == ("sent", DigestFormat.CLASSIC)
    # Asked once (by each send then in flight); from then on this process knows.
    assert len(fake.calls("sendRichMessage")) == 1
    assert sum("has no rich messages" in r.getMessage() for r in caplog.records) == 1
    async with session_scope(bot.bot_data.runtime.sessions) as session:
        assert (await delivery_queries.delivery_counts(session))["failed"] == 0


async def test_a_chat_that_refuses_rich_messages_gets_the_classic_digest(fake: FakeTelegram, bot) -> None:
    fake.rich_refused_chats.add(3005)
    await fake.reply_to(3005, "/subscribe")
    await fake.reply_to(3006, "/subscribe")
    await _publish(bot)
    await _due(bot, 3005)
    await _due(bot, 3006)
    [refused] = await fake.wait_for_messages(3005, 1, after=1, timeout=10)
    [rich] = await fake.wait_for_messages(3006, 1, after=1, timeout=10)
    assert refused.method == "sendMessage" and rich.method == "sendRichMessage"
    rows = await _rows(bot)
    assert rows[3005] == ("sent", DigestFormat.CLASSIC) and rows[3006] == ("sent", DigestFormat.RICH)


async def test_a_briefing_is_one_rich_message_with_a_details_block_per_story(fake: FakeTelegram, bot) -> None:
    await fake.reply_to(3007, "/subscribe")
    topics = ["港口", "电网", "粮食", "铁路", "选举"]
    for n, topic in enumerate(topics, 1):
        text = (
            f"# {topic}新闻第{n}篇\n\n{topic}领域本周出现新的变化，第{n}篇报道说明了原因。\n\n"
            f"## 一、背景\n\n{topic}问题由来已久。各方一直在讨论解决办法。\n\n"
            f"## 二、进展\n\n本周{topic}谈判取得进展。专家认为前景乐观。"
        )
        await _publish(bot, url=f"https://news.example/{n}", text=text)
    await _due(bot, 3007)
    [briefing] = await fake.wait_for_messages(3007, 1, after=1, timeout=10)
    assert briefing.method == "sendRichMessage"
    assert briefing.raw.count("<details>") == len(topics)
    for n, topic in enumerate(topics, 1):
        assert f"<summary>{n}. {topic}新闻第{n}篇" in briefing.raw
        assert f'<a href="https://news.example/{n}">Open article</a>' in briefing.raw
    assert "5 articles" in briefing.text
    rows = briefing.reply_markup["inline_keyboard"]
    assert len(rows) == len(topics) and rows[0][0]["callback_data"] == "art:1"


async def test_an_over_limit_digest_is_split_between_sections_never_inside_one(
    fake: FakeTelegram, bot
) -> None:
    sections = "\n\n".join(
        f"## {n}. Part {n}\n\n"
        + " ".join(
            f"Sentence {n}.{k} of part {n} says a thing at length, in words enough for a long one."
            for k in range(12)
        )
        for n in range(1, 61)
    )
    text = f"# A very long report\n\nThe lead paragraph says what the report is about.\n\n{sections}"
    await fake.reply_to(3008, "/subscribe")
    await fake.reply_to(3008, "/length long")
    article_id = await _publish(bot, text=text)
    fake.send_text(3008, f"/digest {article_id}")
    await fake.wait_for_messages(3008, 2, after=2, timeout=15)
    await asyncio.sleep(0.5)  # and any message after those two
    every = fake.messages_to(3008)[2:]
    assert len(every) >= 2 and all(m.method == "sendRichMessage" for m in every)
    assert "".join(m.raw for m in every).count("<details>") == 60  # every section, each whole in one
    assert all(m.raw.count("<details>") == m.raw.count("</details>") for m in every)
    assert all(len(m.raw) <= 32_768 for m in every) and fake.state.html_errors == []


def test_rich_digest_splits_at_sections_within_the_given_limits() -> None:
    digest = digest_article(parse_article(OWN_SAMPLE.read_text(encoding="utf-8")))
    [whole] = rich_digest(digest)
    parts = rich_digest(digest, text_limit=len(whole) // 2)
    assert len(parts) >= 2
    assert sum(part.count("<details>") for part in parts) == 3
    for part in parts:
        check_rich_html(part)
        assert part.count("<details>") == part.count("</details>")


@pytest.mark.parametrize(
    "html",
    [
        "<details>no summary</details>",
        "<details><p>x</p><summary>late</summary></details>",
        "<summary>alone</summary>",
        "<p>unknown <blink>tag</blink></p>",
        "<p>unclosed",
        "<p>&copy; is not a supported entity</p>",
        "<ul>" + "<li>x</li>" * 500 + "</ul>",
        "<p>" + "x" * 32_769 + "</p>",
        "<details><summary>s</summary>" * 17 + "</details>" * 17,
    ],
)
def test_the_fake_api_refuses_rich_html_telegram_would_refuse(html: str) -> None:
    with pytest.raises(TelegramHtmlError):
        check_rich_html(html)


def test_the_fake_api_reads_rich_html_as_a_reader_sees_it() -> None:
    shown = check_rich_html(
        "<h3>Title</h3><details><summary>1. Part</summary><ul><li>One.</li></ul></details>"
    )
    assert shown.splitlines() == ["### Title", "▸ 1. Part", "  • One."]


async def test_the_terminal_chat_shows_rich_digests_collapsed_and_expands_a_section(tmp_path) -> None:
    import io

    from bot.cli.chat import run_chat
    from bot.settings import Settings

    typed = io.StringIO(f"/publish {OWN_SAMPLE}\n/latest\nexpand 2\nexpand 9\nquit\n")
    out = io.StringIO()
    code = await run_chat(
        Settings(), out=out, database_url=f"sqlite+aiosqlite:///{tmp_path}/chat.db", lines=typed
    )
    assert code == 0
    latest, expanded, missing = out.getvalue().split("you>")[2:5]
    assert "▸ 二、成本与财政压力  [2]" in latest and "expand N" in latest
    assert "运营成本" not in latest.split("▸ 二、")[1].split("▸")[0]  # collapsed: the heading alone
    assert "• " in expanded and "成本" in expanded
    assert "nothing to expand" in missing
