"""Digests as Telegram HTML, plain text, Markdown or JSON, split to fit a message.

Every string taken from an article is escaped; markup only ever wraps one
line, so splitting between lines never leaves a tag open.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
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


def linked_title(title: str, url: str | None, format: RenderFormat) -> str:
    """The article's title, escaped, linked to the original where there is one (HTML, Markdown)."""
    text = escape(title, format)
    if not url or not url.startswith(("http://", "https://")):
        return text
    if format == "html":
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>'
    if format == "md":
        return f"[{text}](<{url.replace('>', '%3E')}>)"
    return text


def _meta(digest: ArticleDigest) -> str:
    """Source · date."""
    published = digest.published.isoformat() if digest.published else None
    return " · ".join(part for part in (digest.source, published) if part)


def _header_lines(digest: ArticleDigest, format: RenderFormat) -> list[str]:
    title = linked_title(digest.title, digest.url, format)
    lines = [f"# {title}" if format == "md" else _bold(title, format)]
    if format == "text" and digest.url:
        lines.append(digest.url)
    if meta := _meta(digest):
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


def briefing_block(
    number: int, title: str, sentence: str, origin: str, format: RenderFormat, *, url: str | None = None
) -> list[str]:
    """One story of a briefing: its number, bold title (linked) and origin, then its best sentence."""
    head = f"{number}. {_bold(linked_title(title, url, format), format)}"
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
    title: str,
    section: SectionDigest,
    format: RenderFormat = "html",
    *,
    limit: int = TELEGRAM_LIMIT,
    url: str | None = None,
) -> list[str]:
    """One section's digest under the article's title, linked to the original where there is one."""
    linked = linked_title(title, url, format)
    header = [_italic(linked, format) if format != "md" else f"# {linked}"]
    return pack_messages([header, section_lines(section, format, limit=limit)], limit=limit)


# --- rich messages (Bot API 10.1 sendRichMessage, HTML style) ---------------------------------

RICH_TEXT_LIMIT = 32_768  # characters of text in one rich message
RICH_BLOCK_LIMIT = 500  # blocks, nested ones, list items and details included


@dataclass(frozen=True, slots=True)
class RichPart:
    """A piece of a rich message's HTML and the blocks it counts for."""

    html: str
    blocks: int


def _rich_list(sentences: Iterable[str]) -> RichPart:
    items = [f"<li>{html.escape(s, quote=False)}</li>" for s in sentences]
    return RichPart(f"<ul>{''.join(items)}</ul>", 1 + len(items)) if items else RichPart("", 0)


def rich_section(section: SectionDigest) -> RichPart:
    """One section as an expandable block: its label and heading, then its key sentences."""
    label = section.label or f"{section.index}."
    label += "" if label.endswith(("、", "）", ")")) else " "
    body = _rich_list(section.sentences)
    summary = html.escape(label + section.heading, quote=False)
    return RichPart(f"<details><summary>{summary}</summary>{body.html}</details>", 1 + body.blocks)


def rich_header(digest: ArticleDigest, *, continued: bool = False) -> RichPart:
    """The linked title as a heading, then source · date; on a continuation, the title alone."""
    title = linked_title(digest.title, digest.url, "html")
    if continued:
        return RichPart(f"<p><b>{title}</b> …</p>", 1)
    parts = [f"<h3>{title}</h3>"]
    if meta := _meta(digest):
        parts.append(f"<p><i>{html.escape(meta, quote=False)}</i></p>")
    return RichPart("".join(parts), len(parts))


def rich_digest(
    digest: ArticleDigest,
    *,
    extra: Iterable[RichPart] = (),
    text_limit: int = RICH_TEXT_LIMIT,
    block_limit: int = RICH_BLOCK_LIMIT,
) -> list[str]:
    """The digest as rich messages: the linked title, source · date, the lead, then one
    ``<details>`` per section; ``extra`` parts (an "also in" line) close it. More than one
    message only when the limits demand, split between sections, never inside one."""
    head = [rich_header(digest)]
    if digest.lead:
        head.append(_rich_list(digest.lead))
    parts = [rich_section(section) for section in digest.sections] + list(extra)
    return pack_rich(
        head,
        parts,
        continued=rich_header(digest, continued=True),
        text_limit=text_limit,
        block_limit=block_limit,
    )


def pack_rich(
    head: list[RichPart],
    parts: list[RichPart],
    *,
    continued: RichPart,
    text_limit: int = RICH_TEXT_LIMIT,
    block_limit: int = RICH_BLOCK_LIMIT,
) -> list[str]:
    """Join parts into rich messages within the limits, a new message starting with ``continued``.

    Lengths are counted on the HTML, which is never shorter than its text: a safe bound."""
    messages: list[str] = []
    current = [p for p in head if p.html]
    for part in parts:
        candidate = [*current, part]
        fits = (
            sum(len(p.html) for p in candidate) <= text_limit
            and sum(p.blocks for p in candidate) <= block_limit
        )
        if fits or not current or current == [continued]:
            current = candidate
            continue
        messages.append("".join(p.html for p in current))
        current = [continued, part]
    if current:
        messages.append("".join(p.html for p in current))
    return messages


def rich_paragraph(inner_html: str) -> RichPart:
    """A paragraph of HTML the caller made safe (an "also in" line)."""
    return RichPart(f"<p>{inner_html}</p>", 1)


def rich_story(
    number: int,
    title: str,
    sentence: str,
    origin: str,
    *,
    url: str | None,
    link_label: str,
    extra_html: str = "",
) -> RichPart:
    """One story of a rich briefing: "N. title · source" as the summary; inside, its best
    sentence, the link to the original and any "also in" line."""
    summary = f"{number}. {html.escape(title, quote=False)}"
    if origin:
        summary += " · " + html.escape(origin, quote=False)
    limit = TELEGRAM_LIMIT // 4
    teaser = sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"
    inner = [f"<p>{html.escape(teaser, quote=False)}</p>"] if teaser else []
    if url:
        inner.append(
            f'<p><a href="{html.escape(url, quote=True)}">{html.escape(link_label, quote=False)}</a></p>'
        )
    if extra_html:
        inner.append(f"<p>{extra_html}</p>")
    return RichPart(f"<details><summary>{summary}</summary>{''.join(inner)}</details>", 1 + len(inner))
