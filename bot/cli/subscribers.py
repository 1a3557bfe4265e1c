"""`digestbot subscribers list` and `digestbot channels list | add | remove | set`: the chats the
bot talks to, and the channels it posts to with their own settings."""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

from bot.cli.common import CliError, load_settings, require_token, with_runtime
from bot.logs import safe
from bot.usecases import subscriptions
from bot.usecases.runtime import Runtime
from storage import DigestLength, Subscriber


def list_subscribers(args: argparse.Namespace, out: TextIO) -> int:
    """Print every chat the bot knows, one line each."""
    rows = asyncio.run(
        with_runtime(
            load_settings(),
            lambda runtime: subscriptions.list_subscribers(
                runtime, active_only=args.active, limit=args.limit
            ),
        )
    )
    out.write(f"{'chat id':>16}  {'type':<10} {'state':<12} {'schedule':<16} {'timezone':<20} name\n")
    for row in rows:
        state = "subscribed" if row.active else ("deactivated" if row.deactivated_at else "-")
        name = safe(row.title or (f"@{row.username}" if row.username else ""))
        out.write(
            f"{row.chat_id:>16}  {row.chat_type:<10} {state:<12} {row.schedule:<16} "
            f"{row.timezone:<20} {name}\n"
        )
    return 0


def add_channel(args: argparse.Namespace, out: TextIO) -> int:
    """Subscribe a channel the bot posts to (the bot must be an admin of it, with Post Messages)."""
    from bot.frontend.chats import CannotPost, ChatLookupError, TelegramUnavailable, look_up_chat

    settings = require_token(load_settings())
    reference: str | int = args.channel if args.channel.startswith("@") else _chat_id(args.channel)

    async def action(runtime: Runtime) -> int:
        try:
            chat = await look_up_chat(settings, reference, to_post=True)
        except TelegramUnavailable as error:
            raise CliError(str(error)) from None
        except ChatLookupError as error:
            raise CliError(f"Telegram does not know {safe(args.channel)}: {safe(error)}") from None
        except CannotPost as error:
            raise CliError(safe(error)) from None
        _subscriber, added = await subscriptions.subscribe_chat(runtime, chat=chat, language=args.language)
        state = "subscribed" if added else "already subscribed"
        out.write(f"{safe(chat.title or args.channel)} ({chat.id}): {state}\n")
        return 0

    return asyncio.run(with_runtime(settings, action))


def _chat_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError(f"a channel is @name or a numeric id like -1001234567890, not {text!r}") from None


def list_channels(args: argparse.Namespace, out: TextIO) -> int:
    """Print every channel with its settings, one line each."""

    async def action(runtime: Runtime) -> list[str]:
        lines = []
        for channel in await subscriptions.list_channels(runtime):
            followed = await subscriptions.followed_sources(runtime, subscriber=channel)
            sources = ",".join(str(source.id) for source in followed) if followed else "all"
            words = channel.keyword_filter or {}
            filter_text = " ".join([*words.get("include", []), *(f"-{w}" for w in words.get("exclude", []))])
            state = "subscribed" if channel.active else ("deactivated" if channel.deactivated_at else "-")
            name = safe(f"@{channel.username}" if channel.username else channel.title or "")
            lines.append(
                f"{channel.chat_id:>16}  {state:<12} {channel.schedule:<16} {channel.timezone:<18} "
                f"{channel.digest_length:<7} {channel.language:<8} sources {sources:<10} "
                f"filter {safe(filter_text) or '-'}  {name}\n"
            )
        return lines

    lines = asyncio.run(with_runtime(load_settings(), action))
    if not lines:
        out.write("no channels: add one with `digestbot channels add @name`\n")
        return 0
    header = f"{'chat id':>16}  {'state':<12} {'schedule':<16} {'timezone':<18} {'length':<7} {'language':<8}"
    out.write(f"{header} sources, filter, name\n")
    out.writelines(lines)
    return 0


def remove_channel(args: argparse.Namespace, out: TextIO) -> int:
    """Stop posting to a channel (its settings are kept for when it is added again)."""

    async def action(runtime: Runtime) -> int:
        channel = await _known_channel(runtime, args.channel)
        left = await subscriptions.set_subscribed(runtime, subscriber=channel, subscribed=False)
        out.write(f"{safe(args.channel)}: {'no longer posted to' if left else 'was not subscribed'}\n")
        return 0

    return asyncio.run(with_runtime(load_settings(), action))


def set_channel(args: argparse.Namespace, out: TextIO) -> int:
    """Change a channel's schedule, timezone, length, language, keyword filter or sources."""
    from bot.texts import texts_for
    from bot.usecases import filtering, following
    from bot.usecases.schedules import ScheduleError, parse_schedule, parse_timezone

    texts = texts_for("en")
    try:
        schedule = parse_schedule(args.schedule.split()) if args.schedule else None
        timezone = parse_timezone(args.timezone) if args.timezone else None
    except ScheduleError as error:
        raise CliError(
            texts(error.reason, text=error.text).replace("<code>", "").replace("</code>", "")
        ) from None

    async def action(runtime: Runtime) -> int:
        channel = await _known_channel(runtime, args.channel)
        sources = None
        if args.sources is not None and args.sources != "all":
            sources = []
            for reference in args.sources.split(","):
                source = await following.find_source(runtime, reference=reference.strip())
                if source is None:
                    raise CliError(f"no source {safe(reference)}: `digestbot sources list` shows their ids")
                sources.append(source)
        channel = await subscriptions.change_settings(
            runtime,
            subscriber=channel,
            schedule=schedule,
            timezone=timezone,
            digest_length=DigestLength(args.length) if args.length else None,
            language=args.language,
        )
        if args.filter is not None:  # the filter given replaces the channel's
            await filtering.change_chat_filter(runtime, chat_id=channel.chat_id, words=None)
            if args.filter not in ("", "off"):
                await filtering.change_chat_filter(runtime, chat_id=channel.chat_id, words=args.filter)
        if args.sources is not None:
            await subscriptions.follow_source(runtime, subscriber=channel, source=None)
            for source in sources or []:
                await subscriptions.follow_source(runtime, subscriber=channel, source=source)
        due = channel.next_digest_at.isoformat(timespec="minutes") if channel.next_digest_at else "none"
        out.write(
            f"{safe(args.channel)}: schedule {channel.schedule}, timezone {channel.timezone}, length "
            f"{channel.digest_length}, language {channel.language}; next digest {due}\n"
        )
        return 0

    return asyncio.run(with_runtime(load_settings(), action))


async def _known_channel(runtime: Runtime, reference: str) -> Subscriber:
    chat = await subscriptions.find_chat(runtime, reference=reference)
    if chat is None or chat.chat_type != "channel":
        raise CliError(f"no channel {safe(reference)} is known: add it with `digestbot channels add @name`")
    return chat
