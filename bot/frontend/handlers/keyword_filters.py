"""Keyword filters: a chat's (/filter) and, for admins, a source's (/sourcefilter)."""

from __future__ import annotations

from telegram import Update

from bot.frontend.access import bot_admins_only, chat_admins_only
from bot.frontend.context import BotContext
from bot.frontend.handlers.source_admin import source_argument
from bot.frontend.texts import Texts
from bot.usecases import filtering
from digests import DigestError
from digests.filters import KeywordFilter

CLEAR_WORDS = frozenset({"clear", "off", "none", "清除", "清空"})  # what empties a filter


def describe_words(words: tuple[str, ...], texts: Texts, *, empty: str) -> str:
    """The words of one list, phrases in quotes; the ``empty`` text when there are none."""
    if not words:
        return texts(empty)
    separator = ", " if texts.language == "en" else "、"
    return separator.join(f'"{w}"' if " " in w else w for w in words)


def describe_filter(keyword_filter: KeywordFilter, texts: Texts) -> dict[str, str]:
    return {
        "include": describe_words(keyword_filter.include, texts, empty="filter_any"),
        "exclude": describe_words(keyword_filter.exclude, texts, empty="filter_no_words"),
    }


@chat_admins_only
async def keyword_filter(update: Update, context: BotContext) -> None:
    """Show or change the chat's keyword filter: /filter [+word -word "a phrase" | clear]."""
    reader = await context.reader(update)
    texts, chat_id = reader.texts, reader.subscriber.chat_id
    words = " ".join(context.args or []).strip()
    if not words:
        current = await filtering.chat_filter(context.runtime, chat_id=chat_id)
        key = "filter_none" if current.empty else "filter_show"
        await context.reply(update, [texts(key, **describe_filter(current, texts))])
        return
    clear = words.lower() in ("clear", "off", "none", "清除", "清空")
    try:
        changed = await filtering.change_chat_filter(
            context.runtime, chat_id=chat_id, words=None if clear else words
        )
    except DigestError as error:
        await context.reply(update, [texts("filter_failed", reason=texts.failure(error))])
        return
    key = "filter_cleared" if changed.empty else "filter_set"
    await context.reply(update, [texts(key, **describe_filter(changed, texts))])


@bot_admins_only
async def source_filter(update: Update, context: BotContext) -> None:
    """Set or clear a source's keyword filter: /sourcefilter ID +word -word | clear (admins only)."""
    source = await source_argument(update, context, "usage_sourcefilter")
    if source is None:
        return
    texts = (await context.reader(update)).texts
    words = " ".join((context.args or [])[1:]).strip()
    if not words:
        current = KeywordFilter.from_json(source.keyword_filter)
        key = "sourcefilter_cleared" if current.empty else "sourcefilter_set"
        await context.reply(update, [texts(key, id=source.id, **describe_filter(current, texts))])
        return
    clear = words.lower() in ("clear", "off", "none", "清除", "清空")
    try:
        changed = await filtering.change_source_filter(
            context.runtime, source=source, words=None if clear else words
        )
    except DigestError as error:
        await context.reply(update, [texts("filter_failed", reason=texts.failure(error))])
        return
    key = "sourcefilter_cleared" if changed.empty else "sourcefilter_set"
    await context.reply(update, [texts(key, id=source.id, **describe_filter(changed, texts))])
