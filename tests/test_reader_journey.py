"""The bot end to end: the real application talks to the fake Bot API server over HTTP."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram
from tests.helpers import ADMIN, running_bot

READER = 1001
STRANGER = 1002
SECOND_HEADING = "闭门会谈过程与克宫会前会后定调"
FIRST_HEADING = "高规格接待与入城安排"


async def test_reader_journey(fake: FakeTelegram, database_url: str, sample_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_bot(fake, database_url):
        # 1. A Chinese-speaking reader starts and subscribes, twice.
        [welcome] = await fake.reply_to(READER, "/start", language_code="zh")
        assert "摘要" in welcome.text
        assert {b["callback_data"] for b in welcome.buttons} == {"do:subscribe", "do:latest"}
        [confirmed] = await fake.reply_to(READER, "/subscribe", language_code="zh")
        assert "已订阅" in confirmed.text and "08:00" in confirmed.text and "UTC" in confirmed.text
        [again] = await fake.reply_to(READER, "/subscribe", language_code="zh")
        assert "已经订阅" in again.text

        # 2. The admin sends the sample as a document and gets a preview.
        before = len(fake.messages_to(ADMIN))
        fake.send_document(ADMIN, sample_path.name, sample_path.read_bytes())
        preview = await fake.wait_for_messages(ADMIN, 2, after=before)
        assert FIRST_HEADING in preview[0].text and SECOND_HEADING in preview[0].text
        assert "#1" in preview[-1].text

        [listing] = await fake.reply_to(READER, "/sections", language_code="zh")
        assert f"1. {FIRST_HEADING}" in listing.text and f"2. {SECOND_HEADING}" in listing.text
        [second] = await fake.reply_to(READER, "/section 2", language_code="zh")
        assert SECOND_HEADING in second.text and FIRST_HEADING not in second.text
        body_two = "".join(line for line in sample_path.read_text(encoding="utf-8").splitlines()[13:])
        sentences = [line[2:] for line in second.text.splitlines() if line.startswith("• ")]
        assert sentences and all(s in body_two for s in sentences)  # only that section's sentences
        [same] = await fake.reply_to(READER, "/section 二", language_code="zh")
        assert same.text == second.text
        [missing] = await fake.reply_to(READER, "/section 9", language_code="zh")
        assert "9" in missing.text and FIRST_HEADING in missing.text and SECOND_HEADING in missing.text

        latest = await fake.reply_to(READER, "/latest", language_code="zh")
        buttons = latest[-1].buttons
        assert [b["callback_data"] for b in buttons] == ["sec:1:1", "sec:1:2"]
        before = len(fake.messages_to(READER))
        fake.press_button(READER, latest[-1], buttons[0]["callback_data"], language_code="zh")
        [first] = await fake.wait_for_messages(READER, 1, after=before)
        assert FIRST_HEADING in first.text and SECOND_HEADING not in first.text

        # 3. Timezone and schedule.
        [bad] = await fake.reply_to(READER, "/timezone Mars/Base", language_code="zh")
        assert "Mars/Base" in bad.text and "Asia/Shanghai" in bad.text
        [tz] = await fake.reply_to(READER, "/timezone Asia/Shanghai", language_code="zh")
        assert "Asia/Shanghai" in tz.text
        [schedule] = await fake.reply_to(READER, "/schedule 07:30", language_code="zh")
        assert "07:30" in schedule.text
        [shown] = await fake.reply_to(READER, "/settings", language_code="zh")
        assert "07:30" in shown.text and "Asia/Shanghai" in shown.text and "已开启" in shown.text

        # 4. A stranger may not publish.
        [refused] = await fake.reply_to(STRANGER, "/publish https://example.com")
        assert "only the bot's admins" in refused.text

    # 5. After a restart the subscription and settings are still there.
    async with running_bot(fake, database_url):
        [shown] = await fake.reply_to(READER, "/settings", language_code="zh")
        assert "07:30" in shown.text and "Asia/Shanghai" in shown.text and "已开启" in shown.text
        [again] = await fake.reply_to(READER, "/subscribe", language_code="zh")
        assert "已经订阅" in again.text

    # 6. Nothing the bot sent was refused, and the token appears in no log line.
    assert fake.state.html_errors == []
    assert fake.token not in caplog.text
    assert "<redacted>" in caplog.text  # the token was logged by a library, and redacted
    assert fake.state.commands.keys() == {"", "zh"}


async def test_running_bot_pushes_new_articles_to_instant_subscribers(
    fake: FakeTelegram, sqlite_url: str, sample_path: Path
) -> None:
    async with running_bot(
        fake, sqlite_url, scheduler_interval_seconds=0.5, delivery_chat_interval_seconds=0
    ):
        await fake.reply_to(READER, "/subscribe", language_code="zh")
        [instant] = await fake.reply_to(READER, "/schedule instant", language_code="zh")
        assert "发布" in instant.text
        await fake.reply_to(STRANGER, "/subscribe")  # daily at 08:00: nothing now
        before = len(fake.messages_to(READER))
        fake.send_document(ADMIN, sample_path.name, sample_path.read_bytes())
        [pushed] = await fake.wait_for_messages(READER, 1, after=before, timeout=10)
        assert FIRST_HEADING in pushed.text and SECOND_HEADING in pushed.text
        assert [b["callback_data"] for b in pushed.buttons] == ["sec:1:1", "sec:1:2"]
        await asyncio.sleep(1.5)  # a few ticks later: still once
        assert len(fake.messages_to(READER)) == before + 1
        assert len(fake.messages_to(STRANGER)) == 1  # only the reply to /subscribe
        # The reader presses a section button on the pushed digest and gets that section.
        before = len(fake.messages_to(READER))
        fake.press_button(READER, pushed, pushed.buttons[1]["callback_data"], language_code="zh")
        [section] = await fake.wait_for_messages(READER, 1, after=before)
        assert SECOND_HEADING in section.text and FIRST_HEADING not in section.text


@pytest.mark.parametrize("code", ["zh-hant", "zh-TW", "zh-hk"])
async def test_traditional_chinese_readers_get_traditional_chinese(
    fake: FakeTelegram, sqlite_url: str, code: str
) -> None:
    async with running_bot(fake, sqlite_url):
        [welcome] = await fake.reply_to(READER, "/start", language_code=code)
        assert "傳送摘要" in welcome.text and "发送" not in welcome.text
        [schedule] = await fake.reply_to(READER, "/schedule 07:30 mon-fri", language_code=code)
        assert "週一至週五 07:30" in schedule.text and "訂閱" in schedule.text  # not subscribed: said so
        assert [b["callback_data"] for b in schedule.buttons] == ["do:subscribe"]
        [wrong] = await fake.reply_to(READER, "/timezone Mars/Base", language_code=code)
        assert "Mars/Base" in wrong.text and "unknown" not in wrong.text and "/timezone +8" in wrong.text
        [english] = await fake.reply_to(READER, "/language en", language_code=code)
        assert english.text == "Language: English."
