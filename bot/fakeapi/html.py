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
