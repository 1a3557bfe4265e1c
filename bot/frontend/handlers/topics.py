"""Forum topics: /topic inside a topic makes it the chat's digest topic (/topic off: General);
/sourcetopic ID inside a topic sends one source's articles there."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.frontend.access import chat_admins_only
from bot.frontend.context import BotContext, topic_of
from bot.frontend.handlers.source_admin import source_argument
from bot.usecases import subscriptions

_OFF = ("off", "general", "关闭", "關閉")


async def _in_forum(update: Update, context: BotContext) -> bool:
    """Whether the update comes from a group with topics; says how topics work when not."""
    chat = update.effective_chat
    if chat is not None and chat.is_forum:
        return True
    await context.reply(update, [(await context.reader(update)).texts("topic_not_forum")])
    return False


@chat_admins_only
async def topic(update: Update, context: BotContext) -> None:
    """Send this chat's digests to the topic this is typed in: /topic; /topic off for General."""
    if not await _in_forum(update, context):
        return
    reader = await context.reader(update)
    args = context.args or []
    off = bool(args) and args[0].lower() in _OFF
    thread_id = None if off else topic_of(update)
    await subscriptions.set_topic(context.runtime, subscriber=reader.subscriber, topic_id=thread_id)
    await context.reply(update, [reader.texts("topic_off" if thread_id is None else "topic_set")])


@chat_admins_only
async def source_topic(update: Update, context: BotContext) -> None:
    """Send one source's articles to the topic this is typed in: /sourcetopic ID (… off undoes it)."""
    if not await _in_forum(update, context):
        return
    source = await source_argument(update, context, "usage_sourcetopic")
    if source is None:
        return
    reader = await context.reader(update)
    args = context.args or []
    off = len(args) > 1 and args[1].lower() in _OFF
    thread_id = None if off else topic_of(update)
    await subscriptions.set_source_topic(
        context.runtime, subscriber=reader.subscriber, source=source, topic_id=thread_id
    )
    key = "source_topic_off" if thread_id is None else "source_topic_set"
    await context.reply(update, [reader.texts(key, id=source.id, title=source.title or source.url)])


HANDLERS = [
    CommandHandler("topic", topic),
    CommandHandler("sourcetopic", source_topic),
]
