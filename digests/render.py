"""Digests as Telegram HTML, plain text, Markdown or JSON, split to fit a message.

Every string taken from an article is escaped; markup only ever wraps one
line, so splitting between lines never leaves a tag open.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Literal

from digests.model import ArticleDigest, SectionDigest

RenderFormat = Literal["html", "text", "md", "json"]
TELEGRAM_LIMIT = 4096
_BULLET = "• "


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str, format: RenderFormat) -> str:
    """Text from an article made safe for the target format."""
    if format == "html":
        return html.escape(text, quote=False)
    if format == "md":
        return "".join("\\" + c if c in "\\`*_[]<>#" else c for c in text)
    return text


def _bold(text: str, format: RenderFormat) -> str:
    return {"html": f"<b>{text}</b>", "md": f"**{text}**"}.get(format, text)


def _italic(text: str, format: RenderFormat) -> str:
    return {"html": f"<i>{text}</i>", "md": f"_{text}_"}.get(format, text)


def _heading_line(section: SectionDigest, format: RenderFormat) -> str:
    label = section.label or f"{section.index}."
    label += "" if label.endswith(("、", "）", ")")) else " "
    text = escape(label + section.heading, format)
    return f"## {text}" if format == "md" else _bold(text, format)


def _sentence_lines(sentences: Iterable[str], format: RenderFormat, limit: int) -> list[str]:
    """One bulleted line a sentence; a sentence too long for a message is cut at spaces."""
    prefix = "- " if format == "md" else _BULLET
    lines: list[str] = []
    for sentence in sentences:
        for piece in _pieces(sentence, format, limit - len(prefix)):
            lines.append(prefix + piece)
    return lines


def _pieces(text: str, format: RenderFormat, limit: int) -> list[str]:
    """Escaped pieces of ``text``, each within ``limit``; never splits an entity."""
    pieces: list[str] = []
    current = ""
    for word in _words_keeping_spaces(text):
        candidate = current + word
        if telegram_length(escape(candidate, format)) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(escape(current, format))
        current = word
        while telegram_length(escape(current, format)) > limit:  # one huge "word": cut by characters
            cut = limit
            while telegram_length(escape(current[:cut], format)) > limit:
                cut -= max(1, cut // 10)
            pieces.append(escape(current[:cut], format))
            current = current[cut:]
    if current:
        pieces.append(escape(current, format))
    return [p.strip() for p in pieces if p.strip()]


def _words_keeping_spaces(text: str) -> list[str]:
    words: list[str] = []
    start = 0
    for index, char in enumerate(text):
        if char == " ":
            words.append(text[start : index + 1])
            start = index + 1
    words.append(text[start:])
    return [w for w in words if w]


def _header_lines(digest: ArticleDigest, format: RenderFormat) -> list[str]:
    title = escape(digest.title, format)
    lines = [f"# {title}" if format == "md" else _bold(title, format)]
    meta = " · ".join(
        part for part in (digest.source, digest.published.isoformat() if digest.published else None) if part
    )
    if meta:
        lines.append(_italic(escape(meta, format), format))
    return lines


def digest_blocks(
    digest: ArticleDigest, format: RenderFormat, *, limit: int = TELEGRAM_LIMIT
) -> list[list[str]]:
    """The digest as blocks of lines: header with lead, then one block per section."""
    head = _header_lines(digest, format)
    if digest.lead:
        head += ["", *_sentence_lines(digest.lead, format, limit)]
    blocks = [head]
    for section in digest.sections:
        blocks.append(section_lines(section, format, limit=limit))
    return blocks


def section_lines(section: SectionDigest, format: RenderFormat, *, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """A section's heading line and its sentences."""
    return [_heading_line(section, format), *_sentence_lines(section.sentences, format, limit)]


def briefing_block(number: int, title: str, sentence: str, origin: str, format: RenderFormat) -> list[str]:
    """One story of a briefing: its number, bold title and origin, then its best sentence."""
    head = f"{number}. {_bold(escape(title, format), format)}"
    if origin:
        head += " · " + _italic(escape(origin, format), format)
    limit = TELEGRAM_LIMIT // 4  # a briefing line is a teaser, never a wall
    teaser = sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"
    return [head, escape(teaser, format)] if teaser else [head]


def pack_messages(blocks: list[list[str]], *, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join blocks into messages of at most ``limit``; a new block prefers a new message."""
    messages: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "\n".join(current).strip("\n")
        if text:
            messages.append(text)
        current.clear()

    for block in blocks:
        candidate = "\n".join([*current, "", *block] if current else block)
        if telegram_length(candidate) <= limit:
            current[:] = [*current, "", *block] if current else list(block)
            continue
        flush()
        for line in block:  # a block too long for one message: split between lines
            candidate = "\n".join([*current, line])
            if current and telegram_length(candidate) > limit:
                flush()
            current.append(line)
    flush()
    return messages


def render_digest(
    digest: ArticleDigest, format: RenderFormat = "html", *, limit: int = TELEGRAM_LIMIT
) -> list[str]:
    """The digest as one or more messages of at most ``limit`` characters."""
    if format == "json":
        return [json.dumps(digest.as_dict(), ensure_ascii=False, indent=2)]
    return pack_messages(digest_blocks(digest, format, limit=limit), limit=limit)


def render_section(
    title: str, section: SectionDigest, format: RenderFormat = "html", *, limit: int = TELEGRAM_LIMIT
) -> list[str]:
    """One section's digest under the article's title (HTML, text or Markdown)."""
    escaped = escape(title, format)
    header = [_italic(escaped, format) if format != "md" else f"# {escaped}"]
    return pack_messages([header, section_lines(section, format, limit=limit)], limit=limit)
