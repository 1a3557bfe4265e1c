"""Asking Telegram about a chat the bot has not talked to yet (a channel an admin adds)."""

from __future__ import annotations

from telegram import Bot
from telegram.error import TelegramError

from bot.settings import Settings
from bot.usecases.subscriptions import ChatInfo


class ChatLookupError(LookupError):
    """Telegram does not know the chat, or the bot may not see it; the message says why."""


async def look_up_chat(settings: Settings, reference: str | int) -> ChatInfo:
    """The chat named ``@name`` or by its numeric id, as Telegram describes it."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    bot = Bot(token, base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_api_file_url)
    try:
        async with bot:
            chat = await bot.get_chat(reference)
    except TelegramError as error:
        raise ChatLookupError(error.message) from None
    return ChatInfo(id=chat.id, type=chat.type, title=chat.title, username=chat.username)
