"""Admin commands for sources: follow a feed, sitemap, section page or page, list, pause and
remove them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.frontend.access import bot_admins_only
from bot.frontend.context import BotContext
from bot.texts import Texts, shorten
from bot.usecases import following
from bot.usecases.schedules import ScheduleError, describe_interval, parse_interval
from digests import DigestError
from storage import Source, Subscriber, stored_id

logger = logging.getLogger(__name__)

READERS_SHOWN = 5  # chats named under a source that readers follow; the rest are counted


def chat_name(chat: Subscriber) -> str:
    """A chat as an admin recognises it: @username, its title, or its id."""
    return f"@{chat.username}" if chat.username else shorten(chat.title or str(chat.chat_id), 40)


async def source_argument(update: Update, context: BotContext, usage: str) -> Source | None:
    """The followed source named by the first argument; ``None`` after telling the user why not."""
    texts = (await context.reader(update)).texts
    reference = context.args[0] if context.args else ""
    if not any(character.isdigit() for character in reference):  # no attempt at an id: show how
        await context.reply(update, [texts(usage)])
        return None
    source = await following.find_source(context.runtime, reference=reference)
    if source is None:
        await context.reply(update, [texts("source_not_found", id=shorten(reference.removeprefix("#")))])
    return source


@bot_admins_only
async def add_source(update: Update, context: BotContext) -> None:
    """Follow a feed, a site's news sitemap or section page, or a page: /addsource URL (admins only)."""
    texts = (await context.reader(update)).texts
    args = context.args or []
    if not args or len(args) not in (1, 3) or (len(args) == 3 and args[1].lower() != "every"):
        await context.reply(update, [texts("usage_addsource")])
        return
    url = args[0]
    interval = None
    if len(args) == 3:
        try:
            interval = parse_interval(args[2])
        except ScheduleError as error:
            await context.reply(update, [texts(error.reason, text=error.text)])
            return

    async def add() -> str:
        try:
            added = await following.add_source(context.runtime, url=url, interval=interval)
        except DigestError as error:
            logger.info("adding source %s failed: %s", url[:200], error)
            return texts("source_failed", reason=texts.failure(error))
        source, title = added.source, added.source.title or added.source.url
        if not added.created:
            return texts("source_exists", id=source.id, title=title)
        entries = added.result.new
        kind = source_kind(texts, source.kind, links=added.result.links)
        return texts.plural("source_added", entries, id=source.id, title=title, kind=kind, entries=entries)

    # Discovery and the first poll can take minutes on a slow or polite site.
    await context.answer_later(update, texts("checking"), add)


@bot_admins_only
async def list_sources(update: Update, context: BotContext) -> None:
    """The sources with their state and last error: /sources (admins only)."""
    texts = (await context.reader(update)).texts
    rows = await following.list_sources(context.runtime)
    if not rows:
        await context.reply(update, [texts("no_sources")])
        return
    readers = await following.readers_by_source(context.runtime)
    lines = [texts("sources_header")]
    for source in rows:
        state = texts("source_paused") if source.paused else texts("source_active")
        title, kind = source.title or source.url, source_kind(texts, source.kind)
        lines.append(texts("source_line", id=source.id, title=title, kind=kind, state=state))
        followers = readers.get(stored_id(source.id), [])
        if followers:
            names = ", ".join(chat_name(chat) for chat in followers[:READERS_SHOWN])
            more = f" … +{len(followers) - READERS_SHOWN}" if len(followers) > READERS_SHOWN else ""
            lines.append(texts.plural("source_readers", len(followers), names=names + more))
        if not source.public:
            lines.append(texts("source_readers_only"))
        if source.last_polled_at is None:
            lines.append(texts("source_never_polled"))
        else:
            lines.append(texts("source_last_poll", when=f"{source.last_polled_at:%Y-%m-%d %H:%M} UTC"))
        interval, due = following.next_poll(source, context.runtime)
        if due is not None:
            lines.append(
                texts("source_schedule", interval=describe_interval(interval), when=f"{due:%H:%M} UTC")
            )
        if source.last_error:
            if source.error_count:
                count = source.error_count
                lines.append(texts.plural("source_error", count, error=source.last_error[:200]))
            else:  # a note of a poll that worked, such as entries left for later
                lines.append(texts("source_note", note=source.last_error[:200]))
    await context.reply(update, ["\n".join(lines)])


def source_kind(texts: Texts, kind: str, *, links: int | None = None) -> str:
    """A source's kind in the reader's language; a section page with its article links when known."""
    if kind == "section" and links:
        return texts.plural("kind_section", links, links=links)
    key = "kind_section_short" if kind == "section" else f"kind_{kind}"
    return texts(key) if texts(key) != key else kind


@bot_admins_only
async def remove_source(update: Update, context: BotContext) -> None:
    """Stop following a source: /removesource ID (admins only)."""
    source = await source_argument(update, context, "usage_removesource")
    if source is None:
        return
    await following.remove_source(context.runtime, source=source)
    texts = (await context.reader(update)).texts
    await context.reply(update, [texts("source_removed", id=source.id)])


@bot_admins_only
async def pause_source(update: Update, context: BotContext) -> None:
    """Pause a source, or resume a paused one: /pausesource ID (admins only)."""
    source = await source_argument(update, context, "usage_pausesource")
    if source is None:
        return
    source = await following.toggle_pause(context.runtime, source=source, reason="paused by an admin")
    texts = (await context.reader(update)).texts
    await context.reply(
        update, [texts("source_paused_now" if source.paused else "source_resumed", id=source.id)]
    )


@bot_admins_only
async def refresh_source(update: Update, context: BotContext) -> None:
    """Poll a source now: /refresh ID (admins only); answers at once, edited when the poll ends."""
    source = await source_argument(update, context, "usage_refresh")
    if source is None:
        return
    texts = (await context.reader(update)).texts

    async def poll() -> str:
        result = await following.refresh(context.runtime, source=source)
        if result.error:
            return texts("source_refresh_failed", id=source.id, reason=result.error[:300])
        if result.not_modified or not (result.new or result.updated):
            return texts("source_refreshed_unchanged", id=source.id)
        return texts("source_refreshed", id=source.id, new=result.new, updated=result.updated)

    await context.answer_later(update, texts("checking"), poll)


HANDLERS = [
    CommandHandler("addsource", add_source),
    CommandHandler("sources", list_sources),
    CommandHandler("removesource", remove_source),
    CommandHandler("pausesource", pause_source),
    CommandHandler("refresh", refresh_source),
]
