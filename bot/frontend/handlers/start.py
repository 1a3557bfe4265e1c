"""Welcome, help and the interface language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.frontend.access import chat_admins_only, is_bot_admin
from bot.frontend.context import BotContext
from bot.frontend.handlers import reading
from bot.texts import audiences_of, command_help, language_choice
from bot.usecases import subscriptions
from bot.usecases.callbacks import ActionButton


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and offer to subscribe or read the latest digest: /start; with a deep link
    from a shared card (``/start art_12``), the article's digest."""
    payload = context.args[0] if context.args else ""
    if payload.startswith("art_") and payload[4:].isdigit():
        await reading.send_overview(update, context, payload[4:])
        return
    texts = (await context.reader(update)).texts
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("button_subscribe"), callback_data=ActionButton("subscribe").pack()
                ),
                InlineKeyboardButton(texts("button_latest"), callback_data=ActionButton("latest").pack()),
            ]
        ]
    )
    await context.reply(update, [texts("welcome")], reply_markup=keyboard)


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands this chat may send: /help."""
    texts = (await context.reader(update)).texts
    chat = update.effective_chat
    audiences = audiences_of(
        reader_sources=context.runtime.settings.reader_sources,
        group_admin=chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
        bot_admin=is_bot_admin(update, context),
    )
    await context.reply(update, [command_help(texts, audiences)])


async def whoami(update: Update, context: BotContext) -> None:
    """Your Telegram user id and this chat's id, and how to become the bot's admin: /whoami."""
    texts = (await context.reader(update)).texts
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    key = "whoami_admin" if is_bot_admin(update, context) else "whoami"
    await context.reply(update, [texts(key, user_id=user.id, chat_id=chat.id)])


@chat_admins_only
async def language(update: Update, context: BotContext) -> None:
    """Choose the interface language: /language en|zh."""
    reader = await context.reader(update)
    choice = language_choice(" ".join(context.args or []))
    if choice is None:
        await context.reply(update, [reader.texts("language_usage")])
        return
    subscriber = await subscriptions.change_settings(
        context.runtime, subscriber=reader.subscriber, language=choice
    )
    await context.reply(update, [context.forget_reader(subscriber).texts("language_set")])


# Registered by build_application, in this order.
HANDLERS = [
    CommandHandler("start", start),
    CommandHandler("help", help_command),
    CommandHandler("whoami", whoami),
    CommandHandler("language", language),
]
