"""Keyword filters: a chat's (/filter) and, for admins, a source's (/sourcefilter)."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Update
from telegram.ext import CommandHandler

from bot.frontend.access import bot_admins_only, chat_admins_only
from bot.frontend.context import BotContext
from bot.frontend.handlers.source_admin import source_argument
from bot.texts import Texts
from bot.usecases import filtering
from digests import DigestError
from digests.filters import KeywordFilter, change_request


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
    chat_id = reader.subscriber.chat_id
    words = " ".join(context.args or []).strip()
    if not words:
        current = await filtering.chat_filter(context.runtime, chat_id=chat_id)
        key = "filter_none" if current.empty else "filter_show"
        await context.reply(update, [reader.texts(key, **describe_filter(current, reader.texts))])
        return
    change = filtering.change_chat_filter(context.runtime, chat_id=chat_id, words=change_request(words))
    await reply_filter_changed(update, context, change, keys=("filter_set", "filter_cleared"))


@bot_admins_only
async def source_filter(update: Update, context: BotContext) -> None:
    """Set or clear a source's keyword filter: /sourcefilter ID +word -word | clear (admins only)."""
    source = await source_argument(update, context, "usage_sourcefilter")
    if source is None:
        return
    words = " ".join((context.args or [])[1:]).strip()
    if not words:
        texts = (await context.reader(update)).texts
        current = KeywordFilter.from_json(source.keyword_filter)
        key = "sourcefilter_cleared" if current.empty else "sourcefilter_set"
        await context.reply(update, [texts(key, id=source.id, **describe_filter(current, texts))])
        return
    change = filtering.change_source_filter(context.runtime, source=source, words=change_request(words))
    await reply_filter_changed(
        update, context, change, keys=("sourcefilter_set", "sourcefilter_cleared"), id=source.id
    )


async def reply_filter_changed(
    update: Update,
    context: BotContext,
    change: Awaitable[KeywordFilter],
    *,
    keys: tuple[str, str],
    **values: object,
) -> None:
    """Make the change and say what the filter is now, or why it was not changed."""
    texts = (await context.reader(update)).texts
    try:
        changed = await change
    except DigestError as error:
        await context.reply(update, [texts("filter_failed", reason=texts.failure(error))])
        return
    key = keys[1] if changed.empty else keys[0]
    await context.reply(update, [texts(key, **values, **describe_filter(changed, texts))])


HANDLERS = [
    CommandHandler("filter", keyword_filter),
    CommandHandler("sourcefilter", source_filter),
]
