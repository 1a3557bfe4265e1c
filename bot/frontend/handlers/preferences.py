"""A chat's settings: schedule, timezone, digest length and language, by command or button."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.frontend.access import chat_admins_only
from bot.frontend.context import BotContext
from bot.frontend.keyboards import settings_keyboard
from bot.texts import LANGUAGE_NAMES, LANGUAGES, Texts, describe_schedule, shorten
from bot.usecases import subscriptions
from bot.usecases.callbacks import ActionButton, ForgedCallback, SettingButton
from bot.usecases.schedules import ScheduleError, next_digest_at, parse_schedule, parse_timezone
from digests.filters import KeywordFilter
from storage import DigestFormat, DigestLength, Subscriber, utcnow

SOURCES_SHOWN = 30
Choice = TypeVar("Choice", bound=StrEnum)


async def settings_text(context: BotContext, subscriber: Subscriber, texts: Texts) -> str:
    """The settings, with the sources the chat follows."""
    followed = await subscriptions.followed_sources(context.runtime, subscriber=subscriber)
    # A chat may follow many sources: the settings stay one message (an edit cannot split).
    shown = [f"#{s.id} {shorten(s.title or s.url or '', 40)}" for s in followed[:SOURCES_SHOWN]]
    more = f" … +{len(followed) - SOURCES_SHOWN}" if len(followed) > SOURCES_SHOWN else ""
    chosen = (", ".join(shown) + more) or texts("sources_all")
    return (
        texts(
            "settings",
            status=texts("status_on" if subscriber.active else "status_off"),
            schedule=describe_schedule(subscriber.schedule, texts),
            timezone=subscriber.timezone,
            length=texts(f"length_{subscriber.digest_length}"),
            language=LANGUAGE_NAMES.get(subscriber.language, subscriber.language),
        )
        + "\n"
        + texts("settings_sources", sources=chosen)
        + "\n"
        + texts("settings_filter", filter=_filter_summary(subscriber, texts))
        + "\n"
        + texts("settings_format", format=texts(f"format_{_format_of(context, subscriber)}"))
    )


def _format_of(context: BotContext, subscriber: Subscriber) -> str:
    """The form this chat's digests take: its choice, within what the bot and its API allow."""
    return str(context.runtime.rich.form_for(subscriber.digest_format))


def _filter_summary(subscriber: Subscriber, texts: Texts) -> str:
    """The chat's keyword filter in one line: +included -excluded, or none."""
    keyword_filter = KeywordFilter.from_json(subscriber.keyword_filter)
    if keyword_filter.empty:
        return texts("settings_filter_none")
    words = [f"+{w}" for w in keyword_filter.include] + [f"-{w}" for w in keyword_filter.exclude]
    return " ".join(f'"{w[0]}{w[1:]}"' if " " in w else w for w in words)


async def settings(update: Update, context: BotContext) -> None:
    """Show the chat's settings with buttons to change them: /settings."""
    reader = await context.reader(update)
    text = await settings_text(context, reader.subscriber, reader.texts)
    await context.reply(update, [text], reply_markup=settings_keyboard(reader.subscriber, reader.texts))


@chat_admins_only
async def schedule(update: Update, context: BotContext) -> None:
    """Set when digests come: /schedule HH:MM [days] | instant | off."""
    await _set_from_arguments(update, context, setting="schedule")


@chat_admins_only
async def timezone(update: Update, context: BotContext) -> None:
    """Set the chat's timezone: /timezone Area/City or +8."""
    await _set_from_arguments(update, context, setting="timezone")


def parse_typed_setting(setting: str, words: list[str]) -> str:
    """A ``schedule`` or ``timezone`` as typed after a command; ``ScheduleError`` when it is none."""
    return parse_schedule(words) if setting == "schedule" else parse_timezone(" ".join(words))


async def save_typed_setting(
    context: BotContext, subscriber: Subscriber, setting: str, value: str
) -> Subscriber:
    """A parsed ``schedule`` or ``timezone`` saved for a chat."""
    if setting == "schedule":
        return await subscriptions.change_settings(context.runtime, subscriber=subscriber, schedule=value)
    return await subscriptions.change_settings(context.runtime, subscriber=subscriber, timezone=value)


def typing_error(texts: Texts, setting: str, error: ScheduleError) -> str:
    """What was wrong with a typed schedule or timezone, and examples, in the chat's language."""
    return texts(error.reason, text=error.text) + "\n" + texts(f"{setting}_examples")


async def _set_from_arguments(update: Update, context: BotContext, *, setting: str) -> None:
    """Parse the schedule or timezone typed after the command, save it, and confirm it; a typing
    error gets its reason and examples in the chat's language."""
    reader = await context.reader(update)
    texts = reader.texts
    try:
        value = parse_typed_setting(setting, context.args or [])
    except ScheduleError as error:
        await context.reply(update, [typing_error(texts, setting, error)])
        return
    subscriber = await save_typed_setting(context, reader.subscriber, setting, value)
    if setting == "schedule":
        text = texts("schedule_set", schedule=describe_schedule(value, texts), timezone=subscriber.timezone)
    else:
        text = texts("timezone_set", timezone=value)
    await _reply_with_next_digest(update, context, subscriber, text)


async def _reply_with_next_digest(
    update: Update, context: BotContext, subscriber: Subscriber, text: str
) -> None:
    """Confirm a change with when the next digest comes; when none will (not subscribed, or the
    schedule is off), say so, and offer to subscribe when that is why."""
    texts = context.forget_reader(subscriber).texts
    if not subscriber.active:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts("button_subscribe"), callback_data=ActionButton("subscribe").pack()
                    )
                ]
            ]
        )
        await context.reply(update, [text + "\n" + texts("not_subscribed_note")], reply_markup=keyboard)
        return
    upcoming = next_digest_at(subscriber.schedule, subscriber.timezone, after=utcnow())
    if upcoming is not None:
        local = upcoming.astimezone(ZoneInfo(subscriber.timezone)).strftime("%Y-%m-%d %H:%M")
        text += "\n" + texts("next_digest", next=local)
    await context.reply(update, [text])


def member_named(kind: type[Choice], word: str) -> Choice | None:
    """The member of a closed set a reader typed or a button carries (any case), or ``None``."""
    try:
        return kind(word.lower())
    except ValueError:
        return None


@chat_admins_only
async def length(update: Update, context: BotContext) -> None:
    """Set how long digests are: /length short|normal|long."""
    reader = await context.reader(update)
    choice = member_named(DigestLength, context.args[0] if context.args else "")
    if choice is None:
        await context.reply(update, [reader.texts("length_usage")])
        return
    await subscriptions.change_settings(context.runtime, subscriber=reader.subscriber, digest_length=choice)
    await context.reply(update, [reader.texts("length_set", length=reader.texts(f"length_{choice}"))])


@chat_admins_only
async def digest_format(update: Update, context: BotContext) -> None:
    """Choose how digests come: /format rich (headings, a collapsible block per section) or
    /format classic (for apps too old to show rich messages)."""
    reader = await context.reader(update)
    choice = member_named(DigestFormat, context.args[0] if context.args else "")
    if choice not in (DigestFormat.RICH, DigestFormat.CLASSIC):  # plain is no reader's choice
        await context.reply(update, [reader.texts("format_usage")])
        return
    await subscriptions.change_settings(context.runtime, subscriber=reader.subscriber, digest_format=choice)
    key = "format_set_classic" if choice == DigestFormat.CLASSIC else "format_set_rich"
    if choice == DigestFormat.RICH and not context.runtime.rich.available:
        key = "format_set_rich_unavailable"
    await context.reply(update, [reader.texts(key)])


def settings_of(subscriber: Subscriber) -> tuple[object, ...]:
    """What the settings keyboard shows: a press that changes none of it needs no redraw."""
    return (
        subscriber.active,
        subscriber.schedule,
        subscriber.timezone,
        subscriber.digest_length,
        subscriber.language,
    )


async def apply_setting(context: BotContext, subscriber: Subscriber, name: str, value: str) -> Subscriber:
    """Apply one settings button to a chat; an unknown, stale or label button changes nothing."""
    runtime = context.runtime
    if name == "subscribed":
        await subscriptions.set_subscribed(runtime, subscriber=subscriber, subscribed=value == "on")
    elif name == "length" and (chosen := member_named(DigestLength, value)) is not None:
        subscriber = await subscriptions.change_settings(runtime, subscriber=subscriber, digest_length=chosen)
    elif name == "language" and value in LANGUAGES:
        subscriber = await subscriptions.change_settings(runtime, subscriber=subscriber, language=value)
    elif name in ("schedule", "timezone"):
        try:
            parsed = parse_typed_setting(name, [value])
        except ScheduleError:
            return subscriber
        subscriber = await save_typed_setting(context, subscriber, name, parsed)
    return subscriber


@chat_admins_only
async def settings_button(update: Update, context: BotContext) -> None:
    """A settings button was pressed: apply it and redraw the settings (only when they changed:
    Telegram refuses an edit that changes nothing)."""
    query = update.callback_query
    if query is None:
        return
    try:
        button = SettingButton.unpack(query.data)
        name, value = button.setting, button.value
    except ForgedCallback:
        name, value = "", ""  # stale or forged: changes nothing
    reader = await context.reader(update)
    if name == "timezone" and value == "?":
        await query.answer(reader.texts("timezone_type_hint"), show_alert=True)
        return
    await query.answer()
    before = settings_of(reader.subscriber)
    subscriber = await apply_setting(context, reader.subscriber, name, value)
    if settings_of(subscriber) == before:
        return
    texts = context.forget_reader(subscriber).texts
    await query.edit_message_text(
        await settings_text(context, subscriber, texts), reply_markup=settings_keyboard(subscriber, texts)
    )


HANDLERS = [
    CommandHandler("settings", settings),
    CommandHandler("schedule", schedule),
    CommandHandler("timezone", timezone),
    CommandHandler("length", length),
    CommandHandler("format", digest_format),
    CallbackQueryHandler(settings_button, pattern=SettingButton.pattern()),
]
