"""Plain text, Markdown and HTML to a flat list of text blocks.

A block is a paragraph, a line or a heading, in document order. HTML pages
go through trafilatura's main-content extraction (page furniture out,
headings kept); fragments it rejects are walked directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from digests.errors import DigestError

# "fragment": HTML that is all content (a feed entry's body), walked without main-content extraction.
Format = Literal["auto", "text", "markdown", "html", "fragment"]

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_MARKDOWN_BREAK = re.compile(r"^ {0,3}(?:[-*+][ \t]|\d{1,3}[.)][ \t]|>|```|~~~|\||#)")
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|p|div|article|h[1-6])[\s>]", re.I)
_MARKDOWN_SNIFF = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
_CJK_CHAR = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph or heading of a source document."""

    text: str
    heading_level: int = 0  # 1-6 when the markup says it is a heading


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """Blocks plus the metadata the markup carried."""

    blocks: tuple[Block, ...]
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None


def detect_format(text: str, *, name: str | None = None, content_type: str | None = None) -> Format:
    """Guess the markup of ``text`` from a file name, a MIME type or its content."""
    hint = (content_type or "").lower()
    lower_name = (name or "").lower()
    if "html" in hint or lower_name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if "markdown" in hint or lower_name.endswith((".md", ".markdown")):
        return "markdown"
    head = text[:4096]
    if _HTML_SNIFF.search(head) and head.lstrip().startswith("<"):
        return "html"
    if _MARKDOWN_SNIFF.search(text):
        return "markdown"
    return "text"


def extract(text: str, *, format: Format = "auto", name: str | None = None) -> ExtractedDocument:
    """Split a document into blocks according to its markup."""
    kind = detect_format(text, name=name) if format == "auto" else format
    if kind == "html":
        return _from_html(text)
    if kind == "fragment":
        return _from_html_tree(text)
    if kind == "markdown":
        return ExtractedDocument(blocks=tuple(_markdown_blocks(text)))
    return ExtractedDocument(blocks=tuple(_text_blocks(text)))


def _clean(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def _text_blocks(text: str) -> list[Block]:
    """Every non-blank line is a block: news text puts one paragraph per line."""
    return [Block(_clean(line)) for line in text.splitlines() if line.strip()]


def _join_lines(lines: list[str]) -> str:
    """Unwrap a hard-wrapped paragraph: CJK lines join without a space."""
    joined = lines[0]
    for line in lines[1:]:
        gap = "" if _CJK_CHAR.match(line[:1]) and _CJK_CHAR.match(joined[-1:]) else " "
        joined += gap + line
    return joined


def _markdown_blocks(text: str) -> list[Block]:
    """ATX headings, list items and blank-line separated paragraphs."""
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(Block(_join_lines(pending)))
            pending.clear()

    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            flush()
            continue
        heading = _ATX_HEADING.match(raw)
        if heading:
            flush()
            blocks.append(Block(_clean(heading.group(2)), heading_level=len(heading.group(1))))
        elif _MARKDOWN_BREAK.match(raw):
            flush()
            pending.append(line)
        else:
            pending.append(line)
    flush()
    return blocks


def _from_html(html: str) -> ExtractedDocument:
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(
            html,
            output_format="xml",
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_recall=True,
            with_metadata=True,
            deduplicate=False,
        )
    except (ValueError, etree.LxmlError) as err:  # trafilatura raises on some broken pages
        raise DigestError(f"cannot read this HTML page: {err}", reason="bad_page") from err
    if xml:
        document = _from_trafilatura_xml(xml)
        if document.blocks:
            return document
    return _from_html_tree(html)


def _from_trafilatura_xml(xml: str) -> ExtractedDocument:
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False))
    blocks: list[Block] = []
    main = root.find("main")
    for element in main.iter("head", "p", "item", "quote", "code") if main is not None else ():
        if element.tag in ("p", "item") and _inside(element, "quote"):
            continue
        text = _clean(" ".join(element.itertext()))
        if not text:
            continue
        level = 0
        if element.tag == "head":
            rend = element.get("rend", "h2")
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
        blocks.append(Block(text, heading_level=level))
    return ExtractedDocument(
        blocks=tuple(blocks),
        title=root.get("title") or None,
        author=root.get("author") or None,
        date=root.get("date") or None,
        sitename=root.get("sitename") or None,
    )


def _inside(element: object, tag: str) -> bool:
    parent = element.getparent()  # type: ignore[attr-defined]
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


_BLOCK_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre"})
_INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "br",
        "cite",
        "code",
        "em",
        "font",
        "i",
        "img",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
    }
)
_MAX_DEPTH = 200  # deeper markup is read as one run of text


def _tree_blocks(root: object) -> list[Block]:
    """Headings and paragraphs in order, and the loose text between them (a ``<div>`` of lines)
    as one block per line."""
    blocks: list[Block] = []
    loose: list[str] = []

    def flush() -> None:
        lines = "".join(loose).splitlines()
        loose.clear()
        blocks.extend(Block(text) for text in map(_clean, lines) if text)

    def visit(element: Any, depth: int) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""  # comments have no tag name
        if tag in _BLOCK_TAGS:
            flush()
            # Inline markup joins without a space: "中国<b>经济</b>" is one word run.
            if text := _clean(" ".join("".join(element.itertext()).splitlines())):
                blocks.append(Block(text, heading_level=int(tag[1]) if tag[0] == "h" else 0))
            return
        if (
            not tag
            or depth > _MAX_DEPTH
            or (tag in _INLINE_TAGS and not any(d.tag in _BLOCK_TAGS for d in element.iterdescendants()))
        ):
            if tag:
                loose.append("".join(element.itertext()))
            return
        flush()
        loose.append(element.text or "")
        for child in element:
            visit(child, depth + 1)
            loose.append(child.tail or "")
        flush()

    visit(root, 0)
    flush()
    return blocks


def _from_html_tree(html: str) -> ExtractedDocument:
    """A plain walk over headings and paragraphs: feed entries, and fragments trafilatura rejects."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as err:
        raise DigestError(f"cannot read this HTML page: {err}", reason="bad_page") from err
    for bad in root.xpath("//script|//style|//noscript|//nav|//footer|//header|//aside|//form"):
        bad.drop_tree()
    for br in root.iter("br"):  # lines of a <div> without paragraphs stay lines
        br.tail = "\n" + (br.tail or "")
    body = root.find("body")
    blocks = _tree_blocks(body if body is not None else root)
    title_element = root.find(".//title")
    title = _clean(title_element.text_content()) if title_element is not None else None
    return ExtractedDocument(blocks=tuple(blocks), title=title or None)
