"""Every reply text, from gettext catalogues (``locales/<locale>/LC_MESSAGES/messages.po``).

The bot reads the compiled ``messages.mo`` beside each ``.po`` with the standard library (Babel
would cost every process ~3 MB to compile them at start); after editing a ``.po`` run
``uv run pybabel compile -d bot/locales -D messages`` — a test fails while they differ.

Message ids are names (``welcome``, ``schedule_set``); English, Simplified and Traditional
Chinese are complete (a test checks ids and placeholders). Texts are Telegram HTML; the values
put into them are escaped.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final

from digests.errors import DigestError
from storage import SpecialSchedule

LANGUAGES: Final = ("en", "zh", "zh-hant")  # as stored: English, Simplified and Traditional Chinese
_LOCALES: Final = {"en": "en", "zh": "zh_Hans", "zh-hant": "zh_Hant"}
_CATALOGUES: Final = Path(__file__).resolve().parent / "locales"
_TRADITIONAL: Final = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
_LANGUAGE_WORDS: Final = {
    **dict.fromkeys(("en", "english", "英文"), "en"),
    **dict.fromkeys(("zh", "cn", "zh-cn", "zh-hans", "zh-sg", "中文", "简体", "简体中文"), "zh"),
    **dict.fromkeys(
        ("zh-hant", "zh-tw", "zh-hk", "tw", "hk", "繁体", "繁體", "繁體中文", "繁体中文"), "zh-hant"
    ),
}
# Each language's name in itself, for the language buttons.
LANGUAGE_NAMES: Final = {"en": "English", "zh": "简体中文", "zh-hant": "繁體中文"}


# Command descriptions registered with setMyCommands, per language.
# The command menu: a reader's commands for every chat, and the admins' added in their private
# chats (Telegram's menu languages are two-letter codes: "zh" serves both scripts).
COMMANDS: Final[dict[str, list[tuple[str, str]]]] = {
    "en": [
        ("latest", "Digest of the newest article"),
        ("articles", "The 10 newest articles"),
        ("sections", "Sections of an article"),
        ("section", "One section in detail: /section N"),
        ("digest", "The full digest"),
        ("search", "Find articles by words"),
        ("subscribe", "Scheduled digests on"),
        ("unsubscribe", "Scheduled digests off"),
        ("settings", "Schedule, timezone, length, language"),
        ("schedule", "When digests come: /schedule 08:00"),
        ("timezone", "Your timezone: /timezone Asia/Shanghai"),
        ("length", "Short, normal or long digests"),
        ("language", "English, 简体中文 or 繁體中文"),
        ("format", "Rich or classic digests"),
        ("filter", "Only or never articles with these words"),
        ("whoami", "Your Telegram id"),
        ("help", "All commands"),
    ],
    "zh": [
        ("latest", "最新文章的摘要"),
        ("articles", "最新的 10 篇文章"),
        ("sections", "文章的各节"),
        ("section", "某一节的详细摘要：/section N"),
        ("digest", "完整摘要"),
        ("search", "按词语搜索文章"),
        ("subscribe", "开启定时摘要"),
        ("unsubscribe", "关闭定时摘要"),
        ("settings", "时间表、时区、长度、语言"),
        ("schedule", "摘要发送时间：/schedule 08:00"),
        ("timezone", "你的时区：/timezone Asia/Shanghai"),
        ("length", "短、中或长摘要"),
        ("language", "English、简体中文或繁體中文"),
        ("format", "富文本或经典格式的摘要"),
        ("filter", "只要或不要含有某些词的文章"),
        ("whoami", "你的 Telegram 编号"),
        ("help", "所有命令"),
    ],
}
# With READER_SOURCES on, every chat may follow feeds of its own.
READER_SOURCE_COMMANDS: Final[dict[str, list[tuple[str, str]]]] = {
    "en": [
        ("follow", "Follow a feed or site of your own: /follow URL"),
        ("unfollow", "Stop following one: /unfollow ID"),
    ],
    "zh": [
        ("follow", "关注你自己的订阅源或网站：/follow 链接"),
        ("unfollow", "取消关注：/unfollow 编号"),
    ],
}
# For the admins of groups (their menu in every group): where digests go in a group with topics.
GROUP_ADMIN_COMMANDS: Final[dict[str, list[tuple[str, str]]]] = {
    "en": [
        ("topic", "Digests to this topic (/topic off: General)"),
        ("sourcetopic", "One source's articles to this topic: /sourcetopic ID"),
    ],
    "zh": [
        ("topic", "摘要发到这个话题（/topic off：综合）"),
        ("sourcetopic", "某个订阅源的文章发到这个话题：/sourcetopic 编号"),
    ],
}
ADMIN_COMMANDS: Final[dict[str, list[tuple[str, str]]]] = {
    "en": [
        ("publish", "Publish an article: /publish URL, or send a file"),
        ("addsource", "Follow a feed or a site: /addsource URL"),
        ("sources", "The sources and their last polls"),
        ("removesource", "Stop following a source: /removesource ID"),
        ("pausesource", "Pause or resume a source: /pausesource ID"),
        ("refresh", "Poll a source now: /refresh ID"),
        ("sourcefilter", "A source's keyword filter"),
        ("channels", "The channels the bot posts to, and their settings"),
        ("stats", "Subscribers, articles, the outbox"),
    ],
    "zh": [
        ("publish", "发布文章：/publish 链接，或发送文件"),
        ("addsource", "关注订阅源或网站：/addsource 链接"),
        ("sources", "订阅源及其最近一次抓取"),
        ("removesource", "取消关注订阅源：/removesource 编号"),
        ("pausesource", "暂停或恢复订阅源：/pausesource 编号"),
        ("refresh", "立即抓取订阅源：/refresh 编号"),
        ("sourcefilter", "订阅源的关键词过滤"),
        ("channels", "机器人发布的频道及其设置"),
        ("stats", "订阅者、文章和发送队列"),
    ],
}


def language_for(code: str | None) -> str:
    """The interface language for a Telegram ``language_code``: Traditional Chinese for zh-Hant,
    zh-TW, zh-HK and zh-MO; Simplified for other zh*; else English."""
    code = (code or "").lower().replace("_", "-")
    if not code.startswith("zh"):
        return "en"
    return "zh-hant" if code.startswith(_TRADITIONAL) else "zh"


def language_choice(text: str) -> str | None:
    """What a user typed after /language, as a supported language; ``None`` when it is none."""
    return _LANGUAGE_WORDS.get(text.strip().lower().replace("_", "-"))


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language, read when first needed."""
    locale = _LOCALES.get(language, "en")
    with (_CATALOGUES / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    if locale != "en":
        translations.add_fallback(_translations("en"))
    return translations


class Texts:
    """The catalogue of one language; ``texts("key", name=value)`` fills and escapes, and
    ``texts.plural("key", n, ...)`` picks the form for the count ``n``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"
        self._translations = _translations(self.language)

    def __call__(self, key: str, **values: object) -> str:
        return self._translations.gettext(key).format(**_escaped(values))

    def plural(self, key: str, count: int, **values: object) -> str:
        """The form for ``count`` (which is also the ``{count}`` of the text)."""
        return self._translations.ngettext(key, key, count).format(**_escaped({"count": count, **values}))

    def failure(self, error: DigestError) -> str:
        """Why an article or source could not be read, in this language, as plain text (it goes
        into a message as a value, escaped there); English only for a failure the catalogue lacks."""
        key = f"reason_{error.reason}"
        if error.reason and self._translations.gettext(key) != key:
            values = {name: shorten(str(value), 60) for name, value in error.details.items()}
            return self._translations.gettext(key).format(**values)
        return str(error)


def _escaped(values: dict[str, object]) -> dict[str, str]:
    return {k: html.escape(str(v), quote=False) for k, v in values.items()}


def texts_for(language: str | None) -> Texts:
    return Texts(language or "en")


def also_in_line(origins: Sequence[tuple[str, str | None]], texts: Texts, format: str = "html") -> str:
    """ "Also in: Source B, Source C", each a link to that version where it has a web address."""
    links = []
    for name, url in origins:
        label = name or texts("also_in_unnamed")
        if url and url.startswith(("http://", "https://")) and format == "html":
            links.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(label, quote=False)}</a>')
        elif format == "html":
            links.append(html.escape(label, quote=False))
        else:
            links.append(f"{label} ({url})" if url else label)
    line = texts("also_in", links="\x00")
    if format != "html":
        line = html.unescape(re.sub(r"</?[a-z]+>", "", line))
    return line.replace("\x00", ", ".join(links))


def shorten(text: str, limit: int = 40) -> str:
    """What a user typed, cut to a short excerpt before a reply repeats it (escaping comes later)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def describe_schedule(schedule: str, texts: Texts) -> str:
    """A schedule spec in the reader's words, weekdays included."""
    if schedule in tuple(SpecialSchedule):
        return texts(f"schedule_{schedule}")
    time, _, days = schedule.partition(" ")
    if not days:
        return texts("schedule_daily", time=time)
    return texts("schedule_days", time=time, days=describe_days(days, texts))


def describe_days(days: str, texts: Texts) -> str:
    """``mon-fri,sun`` (or cron's 0-6, Monday first) as ``Mon–Fri, Sun`` in the reader's language."""

    def day(token: str) -> str:
        name = _DAYS[int(token) % 7] if token.isdigit() else token[:3]
        return texts(f"day_{name}") if name in _DAYS else token

    parts = []
    for part in days.split(","):
        first, _, last = part.partition("-")
        parts.append(texts("day_range", first=day(first), last=day(last)) if last else day(first))
    return texts("list_separator").join(parts)
