"""Inline keyboards shared by handlers and the delivery worker."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import digests

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
