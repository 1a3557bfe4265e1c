"""`digestbot run`, `db upgrade` and the admin commands that work on the database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from bot.commands.digest import read_source
from bot.commands.errors import CliError
from bot.settings import Settings
from digests.errors import DigestError
from storage import SchemaBehindError, create_engine, ensure_schema, session_factory, session_scope
from storage import subscribers as subscriber_queries

logger = logging.getLogger("digestbot")

NO_TOKEN = "TELEGRAM_BOT_TOKEN is not set: copy .env.example to .env and put the token from @BotFather in it"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]).upper()
        raise CliError(f"setting {name} is invalid: {first['msg']} (see .env.example)") from None


async def prepare_database(settings: Settings) -> None:
    """Upgrade SQLite in place; refuse a PostgreSQL schema that is behind."""
    try:
        await ensure_schema(settings.database_url)
    except SchemaBehindError as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(f"cannot open the database: {error}") from None


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run the bot: long polling, or a webhook server when WEBHOOK_URL is set."""
    from bot.app import build_application

    settings = load_settings()
    if settings.telegram_bot_token is None:
        raise CliError(NO_TOKEN)
    asyncio.run(prepare_database(settings))
    application = build_application(settings)
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        if secret is None:
            raise CliError(
                "WEBHOOK_SECRET must be set with WEBHOOK_URL, so that only Telegram can post updates"
            )
        logger.info("serving webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=secret,
            url_path=_url_path(settings.webhook_url),
        )
    else:
        logger.info("polling for updates")
        application.run_polling()
    return 0


def _url_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")


def db_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    """Bring the database schema to the newest revision."""
    from storage.migrate import head_revision, upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    out.write(f"database is at revision {head_revision()}\n")
    return 0


def publish(args: argparse.Namespace, out: TextIO) -> int:
    """Ingest, digest and store an article from a file or URL."""

    async def action(services) -> int:  # noqa: ANN001 - bot.services.Services
        if "://" in args.source:
            published = await services.publish_url(args.source)
        else:
            data, name, content_type = await asyncio.to_thread(read_source, args.source)
            published = await services.publish_bytes(data, name=name, content_type=content_type)
        state = "published" if published.created else "already stored"
        out.write(f"#{published.article_id} {published.title} ({published.sections} sections, {state})\n")
        return 0

    return asyncio.run(_with_services(load_settings(), action))


def subscribers_list(args: argparse.Namespace, out: TextIO) -> int:
    """Print every chat the bot knows, one line each."""

    async def action(services) -> int:  # noqa: ANN001 - bot.services.Services
        async with session_scope(services.sessions) as session:
            rows = await subscriber_queries.list_subscribers(
                session, active_only=args.active, limit=args.limit
            )
        out.write(f"{'chat id':>16}  {'type':<10} {'state':<12} {'schedule':<16} {'timezone':<20} name\n")
        for row in rows:
            state = "subscribed" if row.active else ("deactivated" if row.deactivated_at else "-")
            name = row.title or (f"@{row.username}" if row.username else "")
            out.write(
                f"{row.chat_id:>16}  {row.chat_type:<10} {state:<12} {row.schedule:<16} "
                f"{row.timezone:<20} {name}\n"
            )
        return 0

    return asyncio.run(_with_services(load_settings(), action))


def channels_add(args: argparse.Namespace, out: TextIO) -> int:
    """Subscribe a channel the bot posts to (the bot must be an admin of it)."""
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.schedules import next_digest_at
    from storage import utcnow

    async def main() -> int:
        settings = load_settings()
        if settings.telegram_bot_token is None:
            raise CliError(NO_TOKEN)
        await prepare_database(settings)
        reference = args.channel if args.channel.startswith("@") else _chat_id(args.channel)
        bot = Bot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_api_file_url,
        )
        try:
            async with bot:
                chat = await bot.get_chat(reference)
        except TelegramError as error:
            raise CliError(f"Telegram does not know {args.channel}: {error.message}") from None
        engine = create_engine(settings.database_url)
        try:
            async with session_scope(session_factory(engine)) as session:
                subscriber = await subscriber_queries.ensure_subscriber(
                    session,
                    chat_id=chat.id,
                    chat_type=chat.type,
                    title=chat.title,
                    username=chat.username,
                    language=args.language,
                    timezone=settings.default_timezone,
                    schedule=settings.default_schedule,
                )
                now = utcnow()
                due = next_digest_at(subscriber.schedule, subscriber.timezone, after=now)
                added = await subscriber_queries.subscribe(
                    session, subscriber=subscriber, next_digest_at=due, now=now
                )
        finally:
            await engine.dispose()
        out.write(
            f"{chat.title or args.channel} ({chat.id}): {'subscribed' if added else 'already subscribed'}\n"
        )
        return 0

    return asyncio.run(main())


def _chat_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError(f"a channel is @name or a numeric id like -1001234567890, not {text!r}") from None


def chat(args: argparse.Namespace, out: TextIO) -> int:
    """Try the bot in this terminal, against a local Bot API server."""
    from bot.chat import run_chat

    settings = load_settings()
    if not args.verbose:  # the conversation is on stdout; keep stderr for problems
        logging.getLogger().setLevel(logging.WARNING)
    return asyncio.run(run_chat(settings, out=out, database_url=args.database))


def worker(args: argparse.Namespace, out: TextIO) -> int:
    """Deliver queued digests (and run the scheduler tick) without answering commands."""
    settings = load_settings()
    if settings.telegram_bot_token is None:
        raise CliError(NO_TOKEN)
    asyncio.run(prepare_database(settings))
    asyncio.run(_work(settings, scheduler=not args.no_scheduler))
    return 0


async def _work(settings: Settings, *, scheduler: bool) -> None:
    import signal

    from bot.app import build_application
    from bot.delivery import DeliveryWorker
    from bot.schedule import queue_due_digests

    application = build_application(settings, deliver=False)
    services = application.bot_data["services"]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    async def tick_forever() -> None:
        while not stop.is_set():
            try:
                await application.bot_data["poller"].poll_due()
                if await queue_due_digests(services.engine, services.sessions):
                    delivery.wake()
            except Exception:
                logger.exception("scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.scheduler_interval_seconds)

    async with application:
        delivery = DeliveryWorker(application.bot, services, settings.delivery_policy())
        ticker = asyncio.create_task(tick_forever()) if scheduler else None
        try:
            await delivery.run(stop)  # SIGTERM: in-flight sends finish, nothing new is claimed
        finally:
            stop.set()
            if ticker is not None:
                await ticker
            await services.engine.dispose()
    logger.info("worker exited cleanly after %d messages", delivery.sent_messages)


def stats(args: argparse.Namespace, out: TextIO) -> int:
    """Subscribers, articles, and the outbox by state with its oldest item and recent failures."""
    from storage import articles as article_queries
    from storage import deliveries as delivery_queries

    async def action(services) -> int:  # noqa: ANN001 - bot.services.Services
        async with session_scope(services.sessions) as session:
            people = await subscriber_queries.subscriber_counts(session)
            articles = await article_queries.count_articles(session)
            outbox = await delivery_queries.delivery_counts(session)
            oldest = await delivery_queries.oldest_pending(session)
            failures = await delivery_queries.recent_failures(session, limit=args.failures)
        out.write(
            f"subscribers: {people['active']} active, {people['inactive']} not subscribed, "
            f"{people['deactivated']} deactivated\narticles: {articles}\n"
            f"outbox: {outbox['pending']} pending, {outbox['sending']} sending, {outbox['sent']} sent, "
            f"{outbox['failed']} failed\n"
            f"oldest waiting item: {oldest.isoformat(timespec='seconds') if oldest else 'none'}\n"
        )
        for failure in failures:
            out.write(f"failed: chat {failure.chat_id} · {failure.article_title[:60]} · {failure.error}\n")
        return 0

    return asyncio.run(_with_services(load_settings(), action))


async def _with_services(settings: Settings, action):  # noqa: ANN001, ANN202 - an async callable
    """Run ``action(services)`` against the database, without a bot."""
    from bot.services import Services

    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        return await action(Services(settings=settings, sessions=session_factory(engine), engine=engine))
    finally:
        await engine.dispose()


def sources_command(args: argparse.Namespace, out: TextIO) -> int:
    """`digestbot sources add|list|remove|pause|import|export`."""
    from bot.sources import SourcePoller
    from digests.opml import Outline, export_opml, parse_opml
    from storage import sources as source_queries

    settings = load_settings()

    async def add(services) -> int:  # noqa: ANN001
        source, created, result = await SourcePoller(services).add(args.url)
        state = "following" if created else "already following"
        out.write(
            f"#{source.id} {source.title or source.url} ({source.kind}): {state}; "
            f"{result.new} entries stored\n"
        )
        return 0

    async def listing(services) -> int:  # noqa: ANN001
        async with session_scope(services.sessions) as session:
            rows = await source_queries.list_sources(session)
        for row in rows:
            state = "paused" if row.paused else "active"
            out.write(f"{row.id:>4}  {row.kind:<5} {state:<7} {row.url}  {row.title or ''}\n")
            if row.last_error:
                out.write(f"      last error ({row.error_count} in a row): {row.last_error}\n")
        return 0

    async def change(services) -> int:  # noqa: ANN001
        async with session_scope(services.sessions) as session:
            source = await source_queries.get_source(session, source_id=args.id)
            if source is None or source.kind == "upload":
                raise CliError(f"there is no source {args.id}")
            if args.sources_command == "remove":
                await source_queries.remove_source(session, source=source)
                out.write(f"source {args.id} removed\n")
            else:
                await source_queries.set_paused(
                    session, source=source, paused=not source.paused, reason="paused from the command line"
                )
                out.write(f"source {args.id} {'paused' if source.paused else 'resumed'}\n")
        return 0

    async def import_opml(services) -> int:  # noqa: ANN001
        try:
            data = Path(args.file).read_bytes()
        except OSError as error:
            raise CliError(f"cannot read {args.file}: {error.strerror}") from None
        poller = SourcePoller(services)
        for outline in parse_opml(data):
            try:
                source, created, _ = await poller.add(outline.url)
                out.write(f"#{source.id} {outline.url}: {'following' if created else 'already following'}\n")
            except DigestError as error:
                out.write(f"skipped {outline.url}: {error}\n")
        return 0

    async def export(services) -> int:  # noqa: ANN001
        async with session_scope(services.sessions) as session:
            rows = await source_queries.list_sources(session)
        document = export_opml(
            [Outline(r.title or r.url or "", r.url or "") for r in rows if r.kind == "feed"]
        )
        if args.file:
            Path(args.file).write_text(document, encoding="utf-8")
        else:
            out.write(document)
        return 0

    actions = {
        "add": add,
        "list": listing,
        "remove": change,
        "pause": change,
        "import": import_opml,
        "export": export,
    }
    return asyncio.run(_with_services(settings, actions[args.sources_command]))
