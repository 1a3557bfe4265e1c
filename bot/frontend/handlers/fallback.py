"""Unknown commands, stray messages, and errors that reach no handler."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import MessageHandler, filters

from bot.frontend.context import BotContext, topic_of
from bot.texts import language_for, texts_for
from bot.usecases import subscriptions

logger = logging.getLogger(__name__)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Point to /help for a command the bot does not know."""
    texts = (await context.reader(update)).texts
    await context.reply(update, [texts("unknown_command")])


async def plain_text(update: Update, context: BotContext) -> None:
    """A message that is no command: a short hint in a private chat, silence in groups."""
    if update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
        texts = (await context.reader(update)).texts
        await context.reply(update, [texts("plain_text_hint")])


async def error_handler(update: object, context: BotContext) -> None:
    """Log the error with its traceback and tell the user something went wrong."""
    logger.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:  # in the language the chat chose, else the user's Telegram language
            chosen = await subscriptions.chat_language(context.runtime, chat_id=update.effective_chat.id)
        except Exception:
            chosen = None
        user_language = update.effective_user.language_code if update.effective_user else None
        language = chosen or language_for(user_language)
        try:
            await context.bot.send_message(
                update.effective_chat.id, texts_for(language)("error"), message_thread_id=topic_of(update)
            )
        except Exception:
            logger.warning("could not tell chat %s about the error", update.effective_chat.id)


# Last: what no feature took (an unknown command, plain text).
HANDLERS = [
    MessageHandler(filters.COMMAND, unknown_command),
    MessageHandler(filters.TEXT & ~filters.COMMAND, plain_text),
]
