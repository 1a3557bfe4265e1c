"""Admin commands for sources: follow a feed or page, list, pause and remove them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.common import chat_state, is_admin, send_html, services
from bot.sources import SourcePoller
from bot.texts import Texts
from digests import DigestError
from storage import Source, session_scope
from storage import sources as source_queries

logger = logging.getLogger(__name__)


def poller(context: ContextTypes.DEFAULT_TYPE) -> SourcePoller:
    return context.application.bot_data["poller"]


async def _admin_texts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Texts | None:
    _subscriber, texts = await chat_state(update, context)
    if not is_admin(update, context):
        await send_html(update, context, [texts("admin_only")])
        return None
    return texts


async def source_from_arguments(
    update: Update, context: ContextTypes.DEFAULT_TYPE, texts: Texts, usage: str
) -> Source | None:
    reference = context.args[0].lstrip("#") if context.args else ""
    if not reference.isdigit():
        await send_html(update, context, [texts(usage)])
        return None
    async with session_scope(services(context).sessions) as session:
        source = await source_queries.get_source(session, source_id=int(reference))
    if source is None or source.kind == "upload":
        await send_html(update, context, [texts("source_not_found", id=reference)])
        return None
    return source


async def add_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow a feed or page: /addsource URL (admins only)."""
    texts = await _admin_texts(update, context)
    if texts is None:
        return
    if not context.args:
        await send_html(update, context, [texts("usage_addsource")])
        return
    url = context.args[0]
    await send_html(update, context, [texts("publishing")])
    try:
        source, created, result = await poller(context).add(url)
    except DigestError as error:
        logger.info("adding source %s failed: %s", url[:200], error)
        await send_html(update, context, [texts("source_failed", reason=error)])
        return
    key = "source_added" if created else "source_exists"
    await send_html(
        update,
        context,
        [texts(key, id=source.id, title=source.title or source.url, kind=source.kind, entries=result.new)],
    )


async def list_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The sources with their state and last error: /sources (admins only)."""
    texts = await _admin_texts(update, context)
    if texts is None:
        return
    async with session_scope(services(context).sessions) as session:
        rows = await source_queries.list_sources(session)
    if not rows:
        await send_html(update, context, [texts("no_sources")])
        return
    lines = [texts("sources_header")]
    for source in rows:
        state = texts("source_paused") if source.paused else texts("source_active")
        lines.append(
            texts(
                "source_line", id=source.id, title=source.title or source.url, kind=source.kind, state=state
            )
        )
        if source.last_error:
            lines.append(texts("source_error", error=source.last_error[:200], count=source.error_count))
    await send_html(update, context, ["\n".join(lines)])


async def remove_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop following a source: /removesource ID (admins only)."""
    texts = await _admin_texts(update, context)
    if texts is None:
        return
    source = await source_from_arguments(update, context, texts, "usage_removesource")
    if source is None:
        return
    async with session_scope(services(context).sessions) as session:
        await source_queries.remove_source(session, source=source)
    await send_html(update, context, [texts("source_removed", id=source.id)])


async def pause_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pause a source, or resume a paused one: /pausesource ID (admins only)."""
    texts = await _admin_texts(update, context)
    if texts is None:
        return
    source = await source_from_arguments(update, context, texts, "usage_pausesource")
    if source is None:
        return
    async with session_scope(services(context).sessions) as session:
        session.add(source)
        await source_queries.set_paused(
            session, source=source, paused=not source.paused, reason="paused by an admin"
        )
    await send_html(
        update, context, [texts("source_paused_now" if source.paused else "source_resumed", id=source.id)]
    )
