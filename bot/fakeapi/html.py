"""Telegram's HTML rules, checked the way the Bot API checks them."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}
MAX_LENGTH = 4096


class TelegramHtmlError(ValueError):
    """What the Bot API would answer with 400 Bad Request."""


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise TelegramHtmlError(f'can\'t parse entities: unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHtmlError(f'can\'t parse entities: unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_telegram_html(message: str) -> str:
    """The visible text of a message; ``TelegramHtmlError`` where Telegram would refuse it."""
    checker = _Checker()
    # A bare "&" or "<" that is not a tag is an error for Telegram too.
    for index, char in enumerate(message):
        if char == "&":
            end = message.find(";", index)
            if end == -1 or end - index > 10:
                raise TelegramHtmlError("can't parse entities: unescaped '&'")
    checker.feed(message)
    checker.close()
    if checker.stack:
        raise TelegramHtmlError(f'can\'t parse entities: unclosed tag "{checker.stack[-1]}"')
    text = "".join(checker.text)
    if len(text.encode("utf-16-le")) // 2 > MAX_LENGTH:
        raise TelegramHtmlError("message is too long")
    if not text.strip():
        raise TelegramHtmlError("message text is empty")
    return text


# --- rich messages (Bot API 10.1), HTML style ------------------------------------------------

RICH_TAGS = {
    *("a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "mark", "sub", "sup"),
    *("tg-spoiler", "tg-reference", "tg-emoji", "tg-time", "tg-math", "br", "img", "input"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "pre", "footer", "hr", "ul", "ol", "li"),
    *("blockquote", "aside", "cite", "figure", "figcaption", "video", "audio", "tg-map"),
    *("tg-collage", "tg-slideshow", "table", "caption", "tr", "th", "td", "details", "summary"),
    "tg-math-block",
}
_VOID = {"br", "hr", "img", "input", "tg-map"}
# What counts against the 500 blocks: block elements, list items, table rows, details.
_BLOCKS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "pre", "footer", "hr", "ul", "ol", "li"),
    *("blockquote", "aside", "figure", "table", "tr", "details", "tg-math-block", "tg-map"),
    *("tg-collage", "tg-slideshow", "img", "video", "audio"),
}
_NAMED_ENTITIES = {
    *("lt", "gt", "amp", "quot", "apos", "nbsp", "hellip", "mdash", "ndash"),
    *("lsquo", "rsquo", "ldquo", "rdquo"),
}
RICH_MAX_TEXT = 32_768
RICH_MAX_BLOCKS = 500
RICH_MAX_DEPTH = 16


class _RichChecker(HTMLParser):
    """Checks rich HTML and renders it readably: headings as "## …", each ``<details>`` as
    "▸ summary" with its content indented below, list items as "• …"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.lines: list[str] = []
        self.current: list[str] = []
        self.text_length = 0
        self.blocks = 0
        self.details_open: list[bool] = []  # per open <details>: has its <summary> come yet
        self.after_details_start = False

    def _flush(self, outer: int = 0) -> None:
        """End the current line, indented by the <details> it is inside (its summary: one less)."""
        line = "".join(self.current).strip()
        if line:
            self.lines.append("  " * (len(self.details_open) - outer) + line)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in RICH_TAGS:
            raise TelegramHtmlError(f'can\'t parse rich message: unsupported tag "{tag}"')
        if self.details_open and not self.details_open[-1] and tag != "summary":
            raise TelegramHtmlError("can't parse rich message: <details> must begin with <summary>")
        if tag in _BLOCKS:
            self.blocks += 1
            self._flush()
        if tag in _VOID:
            return
        self.stack.append(tag)
        if len(self.stack) > RICH_MAX_DEPTH:
            raise TelegramHtmlError("can't parse rich message: nested too deeply")
        if tag == "summary":
            if not self.details_open or self.details_open[-1] or self.stack[-2:-1] != ["details"]:
                raise TelegramHtmlError("can't parse rich message: <summary> outside <details>")
            self._flush()
            self.current.append("▸ ")
        elif tag == "details":
            self.details_open.append(False)
        elif tag == "li":
            self.current.append("• ")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.current.append("#" * int(tag[1]) + " ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHtmlError(f'can\'t parse rich message: unexpected end tag "{tag}"')
        self.stack.pop()
        if tag == "summary":
            self._flush(outer=1)
            self.details_open[-1] = True
        elif tag == "details":
            if not self.details_open[-1]:
                raise TelegramHtmlError("can't parse rich message: <details> without <summary>")
            self._flush()
            self.details_open.pop()
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if (
            self.details_open
            and not self.details_open[-1]
            and data.strip()
            and self.stack[-1:] == ["details"]
        ):
            raise TelegramHtmlError("can't parse rich message: <details> must begin with <summary>")
        self.text_length += len(data)
        self.current.append(data)


def check_rich_html(message: str) -> str:
    """A rich message's HTML, read as a reader would see it expanded; ``TelegramHtmlError`` where
    the Bot API would refuse it (tags, nesting, ``<details>`` without ``<summary>``, limits)."""
    for index, char in enumerate(message):
        if char == "&":
            end = message.find(";", index)
            name = message[index + 1 : end] if end != -1 else ""
            if not (name in _NAMED_ENTITIES or name.startswith("#")):
                raise TelegramHtmlError("can't parse rich message: unsupported entity")
    checker = _RichChecker()
    checker.feed(message)
    checker.close()
    if checker.stack:
        raise TelegramHtmlError(f'can\'t parse rich message: unclosed tag "{checker.stack[-1]}"')
    checker._flush()
    if checker.text_length > RICH_MAX_TEXT:
        raise TelegramHtmlError("rich message is too long")
    if checker.blocks > RICH_MAX_BLOCKS:
        raise TelegramHtmlError("rich message has too many blocks")
    text = "\n".join(checker.lines)
    if not text.strip():
        raise TelegramHtmlError("message text is empty")
    return text
