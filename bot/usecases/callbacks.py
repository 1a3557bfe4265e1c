"""Callback data of inline buttons, with one codec: keyboards pack it, handlers unpack it.

``SectionButton(12, 2).pack()`` is ``"sec:12:2"``; ``SectionButton.unpack("sec:12:2")`` gives it
back, and raises ``ForgedCallback`` for data that is stale, forged or of another button. Every
packed value fits Telegram's 64 bytes; the handlers' patterns come from the classes.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar, Self

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts


class ForgedCallback(ValueError):
    """Callback data that no keyboard of this bot made (or of an older version)."""


class CallbackData:
    """A button's data: a prefix, then the fields in order, joined by ``:``.

    Fields are ``int`` or ``str``; the last ``str`` field may hold ``:`` itself."""

    prefix: ClassVar[str]

    def _joined(self) -> str:
        values = [str(getattr(self, f.name)) for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        while values and values[-1] == "":  # "set:noop", not "set:noop:"
            values.pop()
        return ":".join([self.prefix, *values])

    def fits(self) -> bool:
        """Whether it packs within Telegram's 64 bytes."""
        return len(self._joined().encode()) <= CALLBACK_LIMIT

    def pack(self) -> str:
        packed = self._joined()
        if len(packed.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {packed[:80]!r}")
        return packed

    @classmethod
    def pattern(cls) -> str:
        """The handler's pattern: this button's data and nothing else."""
        return rf"^{re.escape(cls.prefix)}(:|$)"

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        prefix, _, rest = (data or "").partition(":")
        if prefix != cls.prefix:
            raise ForgedCallback(data)
        values = rest.split(":", len(fields) - 1) if fields else []
        if len(values) < len(fields):  # older data without its last fields: those are empty
            values += [""] * (len(fields) - len(values))
        parsed: list[object] = []
        for field, value in zip(fields, values, strict=True):
            if field.type in (int, "int"):
                if not re.fullmatch(r"[0-9]{1,18}", value):
                    raise ForgedCallback(data)
                parsed.append(int(value))
            else:
                parsed.append(value)
        return cls(*parsed)


@dataclass(frozen=True, slots=True)
class SectionButton(CallbackData):
    """Send one section of an article in detail."""

    prefix: ClassVar[str] = "sec"
    article_id: int
    section: int


@dataclass(frozen=True, slots=True)
class ArticleButton(CallbackData):
    """Send an article's overview."""

    prefix: ClassVar[str] = "art"
    article_id: int


@dataclass(frozen=True, slots=True)
class SearchPage(CallbackData):
    """Show the results of a search from ``offset`` on (the query travels in the button, so a
    restart or another bot process pages on; a query too long for 64 bytes has no pages)."""

    prefix: ClassVar[str] = "find"
    offset: int
    query: str


@dataclass(frozen=True, slots=True)
class ActionButton(CallbackData):
    """A one-press action: ``subscribe`` or ``latest``."""

    prefix: ClassVar[str] = "do"
    action: str


@dataclass(frozen=True, slots=True)
class SettingButton(CallbackData):
    """Change one setting of the chat (``noop`` for a row's label)."""

    prefix: ClassVar[str] = "set"
    setting: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class ChannelSettingButton(CallbackData):
    """Change one setting of a channel, from an admin's private chat (``show``: its settings);
    the channel is its subscriber row's id (a chat id is negative, and fields are digits)."""

    prefix: ClassVar[str] = "chs"
    channel: int
    setting: str
    value: str = ""
