"""Reading digests on demand: latest, article list, sections, one section, the full digest."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

import digests
from bot.handlers.common import chat_state, send_html, services
from bot.keyboards import section_keyboard
from bot.texts import Texts
from storage import Subscriber, deliveries, session_scope
from storage import articles as article_queries


def section_list(article: digests.Article, texts: Texts) -> str:
    return "\n".join(texts("section_line", number=s.index, heading=s.heading) for s in article.sections)


async def _article_or_reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, texts: Texts, reference: str | None
) -> tuple[int, digests.Article] | None:
    found = await services(context).find_article(reference)
    if found is None:
        key = "no_articles" if reference is None else "article_not_found"
        await send_html(update, context, [texts(key, reference=reference or "")])
        return None
    row, article = found
    return row.id, article


async def _record(
    context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber, article_id: int, message_ids: list[int]
) -> None:
    async with session_scope(services(context).sessions) as session:
        await deliveries.record_sent(
            session, subscriber_id=subscriber.id, article_id=article_id, message_ids=message_ids
        )


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the overview digest of the newest article with section buttons: /latest."""
    subscriber, texts = await chat_state(update, context)
    found = await _article_or_reply(update, context, texts, None)
    if found is None:
        return
    article_id, article = found
    messages = await services(context).overview(article_id, article, length=subscriber.digest_length)
    sent = await send_html(update, context, messages, reply_markup=section_keyboard(article_id, article))
    await _record(context, subscriber, article_id, [m.message_id for m in sent])


async def articles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the 10 newest articles with their ids: /articles."""
    _subscriber, texts = await chat_state(update, context)
    async with session_scope(services(context).sessions) as session:
        rows = await article_queries.recent_articles(session, limit=10)
    if not rows:
        await send_html(update, context, [texts("no_articles")])
        return
    lines = [texts("articles_header")]
    lines += [
        texts("article_line", id=row.id, title=row.title, date=row.published_at.date().isoformat())
        for row in rows
    ]
    lines.append(texts("articles_hint"))
    await send_html(update, context, ["\n".join(lines)])


async def sections(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the numbered headings of the newest or a given article: /sections [id]."""
    _subscriber, texts = await chat_state(update, context)
    found = await _article_or_reply(update, context, texts, context.args[0] if context.args else None)
    if found is None:
        return
    article_id, article = found
    if not article.sections:
        await send_html(update, context, [texts("no_sections", title=article.title, id=article_id)])
        return
    text = texts("sections_header", title=article.title) + "\n" + section_list(article, texts)
    await send_html(update, context, [text], reply_markup=section_keyboard(article_id, article))


async def section(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send one section's digest: /section N [id]."""
    subscriber, texts = await chat_state(update, context)
    args = context.args or []
    if not args:
        await send_html(update, context, [texts("usage_section")])
        return
    # The last word is an article id when it looks like one and more than one word was given.
    reference = args[-1] if len(args) > 1 and args[-1].lstrip("#").isdigit() else None
    wanted = " ".join(args[:-1] if reference else args)
    found = await _article_or_reply(update, context, texts, reference)
    if found is None:
        return
    article_id, article = found
    await send_section(update, context, subscriber, texts, article_id, article, wanted)


async def send_section(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    subscriber: Subscriber,
    texts: Texts,
    article_id: int,
    article: digests.Article,
    wanted: str,
) -> None:
    """Reply with a section's digest, or with the valid sections when it does not exist."""
    try:
        chosen = digests.find_section(article, wanted)
    except digests.SectionNotFound as missing:
        text = texts("section_not_found", requested=missing.requested, count=missing.available)
        if article.sections:
            text += "\n" + section_list(article, texts)
        await send_html(update, context, [text], reply_markup=section_keyboard(article_id, article))
        return
    messages = await services(context).section(article_id, article, chosen, length=subscriber.digest_length)
    await send_html(update, context, messages)


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the full digest, every section, over several messages if needed: /digest [id]."""
    subscriber, texts = await chat_state(update, context)
    found = await _article_or_reply(update, context, texts, context.args[0] if context.args else None)
    if found is None:
        return
    article_id, article = found
    messages = await services(context).full_digest(article_id, article, length=subscriber.digest_length)
    sent = await send_html(update, context, messages)
    await _record(context, subscriber, article_id, [m.message_id for m in sent])


async def section_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A section button was pressed: send that section's digest."""
    query = update.callback_query
    await query.answer()
    subscriber, texts = await chat_state(update, context)
    _prefix, article_ref, index = (query.data or "::").split(":", 2)
    found = await _article_or_reply(update, context, texts, article_ref)
    if found is None:
        return
    article_id, article = found
    await send_section(update, context, subscriber, texts, article_id, article, index)
