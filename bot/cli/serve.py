"""`digestbot run` and `digestbot worker`: the long-running processes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TextIO
from urllib.parse import urlsplit

from bot.cli.common import CliError, load_settings, prepare_database, require_token
from bot.settings import Settings

logger = logging.getLogger("digestbot")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run the bot: long polling, or a webhook server when WEBHOOK_URL is set."""
    settings = require_token(load_settings())
    if not settings.webhook_url and settings.monitoring_port is None:
        without_http_server()
    from bot.frontend import build_application

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if settings.webhook_url and secret is None:
        raise CliError("WEBHOOK_SECRET must be set with WEBHOOK_URL, so that only Telegram can post updates")
    asyncio.run(_prepare(settings))
    application = build_application(settings)
    if settings.webhook_url:
        logger.info("serving webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=secret,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
        )
    else:
        logger.info("polling for updates")
        application.run_polling()
    return 0


def worker(args: argparse.Namespace, out: TextIO) -> int:
    """Deliver queued digests, run the scheduler tick and poll sources (or one of them) without
    answering commands."""
    settings = require_token(load_settings())
    if settings.monitoring_port is None:
        without_http_server()
    asyncio.run(_prepare(settings))
    asyncio.run(_work(settings, role="poller" if args.poller else "deliver" if args.no_scheduler else "all"))
    return 0


def without_http_server() -> None:
    """For a process that serves no HTTP (long polling, no monitoring port): python-telegram-bot
    imports tornado (~3 MB) only to offer webhooks, and runs without it as when installed without
    its ``webhooks`` extra — so it is kept from loading."""
    if "telegram" not in sys.modules:  # too late once PTB has looked for it
        sys.modules.setdefault("tornado", None)  # type: ignore[arg-type]


async def _prepare(settings: Settings) -> None:
    """The database at the newest schema, and a token Telegram accepts, before anything starts."""
    from bot.frontend.chats import TelegramUnavailable, check_bot

    await prepare_database(settings)
    try:
        username = await check_bot(settings)
    except TelegramUnavailable as error:
        raise CliError(str(error)) from None
    logger.info("Telegram accepts the token of @%s", username)


async def _work(settings: Settings, *, role: str) -> None:
    """Until SIGTERM or SIGINT: then nothing new is claimed and the sends and polls in flight finish."""
    from bot.frontend import DELIVERY_ONLY, POLLER, WORKER, build_application, running

    roles = {"all": WORKER, "deliver": DELIVERY_ONLY, "poller": POLLER}[role]
    application = build_application(settings, roles=roles)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with running(application):
        await stop.wait()
    worker = application.bot_data.worker
    logger.info("worker exited cleanly after %d messages", worker.sent_messages if worker else 0)
