"""A fake Telegram Bot API server for tests and `digestbot chat`."""

from bot.fakeapi.html import TelegramHtmlError, check_telegram_html
from bot.fakeapi.server import FakeTelegram, InjectedError, SentMessage

__all__ = ["FakeTelegram", "InjectedError", "SentMessage", "TelegramHtmlError", "check_telegram_html"]
