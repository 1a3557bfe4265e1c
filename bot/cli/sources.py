"""`digestbot sources add|list|remove|pause|filter|set|refresh|import|export`: the feeds,
sitemaps and pages the bot follows."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TextIO

from bot.cli.common import CliError, load_settings, with_runtime
from bot.logs import safe
from bot.usecases import filtering, following
from bot.usecases.runtime import Runtime
from bot.usecases.schedules import ScheduleError, describe_interval, parse_interval
from digests import DigestError
from digests.filters import KeywordFilter, change_request
from storage import Source


def sources_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run one `sources` subcommand against the database."""
    actions = {
        "add": _add,
        "list": _list,
        "remove": _remove,
        "pause": _pause,
        "filter": _filter,
        "set": _set,
        "refresh": _refresh,
        "import": _import,
        "export": _export,
    }

    async def action(runtime: Runtime) -> int:
        await actions[args.sources_command](runtime, args, out)
        return 0

    return asyncio.run(with_runtime(load_settings(), action))


def _interval(text: str | None) -> int | None:
    """``--interval 10m`` in seconds; ``default`` (or nothing) for the default and the source's advice."""
    if text is None or text == "default":
        return None
    try:
        return parse_interval(text)
    except ScheduleError:
        raise CliError(f"not an interval: {safe(text)} (say 10m, 2h or 1d, at least a minute)") from None


async def _add(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    added = await following.add_source(runtime, url=args.url, interval=_interval(args.interval))
    source = added.source
    state = "following" if added.created else "already following"
    kind = {"section": "section page", "sitemap": "news sitemap"}.get(source.kind, source.kind)
    if source.kind == "section" and added.result.links:
        kind += f": {added.result.links} article links"
    title, stored = safe(source.title or source.url), added.result.new
    out.write(f"#{source.id} {title} ({kind}): {state}; {stored} entries stored\n")


async def _list(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    for row in await following.list_sources(runtime):
        state = "paused" if row.paused else "active"
        polled = f"{row.last_polled_at:%Y-%m-%d %H:%M}" if row.last_polled_at else "never polled"
        interval, due = following.next_poll(row, runtime)
        every = f"every {describe_interval(interval)}" + (f", next {due:%H:%M}" if due else "")
        out.write(
            f"{row.id:>4}  {row.kind:<7} {state:<7} {polled:<16} {every:<24} {safe(row.url)}  "
            f"{safe(row.title or '')}\n"
        )
        if row.last_error:
            out.write(f"      last error ({row.error_count} in a row): {safe(row.last_error)}\n")


async def _source(runtime: Runtime, source_id: int) -> Source:
    source = await following.find_source(runtime, reference=source_id)
    if source is None:
        raise CliError(f"there is no source {source_id}")
    return source


async def _set(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    source = await following.set_interval(
        runtime, source=await _source(runtime, args.id), seconds=_interval(args.interval)
    )
    interval, _ = following.next_poll(source, runtime)
    out.write(f"source {args.id}: polled every {describe_interval(interval)} from its next poll\n")


async def _refresh(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    result = await following.refresh(runtime, source=await _source(runtime, args.id))
    if result.error:
        raise CliError(f"source {args.id}: {safe(result.error)}")
    if result.not_modified:
        out.write(f"source {args.id} polled: unchanged\n")
    else:
        counts = f"{result.new} new, {result.updated} updated, {result.announced} announced"
        out.write(f"source {args.id} polled: {counts}\n")


async def _remove(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    await following.remove_source(runtime, source=await _source(runtime, args.id))
    out.write(f"source {args.id} removed\n")


async def _filter(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    source = await _source(runtime, args.id)
    words = " ".join(args.words).strip()
    if words:
        try:
            current = await filtering.change_source_filter(
                runtime, source=source, words=change_request(words)
            )
        except DigestError as error:
            raise CliError(f"filter not changed: {error}") from None
    else:
        current = KeywordFilter.from_json(source.keyword_filter)
    if current.empty:
        out.write(f"source {args.id}: no keyword filter\n")
        return
    include, exclude = ", ".join(current.include) or "any", ", ".join(current.exclude) or "-"
    out.write(f"source {args.id}: only {safe(include)}; never {safe(exclude)}\n")


async def _pause(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    source = await following.toggle_pause(
        runtime, source=await _source(runtime, args.id), reason="paused from the command line"
    )
    out.write(f"source {args.id} {'paused' if source.paused else 'resumed'}\n")


async def _import(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error.strerror}") from None
    for outline in await following.import_opml(runtime, data=data):
        if outline.added is None:
            out.write(f"skipped {safe(outline.url)}: {safe(outline.error)}\n")
        else:
            state = (
                "following (the running bot polls it next)" if outline.added.created else "already following"
            )
            out.write(f"#{outline.added.source.id} {safe(outline.url)}: {state}\n")


async def _export(runtime: Runtime, args: argparse.Namespace, out: TextIO) -> None:
    document = await following.export_sources(runtime)
    if not args.file:
        out.write(document)
        return
    try:
        Path(args.file).write_text(document, encoding="utf-8")
    except OSError as error:  # the file's problem, not the database's
        raise CliError(f"cannot write {args.file}: {error.strerror or error}") from None
