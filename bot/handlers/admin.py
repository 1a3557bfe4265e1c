"""Admin commands: publishing articles by URL or upload, and statistics."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.common import chat_state, is_admin, send_html, services
from bot.services import MAX_UPLOAD_BYTES, Published
from bot.texts import Texts
from digests import DigestError
from storage import articles as article_queries
from storage import deliveries, session_scope
from storage import subscribers as subscriber_queries

logger = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


async def _report(
    update: Update, context: ContextTypes.DEFAULT_TYPE, texts: Texts, published: Published
) -> None:
    key = "published" if published.created else "already_published"
    note = texts(key, id=published.article_id, title=published.title, sections=published.sections)
    await send_html(update, context, [*published.preview, note])


async def publish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fetch, digest and store an article: /publish URL (admins only)."""
    _subscriber, texts = await chat_state(update, context)
    if not is_admin(update, context):
        await send_html(update, context, [texts("admin_only")])
        return
    if not context.args:
        await send_html(update, context, [texts("usage_publish")])
        return
    url = context.args[0]
    await send_html(update, context, [texts("publishing")])
    try:
        published = await services(context).publish_url(url)
    except DigestError as error:
        logger.info("publishing %s failed: %s", url[:200], error)
        await send_html(update, context, [texts("publish_failed", reason=error)])
        return
    await _report(update, context, texts, published)


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sent a .txt, .md or .html file: digest and store it."""
    _subscriber, texts = await chat_state(update, context)
    if not is_admin(update, context):
        await send_html(update, context, [texts("admin_only")])
        return
    attachment = update.effective_message.document
    name = attachment.file_name or "upload.txt"
    if not name.lower().endswith(DOCUMENT_SUFFIXES) or (attachment.file_size or 0) > MAX_UPLOAD_BYTES:
        await send_html(update, context, [texts("document_unsupported", limit=MAX_UPLOAD_BYTES // 1_000_000)])
        return
    telegram_file = await attachment.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    try:
        published = await services(context).publish_bytes(data, name=name, content_type=attachment.mime_type)
    except DigestError as error:
        logger.info("publishing upload %s failed: %s", name, error)
        await send_html(update, context, [texts("publish_failed", reason=error)])
        return
    await _report(update, context, texts, published)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribers, articles and sent items by state: /stats (admins only)."""
    _subscriber, texts = await chat_state(update, context)
    if not is_admin(update, context):
        await send_html(update, context, [texts("admin_only")])
        return
    async with session_scope(services(context).sessions) as session:
        counts = await subscriber_queries.subscriber_counts(session)
        articles = await article_queries.count_articles(session)
        sent = await deliveries.delivery_counts(session)
        oldest = await deliveries.oldest_pending(session)
        failures = await deliveries.recent_failures(session, limit=5)
    text = texts("stats", articles=articles, **counts, **sent)
    text += "\n" + texts("stats_oldest", when=oldest.isoformat(timespec="seconds") if oldest else "-")
    for failure in failures:
        text += "\n" + texts(
            "stats_failure", chat=failure.chat_id, title=failure.article_title[:60], error=failure.error[:200]
        )
    await send_html(update, context, [text])
