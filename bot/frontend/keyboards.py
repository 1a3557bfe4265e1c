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


def _label(text: str) -> str:
    return text if len(text) <= _BUTTON_TEXT else text[: _BUTTON_TEXT - 1] + "…"


def section_keyboard(article_id: int, article: digests.Article) -> InlineKeyboardMarkup | None:
    """One button per section; pressing it sends that section's digest."""
    return articles_keyboard([(article_id, article)])


def articles_keyboard(articles: Sequence[tuple[int, digests.Article]]) -> InlineKeyboardMarkup | None:
    """Section buttons of several articles; each is prefixed by its article id when there are several."""
    rows = []
    for article_id, article in articles:
        prefix = f"#{article_id} " if len(articles) > 1 else ""
        for section in article.sections:
            text = _label(f"{prefix}{section.index}. {section.heading}")
            rows.append([InlineKeyboardButton(text, callback_data=f"sec:{article_id}:{section.index}")])
    return InlineKeyboardMarkup(rows[:_MAX_BUTTONS]) if rows else None


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
