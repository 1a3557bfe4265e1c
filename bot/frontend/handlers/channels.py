"""Channels, set up by the bot's admins from their private chat: /channels lists them, each with
the settings keyboard /settings shows (applied to that channel); /channels add @name posts there."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.frontend.access import bot_admins_only
from bot.frontend.chats import may_post
from bot.frontend.context import BotContext
from bot.frontend.handlers.keyword_filters import reply_filter_changed
from bot.frontend.handlers.preferences import (
    apply_setting,
    parse_typed_setting,
    save_typed_setting,
    settings_of,
    settings_text,
    typing_error,
)
from bot.frontend.handlers.source_admin import chat_name
from bot.frontend.keyboards import settings_keyboard
from bot.texts import LANGUAGE_NAMES, Texts, describe_schedule, shorten
from bot.usecases import filtering, subscriptions
from bot.usecases.callbacks import ChannelSettingButton, ForgedCallback
from bot.usecases.schedules import ScheduleError
from bot.usecases.subscriptions import ChatInfo
from digests.filters import change_request
from storage import Subscriber, stored_id

logger = logging.getLogger(__name__)


async def _may_post(context: BotContext, channel_id: int) -> bool:
    """Whether the bot may post in the channel; a channel that removed the bot answers no."""
    try:
        return await may_post(context.bot, channel_id)
    except TelegramError as error:
        logger.info("channel %s: cannot check the bot's rights: %s", channel_id, error.message)
        return False


async def _channel_settings(context: BotContext, channel: Subscriber, texts: Texts) -> str:
    header = texts("channel_settings_header", name=chat_name(channel))
    return header + "\n" + await settings_text(context, channel, texts)


def _keyboard(channel: Subscriber, texts: Texts) -> InlineKeyboardMarkup:
    return settings_keyboard(channel, texts, channel=stored_id(channel.id))


@bot_admins_only
async def channels(update: Update, context: BotContext) -> None:
    """The channels the bot posts to, with a settings button each: /channels (admins only, in
    private); /channels add @name adds one, /channels filter @name +word -word sets its filter,
    /channels set @name schedule|timezone VALUE what the buttons' few choices do not offer."""
    texts = (await context.reader(update)).texts
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await context.reply(update, [texts("channels_private_only")])
        return
    args = context.args or []
    if len(args) == 2 and args[0].lower() == "add":
        await _add_channel(update, context, args[1])
        return
    if len(args) >= 2 and args[0].lower() == "filter":
        await _channel_filter(update, context, args[1], " ".join(args[2:]).strip())
        return
    if len(args) >= 4 and args[0].lower() == "set" and args[2].lower() in ("schedule", "timezone"):
        await _channel_set(update, context, args[1], args[2].lower(), args[3:])
        return
    if args:
        await context.reply(update, [texts("usage_channels")])
        return
    rows = await subscriptions.list_channels(context.runtime)
    if not rows:
        await context.reply(update, [texts("no_channels")])
        return
    allowed = await asyncio.gather(*(_may_post(context, row.chat_id) for row in rows))
    lines, buttons = [texts("channels_header")], []
    for row, may in zip(rows, allowed, strict=True):
        lines.append(
            texts(
                "channel_line",
                name=chat_name(row),
                status=texts("status_on" if row.active else "status_off"),
                schedule=describe_schedule(row.schedule, texts),
                timezone=row.timezone,
                language=LANGUAGE_NAMES.get(row.language, row.language),
            )
        )
        if not may:
            lines.append(texts("channel_cannot_post"))
        data = ChannelSettingButton(stored_id(row.id), "show").pack()
        buttons.append([InlineKeyboardButton("⚙ " + shorten(chat_name(row), 40), callback_data=data)])
    await context.reply(update, ["\n".join(lines)], reply_markup=InlineKeyboardMarkup(buttons[:100]))


async def _add_channel(update: Update, context: BotContext, reference: str) -> None:
    """/channels add @name: post there, once Telegram says the bot may."""
    reader = await context.reader(update)
    texts = reader.texts
    name = shorten(reference, 64)
    try:
        chat = await context.bot.get_chat(reference if reference.startswith("@") else int(reference))
    except ValueError:
        await context.reply(update, [texts("usage_channels")])
        return
    except TelegramError as error:
        await context.reply(update, [texts("channel_unknown", name=name, reason=error.message)])
        return
    if chat.type != ChatType.CHANNEL:
        await context.reply(update, [texts("channel_not_a_channel", name=name)])
        return
    if not await _may_post(context, chat.id):
        await context.reply(update, [texts("channel_cannot_post_there", name=name)])
        return
    info = ChatInfo(id=chat.id, type=chat.type, title=chat.title, username=chat.username)
    channel, _ = await subscriptions.subscribe_chat(
        context.runtime, chat=info, language=reader.subscriber.language
    )
    text = (
        texts("channel_added", name=chat_name(channel))
        + "\n"
        + await _channel_settings(context, channel, texts)
    )
    await context.reply(update, [text], reply_markup=_keyboard(channel, texts))


async def _channel_filter(update: Update, context: BotContext, reference: str, words: str) -> None:
    """/channels filter @name +word -word | clear: the channel's keyword filter."""
    texts = (await context.reader(update)).texts
    channel = await subscriptions.find_chat(context.runtime, reference=reference)
    if channel is None or channel.chat_type != ChatType.CHANNEL:
        await context.reply(update, [texts("channel_not_known", name=shorten(reference, 64))])
        return
    if not words:
        await context.reply(update, [texts("usage_channels")])
        return
    change = filtering.change_chat_filter(
        context.runtime, chat_id=channel.chat_id, words=change_request(words)
    )
    keys = ("channel_filter_set", "channel_filter_cleared")
    await reply_filter_changed(update, context, change, keys=keys, name=chat_name(channel))


async def _channel_set(
    update: Update, context: BotContext, reference: str, setting: str, words: list[str]
) -> None:
    """/channels set @name schedule 07:30 mon-fri | timezone Europe/Berlin: any schedule or
    timezone, as /schedule and /timezone take them, for a channel."""
    texts = (await context.reader(update)).texts
    channel = await subscriptions.find_chat(context.runtime, reference=reference)
    if channel is None or channel.chat_type != ChatType.CHANNEL:
        await context.reply(update, [texts("channel_not_known", name=shorten(reference, 64))])
        return
    try:
        value = parse_typed_setting(setting, words)
    except ScheduleError as error:
        await context.reply(update, [typing_error(texts, setting, error)])
        return
    channel = await save_typed_setting(context, channel, setting, value)
    text = await _channel_settings(context, channel, texts)
    await context.reply(update, [text], reply_markup=_keyboard(channel, texts))


@bot_admins_only
async def channel_button(update: Update, context: BotContext) -> None:
    """A channel's settings button: show its settings, or apply one and redraw them."""
    query = update.callback_query
    if query is None:
        return
    texts = (await context.reader(update)).texts
    try:
        button = ChannelSettingButton.unpack(query.data)
    except ForgedCallback:
        await query.answer()
        return
    channel = await subscriptions.find_channel(context.runtime, subscriber_id=button.channel)
    if channel is None:
        await query.answer(texts("channel_gone"), show_alert=True)
        return
    if button.setting == "timezone" and button.value == "?":
        await query.answer(texts("channel_timezone_hint", name=chat_name(channel)), show_alert=True)
        return
    await query.answer()
    if button.setting == "show":
        text = await _channel_settings(context, channel, texts)
        await context.reply(update, [text], reply_markup=_keyboard(channel, texts))
        return
    before = settings_of(channel)
    channel = await apply_setting(context, channel, button.setting, button.value)
    if settings_of(channel) == before:
        return
    await query.edit_message_text(
        await _channel_settings(context, channel, texts), reply_markup=_keyboard(channel, texts)
    )


HANDLERS = [
    CommandHandler("channels", channels),
    CallbackQueryHandler(channel_button, pattern=ChannelSettingButton.pattern()),
]
