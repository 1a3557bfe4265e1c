"""Inline keyboards: the settings keyboard, and composed keyboards (``bot.usecases.compose``) as
python-telegram-bot markup."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import LANGUAGE_NAMES, LANGUAGES, Texts, describe_schedule
from bot.usecases.callbacks import CallbackData, ChannelSettingButton, SettingButton
from bot.usecases.compose import Keyboard
from storage import DigestLength, SpecialSchedule, Subscriber


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """A composed keyboard as python-telegram-bot's markup (``None`` for no buttons)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.callback_data)
                for b in row
            ]
            for row in keyboard
        ]
    )


# A few zones to pick with one press, by interface language; any other is typed (/timezone).
COMMON_ZONES: dict[str, tuple[str, ...]] = {
    "en": ("UTC", "Europe/London", "America/New_York"),
    "zh": ("Asia/Shanghai", "UTC"),
    "zh-hant": ("Asia/Taipei", "Asia/Hong_Kong"),
}


def settings_keyboard(
    subscriber: Subscriber, texts: Texts, *, channel: int | None = None
) -> InlineKeyboardMarkup:
    """One labeled row per setting (length, schedule, timezone, language), the current choice
    marked with •, then the subscription button; for the channel whose row id is ``channel``
    when an admin sets a channel up from a private chat."""

    def button(setting: str, value: str = "") -> CallbackData:
        if channel is None:
            return SettingButton(setting, value)
        return ChannelSettingButton(channel, setting, value)

    def data(setting: str, value: str = "") -> str:
        return button(setting, value).pack()

    def choice(label: str, data: str, current: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(("• " if current else "") + label, callback_data=data)

    def label(key: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(texts(key), callback_data=SettingButton("noop").pack())

    schedules = {"08:00": "daily", SpecialSchedule.INSTANT: "instant", SpecialSchedule.OFF: "off"}
    schedule_row = [
        choice(
            texts(f"button_schedule_{key}"),
            data("schedule", spec),
            subscriber.schedule == spec,
        )
        for spec, key in schedules.items()
    ]
    if subscriber.schedule not in schedules:  # a schedule typed with /schedule: shown, marked
        schedule_row.append(choice(describe_schedule(subscriber.schedule, texts), data("noop"), True))
    zones = list(
        dict.fromkeys((*COMMON_ZONES.get(subscriber.language, COMMON_ZONES["en"]), subscriber.timezone))
    )
    zone_row = [
        choice(
            zone.rsplit("/", 1)[-1].replace("_", " "),
            data("timezone", zone),
            zone == subscriber.timezone,
        )
        for zone in zones
        if button("timezone", zone).fits()
    ]
    subscription = (
        InlineKeyboardButton(texts("button_unsubscribe"), callback_data=data("subscribed", "off"))
        if subscriber.active
        else InlineKeyboardButton(texts("button_subscribe"), callback_data=data("subscribed", "on"))
    )
    return InlineKeyboardMarkup(
        [
            [label("settings_row_length")]
            + [
                choice(
                    texts(f"length_{name}"),
                    data("length", name),
                    name == subscriber.digest_length,
                )
                for name in DigestLength
            ],
            [label("settings_row_schedule"), *schedule_row],
            [
                label("settings_row_timezone"),
                *zone_row,
                InlineKeyboardButton(texts("button_timezone_other"), callback_data=data("timezone", "?")),
            ],
            [label("settings_row_language")]
            + [
                choice(
                    LANGUAGE_NAMES[language],
                    data("language", language),
                    language == subscriber.language,
                )
                for language in LANGUAGES
            ],
            [subscription],
        ]
    )
