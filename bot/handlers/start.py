"""Welcome, help and the interface language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.handlers.common import chat_state, is_admin, send_html, services
from bot.texts import LANGUAGES, texts_for
from storage import session_scope
from storage import subscribers as subscriber_queries


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and offer to subscribe or read the latest digest: /start."""
    _subscriber, texts = await chat_state(update, context)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts("button_subscribe"), callback_data="do:subscribe"),
                InlineKeyboardButton(texts("button_latest"), callback_data="do:latest"),
            ]
        ]
    )
    await send_html(update, context, [texts("welcome")], reply_markup=keyboard)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands: /help."""
    _subscriber, texts = await chat_state(update, context)
    text = texts("help") + (texts("help_admin") if is_admin(update, context) else "")
    await send_html(update, context, [text])


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Choose the interface language: /language en|zh."""
    subscriber, texts = await chat_state(update, context)
    choice = (context.args[0].lower() if context.args else "").replace("cn", "zh")
    if choice not in LANGUAGES:
        await send_html(update, context, [texts("language_usage")])
        return
    async with session_scope(services(context).sessions) as session:
        await subscriber_queries.update_settings(
            session, subscriber=subscriber, language=choice, next_digest_at=subscriber.next_digest_at
        )
    await send_html(update, context, [texts_for(choice)("language_set")])


async def start_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under the welcome message: subscribe, or the latest digest."""
    from bot.handlers import reading, subscription

    await update.callback_query.answer()
    action = (update.callback_query.data or "").partition(":")[2]
    if action == "subscribe":
        await subscription.subscribe(update, context)
    elif action == "latest":
        await reading.latest(update, context)
