"""Inline sharing: ``@bot words`` answers article cards with links and a deep link to the digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.fakeapi import FakeTelegram
from bot.frontend.handlers import sharing
from digests import parse_article
from storage import session_scope
from storage import subscribers as subscriber_queries
from tests.helpers import running_bot, store_article

HARBOUR = (
    "# Harbour council approves the new ferry pier\n\n"
    "The harbour council approved a new ferry pier on Monday. Construction starts in spring and "
    "takes two years.\n\nThe pier doubles the number of ferries that can dock at once."
)
PARK = "# 城市公园开放\n\n城市新公园今天向市民开放。公园占地一百公顷，设有湖泊和步道。"


async def test_an_inline_query_answers_cards_that_link_and_open_the_digest(
    fake: FakeTelegram, sqlite_url: str
) -> None:
    async with running_bot(fake, sqlite_url) as application:
        runtime = application.bot_data.runtime
        async with session_scope(runtime.sessions) as session:
            now = datetime.now(UTC)
            harbour, _ = await store_article(
                session,
                article=parse_article(HARBOUR),
                url="https://news.example.com/ferry",
                published_at=now,
            )
            await store_article(session, article=parse_article(PARK), published_at=now - timedelta(hours=1))
        # A user who never started the bot searches from another chat.
        cards = await fake.inline_answer(fake.inline_query(7001, "ferry pier"))
        chinese = await fake.inline_answer(fake.inline_query(7002, "公园", language_code="zh"))
        newest = await fake.inline_answer(fake.inline_query(7003, ""))
        async with session_scope(runtime.sessions) as session:
            stranger = await subscriber_queries.get_subscriber(session, chat_id=7001)
        # The card's button opens the digest in the bot: /start art_<id>.
        [card] = cards
        [[button]] = card["reply_markup"]["inline_keyboard"]
        assert button["url"] == f"https://t.me/digest_test_bot?start=art_{harbour.id}"
        [overview] = await fake.reply_to(7001, f"/start art_{harbour.id}")
    assert card["title"] == "Harbour council approves the new ferry pier"
    assert "news.example.com" in card["description"] and card["url"] == "https://news.example.com/ferry"
    text = card["input_message_content"]["message_text"]
    assert '<a href="https://news.example.com/ferry">news.example.com</a>' in text and "ferry" in text
    assert (
        chinese[0]["title"] == "城市公园开放"
        and "机器人" in chinese[0]["reply_markup"]["inline_keyboard"][0][0]["text"]
    )
    assert [c["title"] for c in newest][:2] == ["Harbour council approves the new ferry pier", "城市公园开放"]
    assert stranger is None  # searching made no row for a user who never started the bot
    assert "Harbour council approves the new ferry pier" in overview.text


def test_a_user_typing_fast_is_throttled_and_others_are_not() -> None:
    sharing._asked.clear()
    answered = [sharing._throttled(1) for _ in range(sharing.BURST + 3)]
    assert answered.count(False) == sharing.BURST and answered[-1] is True
    assert sharing._throttled(2) is False
