"""Publishing by admins: an article by URL (/publish) or a document sent to the bot."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.frontend.access import bot_admins_only
from bot.frontend.context import BotContext
from bot.logs import safe
from bot.texts import Texts, shorten, texts_for
from bot.usecases import publishing, subscriptions
from bot.usecases.runtime import Runtime
from digests import DigestError
from storage.models import PendingUpload

logger = logging.getLogger(__name__)


def _outcome(texts: Texts, published: publishing.Published) -> list[str]:
    """The preview, then what happened: published with N sections, or stored already."""
    if published.created:
        note = texts.plural(
            "published",
            published.sections,
            id=published.article_id,
            title=published.title,
            sections=published.sections,
        )
    else:
        note = texts("already_published", id=published.article_id)
    return [*published.preview, note]


async def _report(update: Update, context: BotContext, published: publishing.Published) -> None:
    texts = (await context.reader(update)).texts
    await context.reply(update, _outcome(texts, published))


@bot_admins_only
async def publish(update: Update, context: BotContext) -> None:
    """Fetch, digest and store an article: /publish URL (admins only)."""
    texts = (await context.reader(update)).texts
    if not context.args:
        await context.reply(update, [texts("usage_publish")])
        return
    url = context.args[0]
    if "://" not in url:  # a path or a word: only web addresses are fetched
        await context.reply(update, [texts("publish_not_a_url", reference=shorten(url))])
        return
    await context.reply(update, [texts("publishing")])
    try:
        published = await publishing.publish_url(context.runtime, url)
    except DigestError as error:
        logger.info("publishing %s failed: %s", url[:200], error)
        await context.reply(update, [texts("publish_failed", reason=texts.failure(error))])
        return
    await _report(update, context, published)


@bot_admins_only
async def document(update: Update, context: BotContext) -> None:
    """An admin sent a .txt, .md or .html file: remember it, then digest and store it."""
    texts = (await context.reader(update)).texts
    attachment = update.effective_message.document if update.effective_message else None
    if attachment is None or update.effective_chat is None:
        return
    name = attachment.file_name or "upload.txt"
    if not publishing.is_supported_upload(name, attachment.file_size or 0):
        limit = publishing.MAX_UPLOAD_BYTES // 1_000_000
        await context.reply(update, [texts("document_unsupported", limit=limit)])
        return
    upload = await publishing.remember_upload(
        context.runtime,
        chat_id=update.effective_chat.id,
        file_id=attachment.file_id,
        file_name=name,
        mime_type=attachment.mime_type,
    )
    await publish_upload(context.bot, context.runtime, upload, texts)


async def publish_upload(bot: Bot, runtime: Runtime, upload: PendingUpload, texts: Texts) -> None:
    """Download, publish and answer a remembered upload, then forget it; the admin always gets
    a reply, also when the file cannot be read or fetched any more."""
    try:
        telegram_file = await bot.get_file(upload.file_id)
        data = bytes(await telegram_file.download_as_bytearray())
        published = await publishing.publish_bytes(
            runtime, data, name=upload.file_name, content_type=upload.mime_type
        )
    except DigestError as error:
        logger.info("publishing upload %s failed: %s", safe(upload.file_name), error)
        messages = [texts("publish_failed", reason=texts.failure(error))]
    except TelegramError as error:
        logger.warning("upload %s could not be downloaded: %s", safe(upload.file_name), safe(error))
        messages = [texts("upload_lost", name=upload.file_name)]
    else:
        messages = _outcome(texts, published)
    for text in messages:
        await bot.send_message(upload.chat_id, text)
    await publishing.forget_upload(runtime, upload_id=upload.id or 0)


async def resume_uploads(bot: Bot, runtime: Runtime) -> None:
    """After a restart: publish what a crash left unpublished, and answer the admins who sent it."""
    try:
        uploads = await publishing.pending_uploads(runtime)
    except Exception as error:  # the database is down: the uploads wait for the next start
        logger.warning("could not look for interrupted uploads: %s", safe(error))
        return
    for upload in uploads:
        logger.info("resuming the upload %s from chat %s", safe(upload.file_name), upload.chat_id)
        language = await subscriptions.chat_language(runtime, chat_id=upload.chat_id)
        try:
            await publish_upload(bot, runtime, upload, texts_for(language))
        except TelegramError as error:
            logger.warning("could not answer chat %s about its upload: %s", upload.chat_id, safe(error))


HANDLERS = [
    CommandHandler("publish", publish),
    MessageHandler(filters.Document.ALL, document),
]
