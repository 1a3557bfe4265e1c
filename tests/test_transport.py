"""The bot's own request class (public python-telegram-bot and httpx APIs only) against the fake
Bot API: messages straight to the connection pool, uploads through the client's multipart."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import TimedOut

from bot.fakeapi import FakeTelegram, InjectedError
from bot.frontend.transport import LeanHTTPXRequest


async def test_messages_and_uploads_go_through_the_lean_request(fake: FakeTelegram) -> None:
    request = LeanHTTPXRequest(base_url=fake.base_url, connection_pool_size=2)
    async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
        message = await bot.send_message(101, "<b>hello</b>", parse_mode="HTML")
        document = await bot.send_document(101, document=b"a file's bytes", filename="notes.txt")
    assert message.text == "hello" and document.document is not None
    [sent, uploaded] = fake.messages_to(101)
    assert sent.raw == "<b>hello</b>" and uploaded.document == ("notes.txt", b"a file's bytes")


async def test_a_slow_answer_is_a_timeout_in_ptbs_terms(fake: FakeTelegram) -> None:
    fake.inject_error(InjectedError("sendMessage", 0, "", delay=1.0))
    request = LeanHTTPXRequest(base_url=fake.base_url, read_timeout=0.2)
    async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(102, "late")
