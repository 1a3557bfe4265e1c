"""Asking Telegram before a process starts: is the token good, and what is this chat?"""

from __future__ import annotations

from telegram import Bot, ChatMemberAdministrator
from telegram.error import InvalidToken, TelegramError

from bot.settings import Settings
from bot.usecases.subscriptions import ChatInfo


class ChatLookupError(LookupError):
    """Telegram does not know the chat, or the bot may not see it; the message says why."""


class TelegramUnavailable(RuntimeError):
    """The token is refused, or the Bot API cannot be reached; the message says which."""


def _bot(settings: Settings) -> Bot:
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    return Bot(token, base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_api_file_url)


async def check_bot(settings: Settings) -> str:
    """The bot's @username, once Telegram has accepted the token; else ``TelegramUnavailable``."""
    try:
        async with _bot(settings) as bot:
            return bot.username
    except InvalidToken:
        raise TelegramUnavailable(
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)"
        ) from None
    except TelegramError as error:
        raise TelegramUnavailable(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_base_url.removesuffix('/bot')} "
            f"({error.message}): check TELEGRAM_API_BASE_URL and the network"
        ) from None


async def may_post(bot: Bot, channel_id: int) -> bool:
    """Whether the bot is an admin of the channel with the right to post messages."""
    member = await bot.get_chat_member(channel_id, bot.id)
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


class CannotPost(PermissionError):
    """The bot is no admin of the channel with the right to post; the message says what to do."""


async def look_up_chat(settings: Settings, reference: str | int, *, to_post: bool = False) -> ChatInfo:
    """The chat named ``@name`` or by its numeric id, as Telegram describes it; with ``to_post``,
    ``CannotPost`` unless the bot may post there (an admin with the right to post, in a channel)."""
    bot = _bot(settings)
    try:
        async with bot:
            chat = await bot.get_chat(reference)
            if to_post and chat.type == "channel" and not await may_post(bot, chat.id):
                raise CannotPost(
                    f"the bot is not an admin of {reference} with the right to post messages: "
                    "add it under the channel's Administrators, with Post Messages on"
                )
    except InvalidToken:
        raise TelegramUnavailable(
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)"
        ) from None
    except TelegramError as error:
        raise ChatLookupError(error.message) from None
    return ChatInfo(id=chat.id, type=chat.type, title=chat.title, username=chat.username)
