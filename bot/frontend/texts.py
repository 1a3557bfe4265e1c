"""Every reply text, one catalogue per language (Telegram HTML; arguments are escaped)."""

from __future__ import annotations

import html
from typing import Final

from storage import SpecialSchedule

LANGUAGES: Final = ("en", "zh")


EN: Final[dict[str, str]] = {
    "welcome": (
        "<b>Hello! I send digests of long articles.</b>\n"
        "For each article: the lead, then every section's heading with its key sentences.\n\n"
        "Subscribe to get digests on your schedule, or ask for the latest one now. /help lists all commands."
    ),
    "help": (
        "<b>Commands</b>\n"
        "/latest – digest of the newest article\n"
        "/articles – the 10 newest articles\n"
        "/sections [id] – the sections of an article\n"
        "/section N [id] – one section in detail (N: 2, 二 or words of the heading)\n"
        "/digest [id] – the full digest, every section\n"
        "/subscribe, /unsubscribe – scheduled digests on or off\n"
        "/subscribe ID, /unsubscribe ID – only chosen sources; /subscribe all – every source\n"
        "/settings – schedule, timezone, length and language\n"
        "/schedule HH:MM [days] | instant | off\n"
        "/timezone Area/City (or +8)\n"
        "/length short|normal|long\n"
        "/language en|zh"
    ),
    "help_admin": (
        "\n\n<b>Admin</b>\n/publish URL – or send a .txt, .md or .html file\n/stats – numbers\n"
        "/addsource URL – follow a feed or page\n/sources – followed sources\n"
        "/pausesource ID, /removesource ID"
    ),
    "button_subscribe": "Subscribe",
    "button_latest": "Latest digest",
    "subscribed": "Subscribed. You will get digests {schedule} ({timezone}). Change it with /settings.",
    "already_subscribed": "You are already subscribed: digests {schedule} ({timezone}).",
    "unsubscribed": "Unsubscribed. No more scheduled digests; commands still work.",
    "not_subscribed": "You were not subscribed. /subscribe starts scheduled digests.",
    "group_admins_only": "Only the admins of this chat can change its subscription and settings.",
    "no_articles": "No articles yet. An admin can /publish one.",
    "articles_header": "<b>Newest articles</b>",
    "article_line": "<code>{id}</code> {title} · {date}",
    "articles_hint": "Use /sections ID or /digest ID.",
    "sections_header": "<b>{title}</b>\nSections:",
    "no_sections": "<b>{title}</b>\nThis article has no sections; /digest {id} shows all of it.",
    "section_line": "{number}. {heading}",
    "section_not_found": "There is no section {requested}. This article has {count}:",
    "section_not_found_words": "No section's heading contains “{requested}”. This article has {count}:",
    "usage_section": "Which section? Example: /section 2 (or /section 二, or words of the heading).",
    "article_not_found": "There is no article {reference}. /articles lists them with their ids.",
    "settings": (
        "<b>Settings</b>\nSubscription: {status}\nSchedule: {schedule}\nTimezone: {timezone}\n"
        "Length: {length}\nLanguage: {language}"
    ),
    "status_on": "on",
    "status_off": "off",
    "schedule_daily": "every day at {time}",
    "schedule_days": "{days} at {time}",
    "day_mon": "Mon",
    "day_tue": "Tue",
    "day_wed": "Wed",
    "day_thu": "Thu",
    "day_fri": "Fri",
    "day_sat": "Sat",
    "day_sun": "Sun",
    "day_range": "{first}–{last}",
    "list_separator": ", ",
    "schedule_instant": "as soon as articles are published",
    "schedule_off": "never (scheduled digests are off)",
    "schedule_set": "Schedule set: {schedule} ({timezone}).",
    "schedule_missing": "When should digests come?",
    "schedule_bad_time": "“{text}” is not a time of day (00:00 to 23:59).",
    "schedule_bad_days": "“{text}” is not a list of weekdays.",
    "schedule_examples": "Examples: /schedule 07:30, /schedule 08:00 mon-fri, /schedule instant, /schedule off",
    "timezone_set": "Timezone set: {timezone}.",
    "timezone_missing": "Which timezone?",
    "timezone_unknown": "“{text}” is not a timezone I know.",
    "timezone_not_whole_hour": "There is no whole-hour zone for {text}; name a city such as Asia/Kolkata.",
    "timezone_examples": "Example: /timezone Asia/Shanghai or /timezone +8",
    "next_digest": "Next digest: {next}.",
    "not_subscribed_note": "You are not subscribed, so no digest will come until you subscribe.",
    "length_set": "Digest length: {length}.",
    "length_usage": "Choose one: /length short, /length normal or /length long.",
    "length_short": "short",
    "length_normal": "normal",
    "length_long": "long",
    "language_set": "Language: English.",
    "language_usage": "Choose one: /language en or /language zh.",
    "language_name": "English",
    "admin_only": "Sorry, only the bot's admins can do that.",
    "usage_publish": "Send /publish URL, or send me a .txt, .md or .html file.",
    "publishing": "Reading the article…",
    "published": "Published #{id} “{title}” with {sections} sections.",
    "already_published": "This article is stored already as #{id}.",
    "publish_failed": "Could not publish it: {reason}",
    "document_unsupported": "I can read .txt, .md and .html files (up to {limit} MB).",
    "stats": (
        "<b>Stats</b>\nSubscribers: {active} active, {inactive} not subscribed, {deactivated} deactivated\n"
        "Articles: {articles}\nSent items: {pending} pending, {sending} sending, {sent} sent, {failed} failed"
    ),
    "stats_oldest": "Oldest waiting item: {when}",
    "stats_retrying": "Waiting to retry after errors (an outage, flood control): {count}",
    "upload_lost": "I could not download {name} from Telegram any more. Please send it again.",
    "stats_failure": "✗ chat {chat} · {title}: {error}",
    "follow_usage": "Which source? /subscribe ID or /unsubscribe ID (ids in /settings and /sources), or /subscribe all.",
    "following_source": "Subscribed to source #{id} {title}. Other sources: /subscribe ID; all of them: /subscribe all.",
    "following_all": "Subscribed to all sources.",
    "unfollowed_source": "No more articles from source #{id} {title}.",
    "settings_sources": "Sources: {sources}",
    "sources_all": "all",
    "usage_addsource": "Send /addsource URL of a feed (RSS, Atom) or a web page.",
    "usage_removesource": "Which source? /removesource ID (see /sources).",
    "usage_pausesource": "Which source? /pausesource ID (see /sources).",
    "source_failed": "Could not follow it: {reason}",
    "source_added": "Following #{id} {title} ({kind}); {entries} earlier entries stored, not sent.",
    "source_exists": "Already following it as #{id} {title}.",
    "source_not_found": "There is no source {id}. /sources lists them.",
    "no_sources": "No sources yet. /addsource URL follows a feed or page.",
    "sources_header": "<b>Sources</b>",
    "source_line": "<code>{id}</code> {title} · {kind} · {state}",
    "source_error": "   ✗ {error} ({count} failures in a row)",
    "source_active": "active",
    "source_paused": "paused",
    "source_removed": "Source #{id} removed; its articles stay.",
    "source_auto_paused": "Source #{id} ({url}) is paused after {count} failed polls in a row. Last error: {error}. /pausesource {id} resumes it.",
    "source_paused_now": "Source #{id} paused. /pausesource {id} resumes it.",
    "source_resumed": "Source #{id} resumed.",
    "unknown_command": "I don't know that command. /help lists what I can do.",
    "plain_text_hint": "I answer commands, such as /latest or /section 2. /help lists them all.",
    "publish_not_a_url": "{reference} is not a web address. Send /publish https://…, or send me the file itself.",
    "error": "Something went wrong on my side. Please try again later.",
    "button_settings_length": "Length: {length}",
    "button_settings_language": "中文",
    "button_schedule_instant": "Instant",
    "button_schedule_daily": "Daily 08:00",
    "button_schedule_off": "Off",
    "button_unsubscribe": "Unsubscribe",
}

ZH: Final[dict[str, str]] = {
    "welcome": (
        "<b>你好！我为长文章发送摘要。</b>\n"
        "每篇文章：先是导语，然后是每一节的标题和要点句。\n\n"
        "订阅后按你的时间表接收摘要，或者现在就看最新一篇。/help 列出所有命令。"
    ),
    "help": (
        "<b>命令</b>\n"
        "/latest – 最新文章的摘要\n"
        "/articles – 最新的 10 篇文章\n"
        "/sections [编号] – 文章的各节\n"
        "/section N [编号] – 某一节的详细摘要（N：2、二 或标题中的词）\n"
        "/digest [编号] – 完整摘要，包括每一节\n"
        "/subscribe、/unsubscribe – 开启或关闭定时摘要\n"
        "/subscribe 编号、/unsubscribe 编号 – 只接收选定来源；/subscribe all – 全部来源\n"
        "/settings – 时间表、时区、长度和语言\n"
        "/schedule HH:MM [星期] | instant | off\n"
        "/timezone 地区/城市（或 +8）\n"
        "/length short|normal|long\n"
        "/language en|zh"
    ),
    "help_admin": (
        "\n\n<b>管理员</b>\n/publish 网址 – 或发送 .txt、.md、.html 文件\n/stats – 统计\n"
        "/addsource 网址 – 关注订阅源或网页\n/sources – 已关注的来源\n/pausesource 编号、/removesource 编号"
    ),
    "button_subscribe": "订阅",
    "button_latest": "最新摘要",
    "subscribed": "已订阅。摘要时间：{schedule}（{timezone}）。可用 /settings 修改。",
    "already_subscribed": "你已经订阅了。摘要时间：{schedule}（{timezone}）。",
    "unsubscribed": "已取消订阅。不再发送定时摘要；命令仍然可用。",
    "not_subscribed": "你还没有订阅。/subscribe 开启定时摘要。",
    "group_admins_only": "只有本群的管理员可以修改订阅和设置。",
    "no_articles": "还没有文章。管理员可以用 /publish 发布。",
    "articles_header": "<b>最新文章</b>",
    "article_line": "<code>{id}</code> {title} · {date}",
    "articles_hint": "用 /sections 编号 或 /digest 编号 查看。",
    "sections_header": "<b>{title}</b>\n各节：",
    "no_sections": "<b>{title}</b>\n这篇文章没有分节；/digest {id} 显示全文摘要。",
    "section_line": "{number}. {heading}",
    "section_not_found": "没有第 {requested} 节。这篇文章共有 {count} 节：",
    "section_not_found_words": "没有哪一节的标题包含“{requested}”。这篇文章共有 {count} 节：",
    "usage_section": "要看哪一节？例如：/section 2（或 /section 二，或标题中的词）。",
    "article_not_found": "没有编号为 {reference} 的文章。/articles 列出文章及编号。",
    "settings": "<b>设置</b>\n订阅：{status}\n时间表：{schedule}\n时区：{timezone}\n长度：{length}\n语言：{language}",
    "status_on": "已开启",
    "status_off": "未开启",
    "schedule_daily": "每天 {time}",
    "day_mon": "周一",
    "day_tue": "周二",
    "day_wed": "周三",
    "day_thu": "周四",
    "day_fri": "周五",
    "day_sat": "周六",
    "day_sun": "周日",
    "day_range": "{first}至{last}",
    "list_separator": "、",
    "schedule_days": "{days} {time}",
    "schedule_instant": "即时（文章一发布就发送）",
    "schedule_off": "关闭（不发送定时摘要）",
    "schedule_set": "时间表已设为：{schedule}（{timezone}）。",
    "schedule_missing": "摘要什么时候发送？",
    "schedule_bad_time": "“{text}”不是一天中的时间（00:00 至 23:59）。",
    "schedule_bad_days": "“{text}”不是星期的列表。",
    "schedule_examples": "例如：/schedule 07:30、/schedule 08:00 mon-fri、/schedule instant、/schedule off",
    "timezone_set": "时区已设为：{timezone}。",
    "timezone_missing": "哪个时区？",
    "timezone_unknown": "我不认识“{text}”这个时区。",
    "timezone_not_whole_hour": "{text} 没有整点时区；请用城市名，例如 Asia/Kolkata。",
    "timezone_examples": "例如：/timezone Asia/Shanghai 或 /timezone +8",
    "next_digest": "下一次摘要：{next}。",
    "not_subscribed_note": "你还没有订阅，订阅之前不会收到摘要。",
    "length_set": "摘要长度：{length}。",
    "length_usage": "请选择：/length short、/length normal 或 /length long。",
    "length_short": "简短",
    "length_normal": "标准",
    "length_long": "详细",
    "language_set": "语言：中文。",
    "language_usage": "请选择：/language en 或 /language zh。",
    "language_name": "中文",
    "admin_only": "抱歉，只有机器人的管理员可以这样做。",
    "usage_publish": "发送 /publish 网址，或直接发送 .txt、.md、.html 文件。",
    "publishing": "正在读取文章……",
    "published": "已发布 #{id}“{title}”，共 {sections} 节。",
    "already_published": "这篇文章已经保存过了，编号 #{id}。",
    "publish_failed": "无法发布：{reason}",
    "document_unsupported": "我可以读取 .txt、.md 和 .html 文件（最大 {limit} MB）。",
    "stats": (
        "<b>统计</b>\n订阅者：{active} 个已订阅，{inactive} 个未订阅，{deactivated} 个已停用\n"
        "文章：{articles}\n已发送条目：{pending} 待发送，{sending} 发送中，{sent} 已发送，{failed} 失败"
    ),
    "stats_oldest": "最早的待发送条目：{when}",
    "stats_retrying": "出错后等待重试（服务中断、限流）：{count}",
    "upload_lost": "无法再从 Telegram 下载 {name}，请重新发送。",
    "stats_failure": "✗ 会话 {chat} · {title}：{error}",
    "follow_usage": "哪个来源？/subscribe 编号 或 /unsubscribe 编号（编号见 /settings 和 /sources），或 /subscribe all。",
    "following_source": "已订阅来源 #{id} {title}。其他来源：/subscribe 编号；全部来源：/subscribe all。",
    "following_all": "已订阅全部来源。",
    "unfollowed_source": "不再接收来源 #{id} {title} 的文章。",
    "settings_sources": "来源：{sources}",
    "sources_all": "全部",
    "usage_addsource": "发送 /addsource 网址（RSS、Atom 订阅源或网页）。",
    "usage_removesource": "要删除哪个来源？/removesource 编号（见 /sources）。",
    "usage_pausesource": "要暂停哪个来源？/pausesource 编号（见 /sources）。",
    "source_failed": "无法关注：{reason}",
    "source_added": "已关注 #{id} {title}（{kind}）；已保存 {entries} 篇旧文章，不会推送。",
    "source_exists": "已经在关注：#{id} {title}。",
    "source_not_found": "没有编号为 {id} 的来源。/sources 列出所有来源。",
    "no_sources": "还没有来源。/addsource 网址 可以关注订阅源或网页。",
    "sources_header": "<b>来源</b>",
    "source_line": "<code>{id}</code> {title} · {kind} · {state}",
    "source_error": "   ✗ {error}（连续失败 {count} 次）",
    "source_active": "正常",
    "source_paused": "已暂停",
    "source_removed": "来源 #{id} 已删除；其文章仍保留。",
    "source_auto_paused": "来源 #{id}（{url}）连续 {count} 次抓取失败，已暂停。最后的错误：{error}。/pausesource {id} 可恢复。",
    "source_paused_now": "来源 #{id} 已暂停。/pausesource {id} 可恢复。",
    "source_resumed": "来源 #{id} 已恢复。",
    "unknown_command": "我不认识这个命令。/help 列出我能做的事。",
    "plain_text_hint": "我回应命令，例如 /latest 或 /section 2。/help 列出全部命令。",
    "publish_not_a_url": "{reference} 不是网址。请发送 /publish https://…，或直接把文件发给我。",
    "error": "我这边出了点问题，请稍后再试。",
    "button_settings_length": "长度：{length}",
    "button_settings_language": "English",
    "button_schedule_instant": "即时",
    "button_schedule_daily": "每天 08:00",
    "button_schedule_off": "关闭",
    "button_unsubscribe": "取消订阅",
}

_CATALOGUES: Final = {"en": EN, "zh": ZH}

# Command descriptions registered with setMyCommands, per language.
COMMANDS: Final[dict[str, list[tuple[str, str]]]] = {
    "en": [
        ("latest", "Digest of the newest article"),
        ("articles", "The 10 newest articles"),
        ("sections", "Sections of an article"),
        ("section", "One section in detail: /section N"),
        ("digest", "The full digest"),
        ("subscribe", "Scheduled digests on"),
        ("unsubscribe", "Scheduled digests off"),
        ("settings", "Schedule, timezone, length, language"),
        ("help", "All commands"),
    ],
    "zh": [
        ("latest", "最新文章的摘要"),
        ("articles", "最新的 10 篇文章"),
        ("sections", "文章的各节"),
        ("section", "某一节的详细摘要：/section N"),
        ("digest", "完整摘要"),
        ("subscribe", "开启定时摘要"),
        ("unsubscribe", "关闭定时摘要"),
        ("settings", "时间表、时区、长度、语言"),
        ("help", "所有命令"),
    ],
}


def language_for(code: str | None) -> str:
    """The UI language for a Telegram ``language_code``: Chinese for zh*, else English."""
    return "zh" if (code or "").lower().startswith("zh") else "en"


class Texts:
    """The catalogue of one language; ``texts("key", name=value)`` fills and escapes."""

    def __init__(self, language: str) -> None:
        self.language = language if language in _CATALOGUES else "en"
        self._catalogue = _CATALOGUES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        escaped = {k: html.escape(str(v), quote=False) for k, v in values.items()}
        return self._catalogue[key].format(**escaped)


def texts_for(language: str | None) -> Texts:
    return Texts(language or "en")


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def shorten(text: str, limit: int = 40) -> str:
    """What a user typed, cut to a short excerpt before a reply repeats it (escaping comes later)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
