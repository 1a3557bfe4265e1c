"""Inline keyboards: section buttons (handlers and the delivery worker) and the settings."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import digests
from bot.frontend.texts import Texts
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


def settings_keyboard(subscriber: Subscriber, texts: Texts) -> InlineKeyboardMarkup:
    """Length, schedule, language and subscription buttons; the current length is marked."""
    lengths = [
        InlineKeyboardButton(
            ("• " if name == subscriber.digest_length else "") + texts(f"length_{name}"),
            callback_data=f"set:length:{name}",
        )
        for name in LENGTHS
    ]
    choices = (("daily", "08:00"), ("instant", SpecialSchedule.INSTANT), ("off", SpecialSchedule.OFF))
    schedules = [
        InlineKeyboardButton(texts(f"button_schedule_{key}"), callback_data=f"set:schedule:{spec}")
        for key, spec in choices
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
