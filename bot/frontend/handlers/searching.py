"""Search: stored articles by the words of their title, headings and text."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.frontend.context import BotContext
from bot.texts import shorten
from bot.usecases import reading
from bot.usecases.callbacks import ArticleButton

MAX_QUERY_CHARS = 200
MAX_RESULTS = 10


async def search(update: Update, context: BotContext) -> None:
    """Find articles by words, newest first, with a button to open each: /search words."""
    texts = (await context.reader(update)).texts
    query = " ".join(context.args or []).strip()
    if not query or len(query) > MAX_QUERY_CHARS:
        await context.reply(update, [texts("search_usage", limit=MAX_QUERY_CHARS)])
        return
    results = await reading.search(context.runtime, query=query, limit=MAX_RESULTS)
    if not results:
        await context.reply(update, [texts("search_none", query=shorten(query, 60))])
        return
    lines = [texts("search_header", query=shorten(query, 60))]
    lines += [
        texts("article_line", id=row.id, title=row.title, date=row.published_at.date().isoformat())
        for row in results
    ]
    buttons = [
        [
            InlineKeyboardButton(
                f"#{row.id} {shorten(row.title, 40)}", callback_data=ArticleButton(row.id).pack()
            )
        ]
        for row in results
    ]
    await context.reply(update, ["\n".join(lines)], reply_markup=InlineKeyboardMarkup(buttons))


HANDLERS = [CommandHandler("search", search)]
