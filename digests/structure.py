"""Blocks to an Article: title, dateline metadata, lead, sections; noise out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from digests.decode import decode_text
from digests.errors import DigestError
from digests.extract import Block, ExtractedDocument, Format, detect_format, extract
from digests.language import detect_language, dominant_script
from digests.model import Article, Section, _frozen_counts
from digests.noise import remove_noise

DEFAULT_MAX_CHARS = 200_000

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMERAL = "零〇一二两三四五六七八九十百"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}

# (pattern, level): a lower level is a higher-ranking heading.
_HEADING_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^(第[{_CN_NUMERAL}\d]{{1,4}}(?:部分|章|节|篇))[\s、:：.．]*(.*)$"), 1),
    (re.compile(rf"^([{_CN_NUMERAL}]{{1,3}}[、.．])\s*(.+)$"), 2),
    (re.compile(r"^((?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})\.)\s+(.+)$"), 2),
    (re.compile(rf"^([（(][{_CN_NUMERAL}]{{1,3}}[）)])\s*(.+)$"), 3),
    (re.compile(r"^(\d{1,2}(?:[.、．](?!\d)|\s*[)）]))\s*(.+)$"), 4),
)
_HEURISTIC_LEVEL = 5
_WORD_CHAR = re.compile(r"[^\W_]")
_SENTENCE_END = re.compile(r"[。！？!?；;.…]$")
_MAX_HEADING_CHARS = 60
_MAX_HEADING_CHARS_CJK = 40

_DATELINE = re.compile(r"^[【\[]([^】\]]{2,60})[】\]]\s*")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_EN_DATE = re.compile(
    r"\b([A-Z][a-z]{2,8})\.? (\d{1,2}),? (\d{4})\b|\b(\d{1,2}) ([A-Z][a-z]{2,8})\.? (\d{4})\b"
)
_BYLINE = re.compile(r"^(?:By|作者|(?:本报|特约|实习)?记者|文|撰文)[\s:：/／]+(.{2,80})$")
# A line of the top set in emphasis alone (Markdown *…*, _…_, **…**): a byline or a dateline.
_EMPHASIZED = re.compile(r"^(\*{1,2}|_{1,2})([^*_].{0,118}?)\1$")
_BYLINE_PARTS = re.compile(r"\s*[|｜·•,，;；—–]\s*|\s+-\s+")
_BYLINE_FILLER = re.compile(r"报道|供稿|摄影?$")
_PUBLISHED_LINE = re.compile(r"^(?:Published|Updated|Posted|发布时间|发布于|日期)\b[\s:：]*(.{6,40})$", re.I)
_AGENCY_PREFIX = re.compile(
    r"^(?:[A-Z][A-Za-z .,'-]{1,40} )?\((AP|AFP|CNN|Reuters|Bloomberg|UPI|新华社|中新社)\)\s*[-—–]*\s*"
)
_DATELINE_FILLER = re.compile(r"报道|专稿|\b(?:ET|EST|EDT|PT|GMT|UTC|BJT)\b|北京时间|美东时间|当地时间")
# 讯 and 电 end a dateline ("中央电视台讯", "…日电") but also sit inside names (通讯社, 电视台).
_DATELINE_END = re.compile(r"(?<=..)[讯电]$")


@dataclass(frozen=True, slots=True)
class _Heading:
    level: int
    label: str
    text: str


def parse_article(
    text: str,
    *,
    format: Format = "auto",
    name: str | None = None,
    language: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Article:
    """Structure a document: the whole pipeline from text to ``Article``."""
    document = extract(text, format=format, name=name)
    return structure(document, language=language, max_chars=max_chars)


def parse_document(
    data: bytes,
    *,
    name: str | None = None,
    content_type: str | None = None,
    language: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Article:
    """Decode raw bytes (file, upload or HTTP body) and structure them."""
    text, kind = decode_document(data, name=name, content_type=content_type)
    return parse_article(text, format=kind, language=language, max_chars=max_chars)


def decode_document(
    data: bytes, *, name: str | None = None, content_type: str | None = None
) -> tuple[str, Format]:
    """Raw bytes as text, and the format they are written in; ``DigestError`` when empty."""
    if not data.strip():
        raise DigestError("the document is empty", reason="no_text")
    text = decode_text(data, content_type=content_type)
    return text, detect_format(text, name=name, content_type=content_type)


def structure(
    document: ExtractedDocument, *, language: str | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> Article:
    """Turn extracted blocks into an Article; ``DigestError`` when no text is left."""
    blocks, truncated = _truncate(document.blocks, max_chars)
    if not blocks:
        raise DigestError("the document contains no text", reason="no_text")
    title, blocks = _take_title(document, blocks)
    script = dominant_script(" ".join(b.text for b in blocks[:200]))
    kept, removed = remove_noise(blocks, script=script)
    source, published, kept = _take_metadata(kept, document)
    headings = [_heading(b) for b in kept]
    if not any(headings):
        headings = _heuristic_headings(kept)
    lead, sections = _split_sections(kept, headings)
    body = " ".join(lead + tuple(p for s in sections for p in s.paragraphs))
    if not _WORD_CHAR.search(body):
        raise DigestError("the document contains no article text, only a title or symbols", reason="no_text")
    return Article(
        title=title,
        language=language or detect_language(body or title),
        lead=lead,
        sections=sections,
        source=source,
        published=published,
        removed=_frozen_counts(removed),
        truncated=truncated,
    )


def _truncate(blocks: tuple[Block, ...], max_chars: int) -> tuple[list[Block], bool]:
    kept: list[Block] = []
    total = 0
    for block in blocks:
        if total + len(block.text) > max_chars:
            room = max_chars - total
            if room > 200 and not block.heading_level:
                kept.append(Block(block.text[:room]))
            return kept, True
        kept.append(block)
        total += len(block.text)
    return kept, False


def _take_title(document: ExtractedDocument, blocks: list[Block]) -> tuple[str, list[Block]]:
    """The title is the first heading or line; for HTML, the page's own title."""
    first = blocks[0]
    if document.title:
        if first.heading_level == 1 or _same_text(first.text, document.title):
            return first.text, blocks[1:]
        return document.title, blocks
    if first.heading_level or (len(first.text) <= 200 and not _SENTENCE_END.search(first.text)):
        return _strip_heading_marks(first.text), blocks[1:]
    return _shorten(first.text), blocks


def _same_text(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold() or a.strip().casefold() in b.casefold()


def _strip_heading_marks(text: str) -> str:
    return text.strip().strip("#").strip()


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _take_metadata(
    blocks: list[Block], document: ExtractedDocument
) -> tuple[str | None, date | None, list[Block]]:
    """Datelines and bylines near the top become metadata (source · date), not sentences; a
    date the text states whole wins over the extractor's (which may know only the year)."""
    source = document.sitename or document.author
    stated: date | None = None  # a date a dateline or byline of the text states
    kept: list[Block] = []
    for position, block in enumerate(blocks):
        text = block.text
        if position < 4 and not block.heading_level:
            emphasized = _EMPHASIZED.match(text)
            if emphasized:
                text = emphasized.group(2).strip()
            dateline = _DATELINE.match(text)
            byline = _BYLINE.match(text)
            if dateline:
                inner = dateline.group(1)
                stated = stated or _parse_date(inner)
                source = source or _dateline_source(inner)
                text = text[dateline.end() :].strip()
            elif byline or (emphasized and _parse_date(text)):
                name, when = _byline(byline.group(1) if byline else text)
                source, stated = source or name, stated or when
                continue
            elif _PUBLISHED_LINE.match(text) and _parse_date(text):
                stated = stated or _parse_date(text)
                continue
            elif emphasized:
                text = block.text  # emphasis that is no byline stays as written
            if not kept:  # "WASHINGTON (Reuters) -" opens the first paragraph
                agency = _AGENCY_PREFIX.match(text)
                if agency:
                    source = source or agency.group(1)
                    text = text[agency.end() :]
            if not text:
                continue
            block = Block(text)
        kept.append(block)
    return source, stated or _parse_date(document.date or ""), kept


def _byline(text: str) -> tuple[str | None, date | None]:
    """A byline's name (or agency) and date: "Jane Doe | November 18, 2026", "王小明 报道 2026年11月28日"."""
    when = _parse_date(text)
    for pattern in (_CN_DATE, _ISO_DATE, _EN_DATE):
        text = pattern.sub(" ", text)
    parts = [_BYLINE_FILLER.sub("", part).strip() for part in _BYLINE_PARTS.split(text)]
    parts = [part for part in parts if _WORD_CHAR.search(part)]
    return (parts[0] if parts else None), when


def _dateline_source(inner: str) -> str | None:
    text = _CN_DATE.sub(" ", inner)
    text = _ISO_DATE.sub(" ", text)
    text = _DATELINE_FILLER.sub(" ", text)
    parts = [_DATELINE_END.sub("", p.strip(" ·•|/-—")).strip() for p in re.split(r"[·•|/]", text)]
    parts = [p for p in parts if p]
    return parts[0] if parts else None


def _parse_date(text: str) -> date | None:
    for pattern in (_CN_DATE, _ISO_DATE):
        match = pattern.search(text)
        if match:
            return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _EN_DATE.search(text)
    if match:
        if match.group(1):
            month, day, year = match.group(1), match.group(2), match.group(3)
        else:
            day, month, year = match.group(4), match.group(5), match.group(6)
        number = _MONTHS.get(month[:3].lower())
        if number:
            return _make_date(int(year), number, int(day))
    return None


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def chinese_numeral(text: str) -> int | None:
    """The value of a Chinese numeral up to 999 (一 → 1, 十二 → 12, 二十 → 20)."""
    if not text or any(c not in _CN_NUMERAL for c in text):
        return None
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


def roman_numeral(text: str) -> int | None:
    """The value of a Roman numeral up to 89; ``None`` for other text."""
    if not text or any(c not in _ROMAN for c in text.upper()):
        return None
    values = [_ROMAN[c] for c in text.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _heading(block: Block) -> _Heading | None:
    """The heading a block stands for, by markup or by a numbered-heading pattern."""
    text = block.text
    if block.heading_level:
        label, rest = _split_label(text)
        return _Heading(block.heading_level, label, rest or text)
    cjk = dominant_script(text) == "han"
    if len(text) > (_MAX_HEADING_CHARS_CJK if cjk else _MAX_HEADING_CHARS):
        return None
    for pattern, level in _HEADING_PATTERNS:
        match = pattern.match(text)
        if match and match.group(1).strip() and not _SENTENCE_END.search(text):
            return _Heading(level, match.group(1).strip(), match.group(2).strip() or text)
    return None


def _split_label(text: str) -> tuple[str, str]:
    for pattern, _level in _HEADING_PATTERNS:
        match = pattern.match(text)
        if match and match.group(1).strip() and match.group(2).strip():
            return match.group(1).strip(), match.group(2).strip()
    return "", text


def _heuristic_headings(blocks: list[Block]) -> list[_Heading | None]:
    """Short standalone lines between longer paragraphs, when nothing else marks headings."""
    headings: list[_Heading | None] = [None] * len(blocks)
    for position, block in enumerate(blocks):
        text = block.text
        cjk = dominant_script(text) == "han"
        short = len(text) <= (25 if cjk else 0) or (not cjk and len(text.split()) <= 10)
        if not short or _SENTENCE_END.search(text) or text.endswith((":", "：", ",", "，")):
            continue
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        previous = blocks[position - 1] if position else None
        if following is None or len(following.text) < 2 * len(text) or len(following.text) < 40:
            continue
        if previous is not None and headings[position - 1] is not None:
            continue
        headings[position] = _Heading(_HEURISTIC_LEVEL, "", text)
    # One lonely candidate is more likely an odd line than a section structure.
    return headings if sum(h is not None for h in headings) >= 2 else [None] * len(blocks)


def _split_sections(
    blocks: list[Block], headings: list[_Heading | None]
) -> tuple[tuple[str, ...], tuple[Section, ...]]:
    """Paragraphs before the first top-level heading form the lead."""
    levels = [h.level for h in headings if h is not None]
    top = min(levels) if levels else None
    lead: list[str] = []
    sections: list[tuple[_Heading, list[str]]] = []
    for block, heading in zip(blocks, headings, strict=False):
        if heading is not None and heading.level == top:
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(block.text)
        else:
            lead.append(block.text)
    return tuple(lead), tuple(
        Section(index=i, heading=h.text, paragraphs=tuple(body), label=h.label)
        for i, (h, body) in enumerate(sections, start=1)
    )
