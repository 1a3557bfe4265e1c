"""Subscribing a chat to scheduled digests and leaving them, for all sources or chosen ones."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.frontend.access import chat_admins_only
from bot.frontend.context import BotContext
from bot.frontend.handlers.source_admin import source_argument
from bot.texts import describe_schedule
from bot.usecases import subscriptions
from bot.usecases.callbacks import ActionButton

_ALL = ("all", "全部")


async def _subscribe_chat(update: Update, context: BotContext) -> None:
    reader = await context.reader(update)
    subscriber, texts = reader.subscriber, reader.texts
    changed = await subscriptions.set_subscribed(context.runtime, subscriber=subscriber, subscribed=True)
    key = "subscribed" if changed else "already_subscribed"
    await context.reply(
        update,
        [texts(key, schedule=describe_schedule(subscriber.schedule, texts), timezone=subscriber.timezone)],
    )


async def _choose_source(update: Update, context: BotContext, *, follow: bool) -> None:
    """/subscribe ID|all or /unsubscribe ID: follow one more source, all of them again, or drop one."""
    reader = await context.reader(update)
    texts, subscriber = reader.texts, reader.subscriber
    if context.args and context.args[0].lower() in _ALL:
        if follow:
            await subscriptions.follow_source(context.runtime, subscriber=subscriber, source=None)
        await context.reply(update, [texts("following_all" if follow else "follow_usage")])
        return
    source = await source_argument(update, context, "follow_usage")
    if source is None:
        return
    if follow:
        await subscriptions.follow_source(context.runtime, subscriber=subscriber, source=source)
    else:
        await subscriptions.unfollow_source(context.runtime, subscriber=subscriber, source=source)
    key = "following_source" if follow else "unfollowed_source"
    await context.reply(update, [texts(key, id=source.id, title=source.title or source.url)])


@chat_admins_only
async def subscribe(update: Update, context: BotContext) -> None:
    """Start scheduled digests for this chat: /subscribe, /subscribe ID (one source) or /subscribe all."""
    if context.args:
        await _choose_source(update, context, follow=True)
    else:
        await _subscribe_chat(update, context)


@chat_admins_only
async def subscribe_button(update: Update, context: BotContext) -> None:
    """The subscribe button under the welcome message."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _subscribe_chat(update, context)


@chat_admins_only
async def unsubscribe(update: Update, context: BotContext) -> None:
    """Stop scheduled digests for this chat: /unsubscribe, or /unsubscribe ID for one source."""
    if context.args:
        await _choose_source(update, context, follow=False)
        return
    reader = await context.reader(update)
    changed = await subscriptions.set_subscribed(
        context.runtime, subscriber=reader.subscriber, subscribed=False
    )
    await context.reply(update, [reader.texts("unsubscribed" if changed else "not_subscribed")])


HANDLERS = [
    CommandHandler("subscribe", subscribe),
    CommandHandler("unsubscribe", unsubscribe),
    CallbackQueryHandler(subscribe_button, pattern=rf"^{ActionButton('subscribe').pack()}$"),
]
