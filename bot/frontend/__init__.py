"""The Telegram front end: the application (``build_application``), its handlers, keyboards, texts,
access rules, and the delivery worker that sends the outbox."""

from bot.frontend.app import BotApplication, MissingTokenError, build_application
from bot.frontend.context import BOT, DELIVERY_ONLY, POLLER, WORKER, Roles
from bot.frontend.running import running

__all__ = [
    "BOT",
    "DELIVERY_ONLY",
    "POLLER",
    "WORKER",
    "BotApplication",
    "MissingTokenError",
    "Roles",
    "build_application",
    "running",
]
