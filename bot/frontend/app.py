"""The composition root: one function assembles a process (bot, worker, chat) from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.frontend.context import BOT, CONTEXT_TYPES, BotContext, BotData, Roles
from bot.frontend.handlers import (
    channels,
    fallback,
    keyword_filters,
    preferences,
    publishing,
    reader_sources,
    reading,
    searching,
    sharing,
    source_admin,
    start,
    stats,
    subscriptions,
    topics,
)
from bot.frontend.ratelimit import BudgetRateLimiter
from bot.frontend.sender import TelegramSender
from bot.frontend.transport import LeanHTTPXRequest
from bot.frontend.updates import PerChatUpdateProcessor
from bot.logs import add_secrets, is_database_error
from bot.settings import Settings
from bot.texts import MENU_LANGUAGES, Audience, audiences_of, command_menu, texts_for
from bot.usecases import subscriptions as subscriptions_usecase
from bot.usecases.budget import SharedSendBudget, bucket_for
from bot.usecases.compose import Composer
from bot.usecases.outbox import DeliveryPolicy, Outbox
from bot.usecases.polling import SourcePoller
from bot.usecases.runtime import Runtime
from bot.usecases.tick import run_backfills, run_tick
from storage import Source

logger = logging.getLogger(__name__)

BotApplication = Application[Any, BotContext, Any, Any, BotData, Any]


class MissingTokenError(RuntimeError):
    """No TELEGRAM_BOT_TOKEN: the bot cannot start."""


# One module per feature, each with the handlers it registers; the fallback comes last.
FEATURES = (
    start,
    subscriptions,
    reading,
    preferences,
    publishing,
    stats,
    source_admin,
    channels,
    reader_sources,
    searching,
    sharing,
    keyword_filters,
    topics,
    fallback,
)
COMMAND_HANDLERS = {
    command: handler.callback
    for feature in FEATURES
    for handler in feature.HANDLERS
    if isinstance(handler, CommandHandler)
    for command in handler.commands
}


def build_application(settings: Settings, *, roles: Roles = BOT) -> BotApplication:
    """The application for these roles: handlers when it answers commands, the delivery worker
    and the scheduler tick when it delivers and ticks (``WORKER`` runs both without handlers)."""
    if settings.telegram_bot_token is None:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set: copy .env.example to .env and fill it in")
    token = settings.telegram_bot_token.get_secret_value()
    add_secrets([token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else None])
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .request(
            LeanHTTPXRequest(
                base_url=settings.telegram_api_base_url,
                connection_pool_size=settings.telegram_connections + 2,  # two spare for replies to commands
                read_timeout=settings.telegram_timeout_seconds,
                write_timeout=settings.telegram_timeout_seconds,
                connect_timeout=settings.telegram_timeout_seconds,
                pool_timeout=settings.telegram_timeout_seconds,
            )
        )
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    runtime = Runtime.from_settings(settings)
    if settings.rate_limit_per_second > 0:
        # The builder's type fixes its rate limiter's type before one is chosen: a PTB typing limit.
        builder = builder.rate_limiter(
            BudgetRateLimiter(  # type: ignore[arg-type]
                SharedSendBudget(
                    runtime.sessions, bucket=bucket_for(token), rate=settings.rate_limit_per_second
                ),
                group_per_minute=settings.rate_limit_group_per_minute,
                max_retries=settings.rate_limit_retries,
            )
        )
    application: BotApplication = builder.build()
    runtime.on_source_paused.append(_admin_notifier(application))
    application.bot_data.runtime = runtime
    application.bot_data.roles = roles
    application.bot_data.sender = TelegramSender(application.bot, connections=settings.telegram_connections)
    application.bot_data.composer = Composer.from_settings(runtime)
    if roles.answer_commands:
        _add_handlers(application)
    return application


def _add_handlers(application: BotApplication) -> None:
    # Before every feature: what is posted inside a channel is never answered there (a command
    # in a channel is a post its readers see; channels are set up from a private chat).
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, _channel_post), group=-1)
    for feature in FEATURES:
        application.add_handlers(feature.HANDLERS)
    application.add_error_handler(fallback.error_handler)


def _admin_notifier(application: BotApplication):  # noqa: ANN202 - a SourcePausedHook
    """Tell every admin, in a private message in their language, that a source was paused."""

    async def notify(source: Source, error: str) -> None:
        runtime = application.bot_data.runtime
        for admin_id in runtime.settings.admin_user_ids:
            texts = texts_for(await subscriptions_usecase.chat_language(runtime, chat_id=admin_id))
            text = texts(
                "source_auto_paused",
                id=source.id,
                url=source.url,
                count=source.error_count,
                error=error[:300],
            )
            try:
                await application.bot.send_message(admin_id, text)
            except Exception:
                logger.warning("could not tell admin %s that source %s was paused", admin_id, source.id)

    return notify


async def _scheduler_tick(context: BotContext) -> None:
    """The repeating job: queue due digests, wake the delivery worker."""
    await _guarded(context.runtime, run_tick(context.runtime))


async def _backfills(context: BotContext) -> None:
    """The other repeating job: search index and stories of articles stored before them."""
    await _guarded(context.runtime, run_backfills(context.runtime))


async def _guarded(runtime: Runtime, work: Coroutine[Any, Any, object]) -> None:
    """A database outage is two log lines (when it starts, when it ends), not a traceback a run."""
    try:
        await work
    except Exception as error:
        if not is_database_error(error):
            raise
        runtime.database.failed(error)
    else:
        runtime.database.answered()


async def _post_init(application: BotApplication) -> None:
    """Register the command list; start the delivery worker and the scheduler tick."""
    data = application.bot_data
    runtime = data.runtime
    if data.roles.answer_commands:
        # Uploads a crash interrupted: published, and their admins answered, in the background.
        resume = publishing.resume_uploads(application.bot, runtime)
        data.resuming = asyncio.create_task(resume, name="resume-uploads")
        # The menu is set while the first updates are answered, not before.
        data.menu = asyncio.create_task(_set_command_menu(application), name="command-menu")
    data.stop_loops = asyncio.Event()
    data.loop_tasks = []
    if data.roles.deliver:
        worker = Outbox(
            data.sender, runtime, DeliveryPolicy.from_settings(runtime.settings), composer=data.composer
        )
        runtime.on_queued.append(worker.wake)
        data.worker = worker
        data.loop_tasks.append(asyncio.create_task(worker.run(data.stop_loops), name="delivery"))
    if data.roles.poll:
        # Its own loop: a long polling round (a slow site, a backlog after downtime) never delays
        # a digest that falls due, and the next due source is claimed as soon as a poll ends.
        data.poller = SourcePoller(runtime)
        data.loop_tasks.append(asyncio.create_task(data.poller.run(data.stop_loops), name="polling"))
    port = runtime.settings.monitoring_port
    if port is not None:
        from bot.monitoring import MonitoringServer  # its HTTP server (tornado) only when asked for

        data.monitoring = MonitoringServer(runtime, host=runtime.settings.monitoring_host, port=port)
        await data.monitoring.start()
    if data.roles.tick and application.job_queue is not None:
        # Two jobs; APScheduler runs each once at a time, so a long backfill never delays a tick.
        interval = runtime.settings.scheduler_interval_seconds
        jobs = ((_scheduler_tick, "scheduler-tick", interval), (_backfills, "backfills", 60.0))
        for job, name, every in jobs:
            application.job_queue.run_repeating(
                job,
                interval=every,
                first=min(1.0, interval),
                name=name,
                job_kwargs={"misfire_grace_time": None, "coalesce": True},
            )


async def _channel_post(update: Update, context: BotContext) -> None:
    """A post in a channel: left alone."""
    chat = update.effective_chat
    logger.debug("post in channel %s left alone", chat.id if chat else "?")
    raise ApplicationHandlerStop


async def _set_command_menu(application: BotApplication) -> None:
    """The command menu in each language: readers' commands for everyone, the group settings
    commands added for groups' admins, and the bot's admins' commands in each admin's private
    chat. A failure is a log line (the commands work without a menu)."""
    settings = application.bot_data.runtime.settings
    own = settings.reader_sources
    scopes: list[tuple[BotCommandScope, set[Audience]]] = [
        (BotCommandScopeDefault(), audiences_of(reader_sources=own)),
        (BotCommandScopeAllChatAdministrators(), audiences_of(reader_sources=own, group_admin=True)),
    ]
    scopes += [
        (BotCommandScopeChat(admin), audiences_of(reader_sources=own, bot_admin=True))
        for admin in sorted(settings.admin_user_ids)
    ]
    for scope, audiences in scopes:
        for language in MENU_LANGUAGES:
            menu = command_menu(audiences, language)
            try:
                await application.bot.set_my_commands(
                    [BotCommand(name, description) for name, description in menu],
                    scope=scope,
                    language_code=None if language == "en" else language,
                )
            except TelegramError as error:
                logger.warning("could not set the %s command menu (%s): %s", language, scope.type, error)


async def _post_stop(application: BotApplication) -> None:
    """Stop claiming; let the sends in flight finish."""
    data = application.bot_data
    if data.menu is not None and not data.menu.done():
        # The menu is set again at the next start: a stop does not wait for every admin's menu.
        data.menu.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await data.menu
    if data.resuming is not None:
        await data.resuming
    if data.stop_loops is not None and data.loop_tasks:
        data.stop_loops.set()
        await asyncio.gather(*data.loop_tasks)


async def _post_shutdown(application: BotApplication) -> None:
    if application.bot_data.monitoring is not None:
        await application.bot_data.monitoring.stop()
    await application.bot_data.runtime.close()
