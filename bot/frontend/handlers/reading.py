"""Reading digests on demand: latest, article list, sections, one section, the full digest."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

import digests
from bot.frontend.context import BotContext, Reader
from bot.frontend.keyboards import markup
from bot.texts import Texts, shorten
from bot.usecases import reading
from bot.usecases.callbacks import ActionButton, ArticleButton, ForgedCallback, SectionButton
from bot.usecases.compose import ComposedMessage, open_article_row, section_keyboard
from storage import DigestFormat

_ARTICLE_ID = re.compile(r"#?[0-9]+\Z")


def section_list(article: digests.Article, texts: Texts) -> str:
    return "\n".join(texts("section_line", number=s.index, heading=s.heading) for s in article.sections)


async def _article_or_reply(
    update: Update, context: BotContext, reference: str | None
) -> tuple[int, digests.Article] | None:
    reader = await context.reader(update)
    found = await reading.find_article(context.runtime, reference, chat_id=reader.subscriber.chat_id)
    if found is None:
        texts = reader.texts
        key = "no_articles" if reference is None else "article_not_found"
        await context.reply(update, [texts(key, reference=shorten(reference or ""))])
    return found


async def latest(update: Update, context: BotContext) -> None:
    """Send the overview digest of the newest article with section buttons: /latest."""
    await send_overview(update, context, None)


async def overview_button(update: Update, context: BotContext) -> None:
    """A button naming an article (a search result, a briefing): send its overview."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    try:
        reference = str(ArticleButton.unpack(query.data).article_id)
    except ForgedCallback:
        reference = "?"  # stale or forged: answered as an article that does not exist
    await send_overview(update, context, reference)


async def send_overview(update: Update, context: BotContext, reference: str | None) -> None:
    """The overview of the article ``reference`` names (the newest for ``None``), recorded as read."""
    reader = await context.reader(update)
    found = await _article_or_reply(update, context, reference)
    if found is None:
        return
    article_id, article = found
    subscriber = reader.subscriber

    async def compose(form: DigestFormat) -> list[ComposedMessage]:
        return await context.bot_data.composer.overview(
            article_id, article, length=subscriber.digest_length, language=subscriber.language, form=form
        )

    await _send_and_record(context, update, reader, article_id, compose)


async def _send_and_record(
    context: BotContext,
    update: Update,
    reader: Reader,
    article_id: int,
    compose: Callable[[DigestFormat], Awaitable[list[ComposedMessage]]],
) -> None:
    """Send an article's digest and record it as sent, so that it is not pushed to this chat again."""
    sent = await context.send_composed(update, compose)
    await reading.record_read(
        context.runtime, subscriber_id=reader.subscriber.id or 0, article_id=article_id, message_ids=sent
    )


async def latest_button(update: Update, context: BotContext) -> None:
    """The "latest digest" button under the welcome message."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await latest(update, context)


async def articles(update: Update, context: BotContext) -> None:
    """List the 10 newest articles with their ids: /articles."""
    reader = await context.reader(update)
    texts = reader.texts
    rows = await reading.recent_articles(context.runtime, chat_id=reader.subscriber.chat_id, limit=10)
    if not rows:
        await context.reply(update, [texts("no_articles")])
        return
    lines = [texts("articles_header")]
    lines += [
        texts("article_line", id=row.id, title=row.title, date=row.published_at.date().isoformat())
        for row in rows
    ]
    lines.append(texts("articles_hint"))
    await context.reply(update, ["\n".join(lines)])


async def sections(update: Update, context: BotContext) -> None:
    """List the numbered headings of the newest or a given article: /sections [id]."""
    texts = (await context.reader(update)).texts
    found = await _article_or_reply(update, context, context.args[0] if context.args else None)
    if found is None:
        return
    article_id, article = found
    if not article.sections:
        await context.reply(update, [texts("no_sections", title=article.title, id=article_id)])
        return
    text = texts("sections_header", title=article.title) + "\n" + section_list(article, texts)
    await context.reply(update, [text], reply_markup=markup(section_keyboard(article_id, article, texts)))


async def section(update: Update, context: BotContext) -> None:
    """Send one section's digest: /section N [id]."""
    reader = await context.reader(update)
    args = context.args or []
    if not args:
        await context.reply(update, [reader.texts("usage_section")])
        return
    # The last word is an article id when it looks like one and more than one word was given.
    reference = args[-1] if len(args) > 1 and _ARTICLE_ID.match(args[-1]) else None
    wanted = " ".join(args[:-1] if reference else args)
    found = await _article_or_reply(update, context, reference)
    if found is None:
        return
    await _send_section(update, context, reader, *found, wanted)


async def _send_section(
    update: Update,
    context: BotContext,
    reader: Reader,
    article_id: int,
    article: digests.Article,
    wanted: str,
) -> None:
    """Reply with a section's digest, or with the valid sections when it does not exist."""
    texts = reader.texts
    try:
        chosen = digests.find_section(article, wanted)
    except digests.SectionNotFound as missing:
        requested = shorten(missing.requested)
        key = "section_not_found" if requested.isdecimal() else "section_not_found_words"
        text = texts(key, requested=requested, count=missing.available)
        if article.sections:
            text += "\n" + section_list(article, texts)
        await context.reply(update, [text], reply_markup=markup(section_keyboard(article_id, article, texts)))
        return
    messages = await context.runtime.renderer.section(
        article_id, article, chosen, length=reader.subscriber.digest_length
    )
    await context.reply(update, messages, reply_markup=markup(open_article_row(article.url, texts)))


async def digest(update: Update, context: BotContext) -> None:
    """Send the full digest, every section, over several messages if needed: /digest [id]."""
    reader = await context.reader(update)
    found = await _article_or_reply(update, context, context.args[0] if context.args else None)
    if found is None:
        return
    article_id, article = found
    subscriber = reader.subscriber

    async def compose(form: DigestFormat) -> list[ComposedMessage]:
        return await context.bot_data.composer.full(
            article_id, article, length=subscriber.digest_length, language=subscriber.language, form=form
        )

    await _send_and_record(context, update, reader, article_id, compose)


async def section_button(update: Update, context: BotContext) -> None:
    """A section button was pressed: send that section's digest."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    reader = await context.reader(update)
    try:
        button = SectionButton.unpack(query.data)
        article_ref, index = str(button.article_id), str(button.section)
    except ForgedCallback:
        article_ref, index = "?", ""  # stale or forged: answered as an article that does not exist
    found = await _article_or_reply(update, context, article_ref)
    if found is None:
        return
    await _send_section(update, context, reader, *found, index)


HANDLERS = [
    CommandHandler("latest", latest),
    CommandHandler("articles", articles),
    CommandHandler("sections", sections),
    CommandHandler("section", section),
    CommandHandler("digest", digest),
    CallbackQueryHandler(section_button, pattern=SectionButton.pattern()),
    CallbackQueryHandler(latest_button, pattern=rf"^{ActionButton('latest').pack()}$"),
    CallbackQueryHandler(overview_button, pattern=ArticleButton.pattern()),
]
