"""`digestbot subscribers list` and `digestbot channels add`: the chats the bot talks to."""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

from bot.cli.common import CliError, load_settings, require_token, with_runtime
from bot.logs import safe
from bot.usecases import subscriptions
from bot.usecases.runtime import Runtime


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
    """Subscribe a channel the bot posts to (the bot must be an admin of it)."""
    from bot.frontend.chats import ChatLookupError, TelegramUnavailable, look_up_chat

    settings = require_token(load_settings())
    reference: str | int = args.channel if args.channel.startswith("@") else _chat_id(args.channel)

    async def action(runtime: Runtime) -> int:
        try:
            chat = await look_up_chat(settings, reference)
        except TelegramUnavailable as error:
            raise CliError(str(error)) from None
        except ChatLookupError as error:
            raise CliError(f"Telegram does not know {safe(args.channel)}: {safe(error)}") from None
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
