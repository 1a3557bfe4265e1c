"""Inline keyboards: section buttons (handlers and the delivery worker) and the settings."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import digests
from bot.frontend.texts import LANGUAGE_NAMES, LANGUAGES, Texts, describe_schedule
from bot.usecases.rendering import LENGTHS
from storage import SpecialSchedule, Subscriber

_BUTTON_TEXT = 40
_MAX_BUTTONS = 100  # Telegram's limit per keyboard
_PER_ROW = 8  # and per row


def _label(text: str) -> str:
    return text if len(text) <= _BUTTON_TEXT else text[: _BUTTON_TEXT - 1] + "…"


def section_keyboard(article_id: int, article: digests.Article) -> InlineKeyboardMarkup | None:
    """One button per section; pressing it sends that section's digest."""
    return articles_keyboard([(article_id, article)])


def articles_keyboard(articles: Sequence[tuple[int, digests.Article]]) -> InlineKeyboardMarkup | None:
    """Section buttons: for one article a row per section with its heading; for a grouped digest
    a row per article (``#12 · 1``, ``2``, …; a long one wraps), so every article keeps its buttons."""
    if len(articles) == 1:
        article_id, article = articles[0]
        rows = [
            [
                InlineKeyboardButton(
                    _label(f"{s.index}. {s.heading}"), callback_data=f"sec:{article_id}:{s.index}"
                )
            ]
            for s in article.sections
        ]
    else:
        rows = []
        for article_id, article in articles:
            buttons = [
                InlineKeyboardButton(
                    f"#{article_id} · {s.index}" if n == 0 else str(s.index),
                    callback_data=f"sec:{article_id}:{s.index}",
                )
                for n, s in enumerate(article.sections)
            ]
            rows += [buttons[i : i + _PER_ROW] for i in range(0, len(buttons), _PER_ROW)]
    buttons_left, kept = _MAX_BUTTONS, []
    for row in rows:  # Telegram's limit on the whole keyboard
        if len(row) > buttons_left:
            break
        kept.append(row)
        buttons_left -= len(row)
    return InlineKeyboardMarkup(kept) if kept else None


# A few zones to pick with one press, by interface language; any other is typed (/timezone).
COMMON_ZONES: dict[str, tuple[str, ...]] = {
    "en": ("UTC", "Europe/London", "America/New_York"),
    "zh": ("Asia/Shanghai", "UTC"),
    "zh-hant": ("Asia/Taipei", "Asia/Hong_Kong"),
}


def settings_keyboard(subscriber: Subscriber, texts: Texts) -> InlineKeyboardMarkup:
    """One labeled row per setting (length, schedule, timezone, language), the current choice
    marked with •, then the subscription button."""

    def choice(label: str, data: str, current: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(("• " if current else "") + label, callback_data=data)

    def label(key: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(texts(key), callback_data="set:noop")

    schedules = {"08:00": "daily", SpecialSchedule.INSTANT: "instant", SpecialSchedule.OFF: "off"}
    schedule_row = [
        choice(texts(f"button_schedule_{key}"), f"set:schedule:{spec}", subscriber.schedule == spec)
        for spec, key in schedules.items()
    ]
    if subscriber.schedule not in schedules:  # a schedule typed with /schedule: shown, marked
        schedule_row.append(choice(describe_schedule(subscriber.schedule, texts), "set:noop", True))
    zones = list(
        dict.fromkeys((*COMMON_ZONES.get(subscriber.language, COMMON_ZONES["en"]), subscriber.timezone))
    )
    zone_row = [
        choice(zone.rsplit("/", 1)[-1].replace("_", " "), f"set:timezone:{zone}", zone == subscriber.timezone)
        for zone in zones
        if len(f"set:timezone:{zone}".encode()) <= 64
    ]
    subscription = (
        InlineKeyboardButton(texts("button_unsubscribe"), callback_data="set:subscribed:off")
        if subscriber.active
        else InlineKeyboardButton(texts("button_subscribe"), callback_data="set:subscribed:on")
    )
    return InlineKeyboardMarkup(
        [
            [label("settings_row_length")]
            + [
                choice(texts(f"length_{name}"), f"set:length:{name}", name == subscriber.digest_length)
                for name in LENGTHS
            ],
            [label("settings_row_schedule"), *schedule_row],
            [
                label("settings_row_timezone"),
                *zone_row,
                InlineKeyboardButton(texts("button_timezone_other"), callback_data="set:timezone:?"),
            ],
            [label("settings_row_language")]
            + [
                choice(LANGUAGE_NAMES[language], f"set:language:{language}", language == subscriber.language)
                for language in LANGUAGES
            ],
            [subscription],
        ]
    )


def briefing_keyboard(
    articles: Sequence[tuple[int, digests.Article]], *, first_number: int, overview: str
) -> InlineKeyboardMarkup:
    """A row per briefing item: its overview, then its first three sections."""
    rows = []
    for number, (article_id, article) in enumerate(articles, first_number):
        row = [InlineKeyboardButton(f"{number}. {overview}", callback_data=f"art:{article_id}")]
        row += [
            InlineKeyboardButton(f"§{s.index}", callback_data=f"sec:{article_id}:{s.index}")
            for s in article.sections[:3]
        ]
        rows.append(row)
    return InlineKeyboardMarkup(rows)
