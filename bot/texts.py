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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
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


class Audience(StrEnum):
    """Whose menu and /help show a command."""

    READERS = "readers"  # every chat
    OWN_SOURCES = "own_sources"  # every chat, with READER_SOURCES on
    GROUP_ADMINS = "group_admins"  # the admins of a group: where digests go in a group with topics
    BOT_ADMINS = "bot_admins"  # the bot's admins, in their private chats


@dataclass(frozen=True)
class Command:
    """One command: its audience and its menu description in each menu language. Its line in
    /help is the catalogue's ``help_<name>`` (the arguments and what it does)."""

    name: str
    audience: Audience
    menu: Mapping[str, str]


# Telegram's menu languages are two-letter codes: "zh" serves both scripts.
MENU_LANGUAGES: Final = ("en", "zh")


def _command(name: str, audience: Audience, en: str, zh: str) -> Command:
    return Command(name, audience, {"en": en, "zh": zh})


_R, _O, _G, _A = Audience.READERS, Audience.OWN_SOURCES, Audience.GROUP_ADMINS, Audience.BOT_ADMINS
# Every command a chat can send but /start, in the order of the menu and of /help.
COMMANDS: Final[tuple[Command, ...]] = (
    _command("latest", _R, "Digest of the newest article", "最新文章的摘要"),
    _command("articles", _R, "The 10 newest articles", "最新的 10 篇文章"),
    _command("sections", _R, "Sections of an article", "文章的各节"),
    _command("section", _R, "One section in detail: /section N", "某一节的详细摘要：/section N"),
    _command("digest", _R, "The full digest", "完整摘要"),
    _command("search", _R, "Find articles by words", "按词语搜索文章"),
    _command("subscribe", _R, "Scheduled digests on", "开启定时摘要"),
    _command("unsubscribe", _R, "Scheduled digests off", "关闭定时摘要"),
    _command("settings", _R, "Schedule, timezone, length, language", "时间表、时区、长度、语言"),
    _command("schedule", _R, "When digests come: /schedule 08:00", "摘要发送时间：/schedule 08:00"),
    _command("timezone", _R, "Your timezone: /timezone Asia/Shanghai", "你的时区：/timezone Asia/Shanghai"),
    _command("length", _R, "Short, normal or long digests", "短、中或长摘要"),
    _command("language", _R, "English, 简体中文 or 繁體中文", "English、简体中文或繁體中文"),
    _command("format", _R, "Rich or classic digests", "富文本或经典格式的摘要"),
    _command("filter", _R, "Only or never articles with these words", "只要或不要含有某些词的文章"),
    _command("whoami", _R, "Your Telegram id", "你的 Telegram 编号"),
    _command("help", _R, "All commands", "所有命令"),
    _command(
        "follow",
        _O,
        "Follow a feed or site of your own: /follow URL",
        "关注你自己的订阅源或网站：/follow 链接",
    ),
    _command("unfollow", _O, "Stop following one: /unfollow ID", "取消关注：/unfollow 编号"),
    _command(
        "topic", _G, "Digests to this topic (/topic off: General)", "摘要发到这个话题（/topic off：综合）"
    ),
    _command(
        "sourcetopic",
        _G,
        "One source's articles to this topic: /sourcetopic ID",
        "某个订阅源的文章发到这个话题：/sourcetopic 编号",
    ),
    _command(
        "publish",
        _A,
        "Publish an article: /publish URL, or send a file",
        "发布文章：/publish 链接，或发送文件",
    ),
    _command("addsource", _A, "Follow a feed or a site: /addsource URL", "关注订阅源或网站：/addsource 链接"),
    _command("sources", _A, "The sources and their last polls", "订阅源及其最近一次抓取"),
    _command(
        "removesource", _A, "Stop following a source: /removesource ID", "取消关注订阅源：/removesource 编号"
    ),
    _command(
        "pausesource", _A, "Pause or resume a source: /pausesource ID", "暂停或恢复订阅源：/pausesource 编号"
    ),
    _command("refresh", _A, "Poll a source now: /refresh ID", "立即抓取订阅源：/refresh 编号"),
    _command("sourcefilter", _A, "A source's keyword filter", "订阅源的关键词过滤"),
    _command("channels", _A, "The channels the bot posts to, and their settings", "机器人发布的频道及其设置"),
    _command("stats", _A, "Subscribers, articles, the outbox", "订阅者、文章和发送队列"),
)


def audiences_of(
    *, reader_sources: bool, group_admin: bool = False, bot_admin: bool = False
) -> set[Audience]:
    """Whose commands a menu or /help shows: everyone's, the chat's own sources' when
    READER_SOURCES is on, the group settings commands (the menu of a group's admins; /help in a
    group, where they answer only its admins) and the bot's admins' commands."""
    chosen = {Audience.READERS}
    chosen |= {Audience.OWN_SOURCES} if reader_sources else set()
    chosen |= {Audience.GROUP_ADMINS} if group_admin else set()
    return chosen | ({Audience.BOT_ADMINS} if bot_admin else set())


def command_menu(audiences: Collection[Audience], language: str) -> list[tuple[str, str]]:
    """(name, description) of these audiences' commands, for a menu in ``language``."""
    return [(c.name, c.menu[language]) for c in COMMANDS if c.audience in audiences]


def command_help(texts: Texts, audiences: Collection[Audience]) -> str:
    """/help: a line for each of these audiences' commands; the bot admins' under a heading of
    their own."""

    def lines(chosen: Collection[Audience]) -> str:
        return "\n".join(f"/{c.name} {texts(f'help_{c.name}')}" for c in COMMANDS if c.audience in chosen)

    text = texts("help") + "\n" + lines(set(audiences) - {Audience.BOT_ADMINS})
    if Audience.BOT_ADMINS in audiences:
        text += "\n\n" + texts("help_admin") + "\n" + lines({Audience.BOT_ADMINS})
    return text


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
