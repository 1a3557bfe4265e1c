"""The composition root: build the Application and wire every handler in one place."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import admin, fallback, preferences, reading, start, subscription
from bot.logs import add_secrets
from bot.services import Services
from bot.settings import Settings
from bot.texts import COMMANDS
from storage import create_engine, session_factory

logger = logging.getLogger(__name__)


class MissingTokenError(RuntimeError):
    """No TELEGRAM_BOT_TOKEN: the bot cannot start."""


def build_application(settings: Settings) -> Application:
    """The bot with its handlers, services and database engine, ready to run."""
    if settings.telegram_bot_token is None:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set: copy .env.example to .env and fill it in")
    token = settings.telegram_bot_token.get_secret_value()
    add_secrets([token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else None])
    engine = create_engine(settings.database_url)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = Services(settings=settings, sessions=session_factory(engine))
    application.bot_data["engine"] = engine
    _add_handlers(application)
    return application


def _add_handlers(application: Application) -> None:
    commands = {
        "start": start.start,
        "help": start.help_command,
        "language": start.language,
        "subscribe": subscription.subscribe,
        "unsubscribe": subscription.unsubscribe,
        "latest": reading.latest,
        "articles": reading.articles,
        "sections": reading.sections,
        "section": reading.section,
        "digest": reading.digest,
        "settings": preferences.settings,
        "schedule": preferences.schedule,
        "timezone": preferences.timezone,
        "length": preferences.length,
        "publish": admin.publish,
        "stats": admin.stats,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(reading.section_button, pattern=r"^sec:\d+:\d+$"))
    application.add_handler(CallbackQueryHandler(preferences.settings_button, pattern=r"^set:"))
    application.add_handler(CallbackQueryHandler(start.start_button, pattern=r"^do:"))
    application.add_handler(MessageHandler(filters.Document.ALL, admin.document))
    application.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, fallback.plain_text))
    application.add_error_handler(fallback.error_handler)


async def _post_init(application: Application) -> None:
    """Register the command list in English (the default) and Chinese."""
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in commands],
            language_code=None if language == "en" else language,
        )


async def _post_shutdown(application: Application) -> None:
    await application.bot_data["engine"].dispose()
