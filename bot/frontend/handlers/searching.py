"""Search: stored articles by the words of their title, headings and text, a page at a time."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.frontend.context import BotContext
from bot.texts import Texts, shorten
from bot.usecases import reading
from bot.usecases.callbacks import ArticleButton, ForgedCallback, SearchPage

MAX_QUERY_CHARS = 200
MAX_RESULTS = 10
MAX_OFFSET = 1_000  # pages further back than this: a narrower query finds them sooner


async def search(update: Update, context: BotContext) -> None:
    """Find articles by words, newest first, with a button to open each: /search words."""
    reader = await context.reader(update)
    texts = reader.texts
    query = " ".join(context.args or []).strip()
    if not query or len(query) > MAX_QUERY_CHARS:
        await context.reply(update, [texts("search_usage", limit=MAX_QUERY_CHARS)])
        return
    chat_id = reader.subscriber.chat_id
    results = await reading.search(context.runtime, query=query, chat_id=chat_id, limit=MAX_RESULTS)
    if not results.articles:
        await context.reply(update, [texts("search_none", query=shorten(query, 60))])
        return
    text, markup = _page(texts, query, results)
    await context.reply(update, [text], reply_markup=markup)


async def search_page(update: Update, context: BotContext) -> None:
    """The older or newer results of a search, in place of the page shown."""
    query = update.callback_query
    if query is None:
        return
    reader = await context.reader(update)
    texts = reader.texts
    try:
        page = SearchPage.unpack(query.data)
    except ForgedCallback:
        await query.answer(texts("search_expired"), show_alert=True)
        return
    results = await reading.search(
        context.runtime,
        query=page.query,
        chat_id=reader.subscriber.chat_id,
        limit=MAX_RESULTS,
        offset=min(page.offset, MAX_OFFSET),
    )
    if not results.articles:
        await query.answer(texts("search_no_more"))
        return
    await query.answer()
    text, markup = _page(texts, page.query, results)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:  # pressed twice: the page is already shown
        if "not modified" not in str(error).lower():
            raise


def _page(texts: Texts, query: str, results: reading.SearchResults) -> tuple[str, InlineKeyboardMarkup]:
    """One page: a line and a button per article, then the buttons to the newer and older pages."""
    header = texts("search_header", query=shorten(query, 60))
    if results.offset:
        header += " " + texts(
            "search_page_from", first=results.offset + 1, last=results.offset + len(results.articles)
        )
    lines = [header]
    lines += [
        # Titles shortened: the page is edited in place, and an edit cannot be split in two.
        texts(
            "article_line", id=row.id, title=shorten(row.title, 200), date=row.published_at.date().isoformat()
        )
        for row in results.articles
    ]
    rows = [
        [
            InlineKeyboardButton(
                f"#{row.id} {shorten(row.title, 40)}", callback_data=ArticleButton(row.id).pack()
            )
        ]
        for row in results.articles
    ]
    pages: list[InlineKeyboardButton] = []
    newer = SearchPage(max(0, results.offset - MAX_RESULTS), query)
    older = SearchPage(results.offset + MAX_RESULTS, query)
    if results.offset and newer.fits():
        pages.append(InlineKeyboardButton(texts("search_newer"), callback_data=newer.pack()))
    if results.more and older.fits() and older.offset <= MAX_OFFSET:
        pages.append(InlineKeyboardButton(texts("search_older"), callback_data=older.pack()))
    if pages:
        rows.append(pages)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


HANDLERS = [
    CommandHandler("search", search),
    CallbackQueryHandler(search_page, pattern=SearchPage.pattern()),
]
