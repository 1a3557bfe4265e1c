"""`digestbot publish`: ingest, digest and store an article from a file or URL."""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

from bot.cli.common import load_settings, with_runtime
from bot.cli.digests import read_source
from bot.logs import safe
from bot.usecases import publishing
from bot.usecases.runtime import Runtime


def publish(args: argparse.Namespace, out: TextIO) -> int:
    """Publish one article; it is queued for instant subscribers like an upload in Telegram."""

    async def action(runtime: Runtime) -> int:
        if "://" in args.source:
            published = await publishing.publish_url(runtime, args.source)
        else:
            data, name, content_type = await asyncio.to_thread(read_source, args.source, runtime.fetch_policy)
            published = await publishing.publish_bytes(runtime, data, name=name, content_type=content_type)
        state = "published" if published.created else "already stored"
        out.write(
            f"#{published.article_id} {safe(published.title)} ({published.sections} sections, {state})\n"
        )
        return 0

    return asyncio.run(with_runtime(load_settings(), action))
