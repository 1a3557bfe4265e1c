"""`digestbot stats`: subscribers, articles, and the outbox by state with its recent failures."""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

from bot.cli.common import load_settings, with_runtime
from bot.logs import safe
from bot.usecases.stats import collect_stats


def stats(args: argparse.Namespace, out: TextIO) -> int:
    """Print the figures, one subject per line."""
    numbers = asyncio.run(
        with_runtime(load_settings(), lambda runtime: collect_stats(runtime, failures=args.failures))
    )
    people, outbox, oldest = numbers.subscribers, numbers.outbox, numbers.oldest_waiting
    out.write(
        f"subscribers: {people['active']} active, {people['inactive']} not subscribed, "
        f"{people['deactivated']} deactivated\narticles: {numbers.articles}\n"
        f"outbox: {outbox['pending']} pending, {outbox['sending']} sending, {outbox['sent']} sent, "
        f"{outbox['failed']} failed ({numbers.retrying} waiting to retry after errors)\n"
        f"oldest waiting item: {oldest.isoformat(timespec='seconds') if oldest else 'none'}\n"
    )
    for failure in numbers.failures:
        out.write(
            f"failed: chat {failure.chat_id} · {safe(failure.article_title[:60])} · {safe(failure.error)}\n"
        )
    return 0
