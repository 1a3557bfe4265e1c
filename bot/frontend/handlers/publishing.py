"""Publishing by admins: an article by URL (/publish) or a document sent to the bot."""

from __future__ import annotations

import logging

from telegram import Update

from bot.frontend.access import bot_admins_only
from bot.frontend.context import BotContext
from bot.usecases import publishing
from digests import DigestError

logger = logging.getLogger(__name__)


async def _report(update: Update, context: BotContext, published: publishing.Published) -> None:
    texts = (await context.reader(update)).texts
    key = "published" if published.created else "already_published"
    note = texts(key, id=published.article_id, title=published.title, sections=published.sections)
    await context.reply(update, [*published.preview, note])


@bot_admins_only
async def publish(update: Update, context: BotContext) -> None:
    """Fetch, digest and store an article: /publish URL (admins only)."""
    texts = (await context.reader(update)).texts
    if not context.args:
        await context.reply(update, [texts("usage_publish")])
        return
    url = context.args[0]
    await context.reply(update, [texts("publishing")])
    try:
        published = await publishing.publish_url(context.runtime, url)
    except DigestError as error:
        logger.info("publishing %s failed: %s", url[:200], error)
        await context.reply(update, [texts("publish_failed", reason=error)])
        return
    await _report(update, context, published)


@bot_admins_only
async def document(update: Update, context: BotContext) -> None:
    """An admin sent a .txt, .md or .html file: digest and store it."""
    texts = (await context.reader(update)).texts
    attachment = update.effective_message.document if update.effective_message else None
    if attachment is None:
        return
    name = attachment.file_name or "upload.txt"
    if not publishing.is_supported_upload(name, attachment.file_size or 0):
        limit = publishing.MAX_UPLOAD_BYTES // 1_000_000
        await context.reply(update, [texts("document_unsupported", limit=limit)])
        return
    telegram_file = await attachment.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    try:
        published = await publishing.publish_bytes(
            context.runtime, data, name=name, content_type=attachment.mime_type
        )
    except DigestError as error:
        logger.info("publishing upload %s failed: %s", name, error)
        await context.reply(update, [texts("publish_failed", reason=error)])
        return
    await _report(update, context, published)
