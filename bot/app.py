"""The composition root: build the Application and wire every handler and job in one place."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.delivery import DeliveryWorker
from bot.handlers import admin, fallback, preferences, reading, sources, start, subscription
from bot.logs import add_secrets
from bot.schedule import queue_due_digests
from bot.services import Services
from bot.settings import Settings
from bot.sources import SourcePoller
from bot.texts import COMMANDS
from storage import create_engine, session_factory

logger = logging.getLogger(__name__)


class MissingTokenError(RuntimeError):
    """No TELEGRAM_BOT_TOKEN: the bot cannot start."""


def build_application(settings: Settings, *, deliver: bool = True) -> Application:
    """The bot with its handlers, jobs, services and database engine, ready to run.

    ``deliver`` runs the scheduler tick and a delivery worker inside the bot; without
    it the bot only answers commands (separate `digestbot worker` processes deliver).
    """
    if settings.telegram_bot_token is None:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set: copy .env.example to .env and fill it in")
    token = settings.telegram_bot_token.get_secret_value()
    add_secrets([token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else None])
    engine = create_engine(settings.database_url)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .read_timeout(settings.telegram_timeout_seconds)
        .write_timeout(settings.telegram_timeout_seconds)
        .connect_timeout(settings.telegram_timeout_seconds)
        .pool_timeout(settings.telegram_timeout_seconds)
        .connection_pool_size(settings.telegram_connections + 2)  # two spare for replies to commands
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.rate_limit_per_second > 0:
        # Leaky buckets of size one: evenly spaced sends. A bucket as large as the rate lets a
        # burst through after every pause, and Telegram counts bursts against a sliding second.
        group_rate = settings.rate_limit_group_per_minute
        builder = builder.rate_limiter(
            AIORateLimiter(
                overall_max_rate=1,
                overall_time_period=1 / settings.rate_limit_per_second,
                group_max_rate=1 if group_rate else 0,
                group_time_period=60 / group_rate if group_rate else 0,
                max_retries=settings.rate_limit_retries,
            )
        )
    application = builder.build()
    services = Services(settings=settings, sessions=session_factory(engine), engine=engine)
    application.bot_data["services"] = services
    application.bot_data["engine"] = engine
    application.bot_data["deliver"] = deliver
    application.bot_data["poller"] = SourcePoller(services, notify=_admin_notifier(application))
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
        "addsource": sources.add_source,
        "sources": sources.list_sources,
        "removesource": sources.remove_source,
        "pausesource": sources.pause_source,
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


def _admin_notifier(application: Application):  # noqa: ANN202 - an async callable
    """Tell every admin something, in a private message; an unreachable admin is logged."""

    async def notify(text: str) -> None:
        for admin_id in application.bot_data["services"].settings.admin_user_ids:
            try:
                await application.bot.send_message(admin_id, text)
            except Exception:
                logger.warning("could not notify admin %s", admin_id)

    return notify


async def scheduler_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: poll due sources, queue due digests, then wake the delivery worker."""
    services: Services = context.application.bot_data["services"]
    await context.application.bot_data["poller"].poll_due()
    queued = await queue_due_digests(services.engine, services.sessions, batch_size=1000)
    worker: DeliveryWorker | None = context.application.bot_data.get("worker")
    if queued and worker is not None:
        worker.wake()


async def _post_init(application: Application) -> None:
    """Register the command list; start the scheduler tick and the delivery worker."""
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in commands],
            language_code=None if language == "en" else language,
        )
    if not application.bot_data.get("deliver"):
        return
    services: Services = application.bot_data["services"]
    worker = DeliveryWorker(application.bot, services, services.settings.delivery_policy())
    services.on_published.append(worker.wake)
    stop = asyncio.Event()
    application.bot_data["worker"] = worker
    application.bot_data["worker_stop"] = stop
    application.bot_data["worker_task"] = asyncio.create_task(worker.run(stop), name="delivery-worker")
    application.job_queue.run_repeating(
        scheduler_tick,
        interval=services.settings.scheduler_interval_seconds,
        first=1.0,
        name="scheduler-tick",
    )


async def _post_stop(application: Application) -> None:
    """Stop claiming; let the sends in flight finish."""
    stop: asyncio.Event | None = application.bot_data.get("worker_stop")
    task: asyncio.Task[None] | None = application.bot_data.get("worker_task")
    if stop is not None and task is not None:
        stop.set()
        await task


async def _post_shutdown(application: Application) -> None:
    await application.bot_data["engine"].dispose()
