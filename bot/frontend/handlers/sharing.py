"""Inline sharing: ``@bot words`` in any chat answers with cards of the stored articles that hold
them (the search of /search), each with the original's link and a button to its digest."""

from __future__ import annotations

import html
import time
from collections import deque

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.frontend.context import BotContext
from bot.texts import language_for, shorten, texts_for
from bot.usecases import reading

MAX_CARDS = 20
MAX_QUERY_CHARS = 200
# Each user may ask this many inline queries in this many seconds (Telegram sends one a keystroke).
BURST, WINDOW = 8, 4.0
_asked: dict[int, deque[float]] = {}


def _throttled(user_id: int) -> bool:
    """Whether this user asked more than BURST queries within WINDOW seconds."""
    now = time.monotonic()
    if len(_asked) > 10_000:  # forget users who went quiet
        for quiet in [user for user, times in _asked.items() if not times or times[-1] < now - WINDOW]:
            del _asked[quiet]
    times = _asked.setdefault(user_id, deque())
    while times and times[0] < now - WINDOW:
        times.popleft()
    if len(times) >= BURST:
        return True
    times.append(now)
    return False


async def inline_search(update: Update, context: BotContext) -> None:
    """Answer ``@bot words`` with up to 20 article cards; works for users who never started the bot."""
    query = update.inline_query
    if query is None:
        return
    if _throttled(query.from_user.id) or len(query.query) > MAX_QUERY_CHARS:
        await query.answer([], cache_time=5, is_personal=True)
        return
    texts = texts_for(language_for(query.from_user.language_code))
    cards = await reading.article_cards(context.runtime, query=query.query, limit=MAX_CARDS)
    results = []
    for card in cards:
        # Within a message's 4,096 characters whatever the article holds.
        lines = [f"<b>{html.escape(shorten(card.title, 300))}</b>", html.escape(shorten(card.sentence, 1500))]
        if card.url:
            lines.append(
                f'<a href="{html.escape(card.url, quote=True)}">{html.escape(card.site or card.url)}</a>'
            )
        deep_link = f"https://t.me/{context.bot.username}?start=art_{card.id}"
        results.append(
            InlineQueryResultArticle(
                id=str(card.id),
                title=shorten(card.title, 100),
                description=shorten(" · ".join(filter(None, [card.site, card.sentence])), 200),
                url=card.url,
                input_message_content=InputTextMessageContent("\n".join(lines), parse_mode=ParseMode.HTML),
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton(texts("inline_open_digest"), url=deep_link)]]
                ),
            )
        )
    await query.answer(results, cache_time=60, is_personal=False)


HANDLERS = [InlineQueryHandler(inline_search)]
