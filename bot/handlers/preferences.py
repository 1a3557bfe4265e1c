"""A chat's settings: schedule, timezone, digest length and language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.handlers.common import chat_state, managed_chat_state, may_manage_chat, send_html, services
from bot.handlers.subscription import describe_schedule, set_subscribed
from bot.schedules import ScheduleError, next_digest_at, parse_schedule, parse_timezone
from bot.services import LENGTHS
from bot.texts import Texts, texts_for
from storage import Subscriber, session_scope, utcnow
from storage import sources as source_queries
from storage import subscribers as subscriber_queries


def settings_text(subscriber: Subscriber, texts: Texts) -> str:
    return texts(
        "settings",
        status=texts("status_on" if subscriber.active else "status_off"),
        schedule=describe_schedule(subscriber.schedule, texts),
        timezone=subscriber.timezone,
        length=texts(f"length_{subscriber.digest_length}"),
        language=texts("language_name"),
    )


def settings_keyboard(subscriber: Subscriber, texts: Texts) -> InlineKeyboardMarkup:
    lengths = [
        InlineKeyboardButton(
            ("• " if name == subscriber.digest_length else "") + texts(f"length_{name}"),
            callback_data=f"set:length:{name}",
        )
        for name in LENGTHS
    ]
    schedules = [
        InlineKeyboardButton(texts("button_schedule_daily"), callback_data="set:schedule:08:00"),
        InlineKeyboardButton(texts("button_schedule_instant"), callback_data="set:schedule:instant"),
        InlineKeyboardButton(texts("button_schedule_off"), callback_data="set:schedule:off"),
    ]
    other_language = "en" if subscriber.language == "zh" else "zh"
    last_row = [
        InlineKeyboardButton(
            texts("button_settings_language"), callback_data=f"set:language:{other_language}"
        )
    ]
    if subscriber.active:
        last_row.append(InlineKeyboardButton(texts("button_unsubscribe"), callback_data="set:subscribed:off"))
    else:
        last_row.append(InlineKeyboardButton(texts("button_subscribe"), callback_data="set:subscribed:on"))
    return InlineKeyboardMarkup([lengths, schedules, last_row])


async def _save(context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber, **changes: str) -> Subscriber:
    """Apply changes and recompute the next digest time from the new schedule and timezone."""
    schedule = changes.get("schedule", subscriber.schedule)
    timezone = changes.get("timezone", subscriber.timezone)
    due = next_digest_at(schedule, timezone, after=utcnow())
    async with session_scope(services(context).sessions) as session:
        session.add(subscriber)
        return await subscriber_queries.update_settings(
            session, subscriber=subscriber, next_digest_at=due, **changes
        )


async def full_settings_text(context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber, texts: Texts) -> str:
    """The settings, with the sources the chat follows."""
    async with session_scope(services(context).sessions) as session:
        followed = await source_queries.followed_sources(session, subscriber=subscriber)
    chosen = ", ".join(f"#{s.id} {s.title or s.url}" for s in followed) or texts("sources_all")
    return settings_text(subscriber, texts) + "\n" + texts("settings_sources", sources=chosen)


async def settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the chat's settings with buttons to change them: /settings."""
    subscriber, texts = await chat_state(update, context)
    text = await full_settings_text(context, subscriber, texts)
    await send_html(update, context, [text], reply_markup=settings_keyboard(subscriber, texts))


async def schedule(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set when digests come: /schedule HH:MM [days] | instant | off."""
    state = await managed_chat_state(update, context)
    if state is None:
        return
    subscriber, texts = state
    try:
        spec = parse_schedule(context.args or [])
    except ScheduleError as error:
        await send_html(update, context, [texts("schedule_usage", error=error)])
        return
    subscriber = await _save(context, subscriber, schedule=spec)
    await send_html(
        update,
        context,
        [texts("schedule_set", schedule=describe_schedule(spec, texts), timezone=subscriber.timezone)],
    )


async def timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set the chat's timezone: /timezone Area/City or +8."""
    state = await managed_chat_state(update, context)
    if state is None:
        return
    subscriber, texts = state
    try:
        if not context.args:
            raise ScheduleError("missing timezone")
        zone = parse_timezone(" ".join(context.args))
    except ScheduleError as error:
        await send_html(update, context, [texts("timezone_usage", error=error)])
        return
    subscriber = await _save(context, subscriber, timezone=zone)
    upcoming = next_digest_at(subscriber.schedule, zone, after=utcnow())
    shown = upcoming.astimezone(_zone(zone)).strftime("%Y-%m-%d %H:%M") if upcoming else texts("next_none")
    await send_html(update, context, [texts("timezone_set", timezone=zone, next=shown)])


def _zone(name: str):  # noqa: ANN202 - a tzinfo
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


async def length(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set how long digests are: /length short|normal|long."""
    subscriber, texts = await chat_state(update, context)
    choice = context.args[0].lower() if context.args else ""
    if choice not in LENGTHS:
        await send_html(update, context, [texts("length_usage")])
        return
    await _save(context, subscriber, digest_length=choice)
    await send_html(update, context, [texts("length_set", length=texts(f"length_{choice}"))])


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A settings button was pressed: apply it and redraw the settings."""
    query = update.callback_query
    await query.answer()
    subscriber, texts = await chat_state(update, context)
    _prefix, name, value = (query.data or "::").split(":", 2)
    if not await may_manage_chat(update, context):
        await send_html(update, context, [texts("group_admins_only")])
        return
    if name == "subscribed":
        await set_subscribed(context, subscriber, subscribed=value == "on")
    elif name == "length" and value in LENGTHS:
        subscriber = await _save(context, subscriber, digest_length=value)
    elif name == "language" and value in ("en", "zh"):
        subscriber = await _save(context, subscriber, language=value)
        texts = texts_for(value)
    elif name == "schedule":
        try:
            subscriber = await _save(context, subscriber, schedule=parse_schedule([value]))
        except ScheduleError:
            return
    await query.edit_message_text(
        await full_settings_text(context, subscriber, texts),
        parse_mode=ParseMode.HTML,
        reply_markup=settings_keyboard(subscriber, texts),
    )
