"""Readers' own sources (READER_SOURCES): /follow URL, /follow (the list) and /unfollow ID."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.frontend.access import chat_admins_only
from bot.frontend.context import BotContext
from bot.texts import describe_schedule, shorten
from bot.usecases import following
from bot.usecases.following import ReaderFollow
from bot.usecases.ids import parse_id
from digests import DigestError

logger = logging.getLogger(__name__)


@chat_admins_only
async def follow(update: Update, context: BotContext) -> None:
    """Follow a feed or site of this chat's own: /follow URL; /follow alone lists them."""
    reader = await context.reader(update)
    texts, subscriber = reader.texts, reader.subscriber
    if not context.runtime.settings.reader_sources:
        await context.reply(update, [texts("reader_sources_off")])
        return
    if not context.args:
        own = await following.reader_sources(context.runtime, subscriber=subscriber)
        if not own:
            await context.reply(update, [texts("reader_sources_none")])
            return
        lines = [texts("reader_sources_header")]
        lines += [texts("reader_source_line", id=s.id, title=s.title or s.url) for s in own]
        await context.reply(update, ["\n".join(lines)])
        return
    if len(context.args) != 1:
        await context.reply(update, [texts("usage_follow")])
        return
    url = context.args[0]

    async def add() -> str:
        try:
            followed = await following.follow_as_reader(context.runtime, subscriber=subscriber, url=url)
        except DigestError as error:
            logger.info("chat %s: following %s failed: %s", subscriber.chat_id, url[:200], error)
            return texts("source_failed", reason=texts.failure(error))
        if followed.outcome == ReaderFollow.LIMIT:
            return texts("reader_sources_limit", limit=followed.limit)
        source = followed.source
        assert source is not None  # every other outcome names the source
        title = source.title or source.url
        if followed.outcome == ReaderFollow.ALREADY:
            return texts("reader_already_following", id=source.id, title=title)
        schedule = describe_schedule(subscriber.schedule, texts)
        return texts("reader_following", id=source.id, title=title, schedule=schedule)

    # Discovery and the first poll can take a while on a slow or polite site.
    await context.answer_later(update, texts("checking"), add)


@chat_admins_only
async def unfollow(update: Update, context: BotContext) -> None:
    """Stop following one of this chat's own sources: /unfollow ID."""
    reader = await context.reader(update)
    texts = reader.texts
    if not context.runtime.settings.reader_sources:
        await context.reply(update, [texts("reader_sources_off")])
        return
    args = context.args or []
    source_id = parse_id(args[0]) if len(args) == 1 else None
    if source_id is None:
        await context.reply(update, [texts("usage_unfollow")])
        return
    left = await following.unfollow_as_reader(
        context.runtime, subscriber=reader.subscriber, source_id=source_id
    )
    key = "reader_unfollowed" if left else "reader_not_following"
    await context.reply(update, [texts(key, id=shorten(str(source_id)))])


HANDLERS = [
    CommandHandler("follow", follow),
    CommandHandler("unfollow", unfollow),
]
