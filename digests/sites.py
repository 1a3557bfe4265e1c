"""Sites without a feed, read from bytes we fetched ourselves: robots.txt, sitemaps (news,
index, gzip) and the article links of a section page.

Pure: ``bot.usecases.sites`` fetches (through the guard, politely) and calls these. The URL
filters are courlan's (trafilatura's URL library: tags, categories, authors, pagination, login,
files); on top of them a link must look like an article by its URL or its anchor text, and
must not sit in the page's navigation, header, footer or sidebar.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from urllib.robotparser import RobotFileParser  # imports urllib.request: loaded when used

    from lxml.html import HtmlElement

    from digests.model import Article

from digests.errors import DigestError
from digests.feeds import canonical_link, refuse_dangerous_xml

USER_AGENT_TOKEN: Final = "digestbot"  # the name robots.txt rules address the bot by
FEED_PLACES: Final = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml")  # where sites usually put one
SITEMAP_PLACES: Final = ("/sitemap.xml",)  # when robots.txt names none
MAX_SITEMAP_URLS: Final = 50_000  # the sitemap protocol's own limit per file
MAX_SITEMAP_BYTES: Final = 50_000_000  # ditto, uncompressed
MAX_LINKS: Final = 500  # article links taken from one section page

_NEWS_NS: Final = "http://www.google.com/schemas/sitemap-news/0.9"
_SITEMAP_SNIFF: Final = re.compile(rb"<(?:\w+:)?(urlset|sitemapindex)[\s>]")
_BOILERPLATE_TAGS: Final = frozenset({"nav", "aside", "menu", "form"})
_BOILERPLATE_MARKS: Final = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|pagination|pager|sidebar|tags?|"
    r"social|share|login|ads?|advert\w*|sponsor\w*|promo)(?:$|[\s_-])",
    re.I,
)
_HEADER_MARKS: Final = re.compile(r"(?:^|[\s_-])(masthead|header|footer|colophon)(?:$|[\s_-])", re.I)
_NOT_ARTICLE_PATH: Final = re.compile(
    r"/(about|about-us|privacy|terms|cookies?|contact|subscribe|subscription|register|signup|sign-up|"
    r"signin|sign-in|log-?in|log-?out|account|profile|newsletters?|help|faq|search|advert\w*|ads?|"
    r"sponsor\w*|shop|store|jobs|careers|rss|feeds?|index)(?:/|\.\w+)?$",
    re.I,
)
_PAGING_QUERY: Final = re.compile(r"(?:^|&)(page|p|pg|offset|start|sort|order|filter|q|query)=", re.I)
_DATE_IN_PATH: Final = re.compile(r"/(19|20)\d\d[-/]?(0[1-9]|1[0-2])(?:[-/]?([0-2]\d|3[01]))?(?:/|[^\d])")
_NUMERIC_ID: Final = re.compile(r"(?:^|[/_-])[a-z]{0,3}\d{5,}(?:[/_.-]|$)", re.I)
_ARTICLE_FILE: Final = re.compile(r"\.(s?html?|php|aspx?|jsp)$", re.I)
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True, slots=True)
class Robots:
    """robots.txt as it applies to the bot; an absent file allows everything."""

    parser: RobotFileParser

    def allows(self, url: str) -> bool:
        return self.parser.can_fetch(USER_AGENT_TOKEN, url)

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parser.site_maps() or [])

    @property
    def crawl_delay(self) -> float | None:
        delay = self.parser.crawl_delay(USER_AGENT_TOKEN)
        return float(delay) if delay is not None else None


def parse_robots(text: str | None) -> Robots:
    """The rules of a robots.txt; ``None`` (no file: 404 and the like) allows everything."""
    from urllib.robotparser import RobotFileParser

    parser = RobotFileParser()
    parser.parse((text or "").splitlines()[:10_000])
    return Robots(parser)


def refusing_robots() -> Robots:
    """Rules that allow nothing: robots.txt could not be read (a server error), RFC 9309 §2.3.1.4."""
    return parse_robots("User-agent: *\nDisallow: /")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One URL of a sitemap; for an index, one child sitemap."""

    url: str
    modified: datetime | None = None  # <lastmod>
    published: datetime | None = None  # <news:publication_date>
    title: str = ""  # <news:title>

    @property
    def date(self) -> datetime | None:
        return self.published or self.modified


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: an index of sitemaps, or a set of URLs (``news`` when they carry
    ``<news:news>``)."""

    index: bool
    entries: tuple[SitemapEntry, ...]
    news: bool = False


def looks_like_sitemap(data: bytes) -> bool:
    """A sitemap or sitemap index by its root element, gzip-compressed or not."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = zlib.decompressobj(wbits=47).decompress(data, 4096)
        except zlib.error:
            return False
    return bool(_SITEMAP_SNIFF.search(data[:4096]))


def parse_sitemap(data: bytes, *, base_url: str, max_urls: int = MAX_SITEMAP_URLS) -> Sitemap:
    """The entries of a sitemap or sitemap index (gzip or plain); ``DigestError`` when it is
    neither, too large, or dangerous XML."""
    from lxml import etree

    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, MAX_SITEMAP_BYTES)
    refuse_dangerous_xml(data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise DigestError(f"not a sitemap: {error}", reason="not_a_sitemap") from None
    if root is None or etree.QName(root).localname not in ("urlset", "sitemapindex"):
        raise DigestError("not a sitemap: no <urlset> or <sitemapindex>", reason="not_a_sitemap")
    index = etree.QName(root).localname == "sitemapindex"
    entries: list[SitemapEntry] = []
    news = False
    for item in root:
        if not isinstance(item.tag, str) or etree.QName(item).localname not in ("url", "sitemap"):
            continue
        fields: dict[str, str] = {}
        for child in item.iter():
            if isinstance(child.tag, str) and child is not item:
                name = etree.QName(child)
                key = f"news:{name.localname}" if name.namespace == _NEWS_NS else name.localname
                fields.setdefault(key, (child.text or "").strip())
        location = fields.get("loc", "")
        if not location:
            continue
        news = news or "news:publication_date" in fields or "news:title" in fields
        entries.append(
            SitemapEntry(
                url=urljoin(base_url, location),
                modified=_w3c_date(fields.get("lastmod")),
                published=_w3c_date(fields.get("news:publication_date")),
                title=fields.get("news:title", "")[:500],
            )
        )
        if len(entries) >= max_urls:
            break
    return Sitemap(index=index, entries=tuple(entries), news=news)


def _gunzip(data: bytes, limit: int) -> bytes:
    """Inflate with an output bound: a small gzip file can expand a thousandfold."""
    inflater = zlib.decompressobj(wbits=47)
    try:
        body = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise DigestError(f"a broken gzip sitemap: {error}", reason="not_a_sitemap") from None
    if len(body) > limit or inflater.unconsumed_tail:
        raise DigestError(
            f"refused: the sitemap inflates to more than {limit:,} bytes",
            reason="too_large",
            megabytes=limit // 1_000_000,
        )
    return body


def _w3c_date(text: str | None) -> datetime | None:
    """A sitemap date (W3C datetime: a date, or a date and time with its offset), in UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ArticleLink:
    url: str  # canonical: no tracking parameters, no fragment
    text: str  # the anchor text


def site_host(url: str) -> str:
    """The host a URL belongs to, for "same site": lower case, without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def article_links(html: str, base_url: str, *, hosts: frozenset[str] = frozenset()) -> list[ArticleLink]:
    """The links of a section page that lead to articles of the same site (or ``hosts``), in
    page order, each once."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = root.find(".//base[@href]")
    page_url = urljoin(base_url, base.get("href", "")) if base is not None else base_url
    allowed = {site_host(base_url), *(h.lower().removeprefix("www.") for h in hosts)}
    own = canonical_link(base_url)
    found: dict[str, ArticleLink] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        if {"nofollow", "sponsored", "ugc"} & set((anchor.get("rel") or "").lower().split()):
            continue
        try:
            url = canonical_link(urljoin(page_url, href))
        except ValueError:
            continue
        if url in found or url == own or site_host(url) not in allowed:
            continue
        text = " ".join((anchor.text_content() or anchor.get("title") or "").split())
        if _in_boilerplate(anchor) or not is_article_url(url, text):
            continue
        found[url] = ArticleLink(url, text[:300])
        if len(found) >= MAX_LINKS:
            break
    return list(found.values())


def page_title(html: str) -> str:
    """The text of a page's <title>, whitespace collapsed; empty when it has none."""
    import lxml.html

    try:
        title = lxml.html.document_fromstring(html).findtext(".//title") or ""
    except (ValueError, lxml.etree.ParserError):
        return ""
    return " ".join(title.split())[:255]


def is_article_url(url: str, text: str = "") -> bool:
    """Whether a same-site link leads to an article: not navigation, a tag, an author, a
    listing page, a login or a file (courlan's filters and ours), and an article by its URL
    (a date, a numeric id, a long slug, a page file) or by a headline-long anchor text."""
    from courlan.filters import extension_filter, is_navigation_page, is_not_crawlable, type_filter

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or len(url) > 1000:
        return False
    path = parts.path or "/"
    if path == "/" or _NOT_ARTICLE_PATH.search(path) or _PAGING_QUERY.search(parts.query):
        return False
    if not extension_filter(path) or is_not_crawlable(url) or is_navigation_page(url):
        return False
    if not type_filter(url, strict=True):
        return False
    segments = [s for s in path.split("/") if s]
    leaf = segments[-1] if segments else ""
    by_url = bool(
        _DATE_IN_PATH.search(path + "/")
        or _NUMERIC_ID.search(path)
        or len(re.split(r"[-_]", _ARTICLE_FILE.sub("", leaf))) >= 3
        or (_ARTICLE_FILE.search(leaf) and len(segments) >= 2)
    )
    cjk = len(_CJK.findall(text))
    headline = cjk >= 8 or (cjk == 0 and len(text.split()) >= 5)
    if by_url:
        return cjk >= 4 or len(text.split()) >= 2 or not text  # not a one-word "More" / "Next"
    return headline and len(segments) >= 2


def _in_boilerplate(element: HtmlElement) -> bool:
    """Whether a link sits in the navigation, a sidebar, a menu or a block marked so, or in the
    page's header or footer (a header or footer inside an article or <main> is the article's)."""
    node = element.getparent()
    in_header_or_footer = False
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("main", "article"):
            return False
        marks = f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"
        if tag in _BOILERPLATE_TAGS or (marks.strip() and _BOILERPLATE_MARKS.search(marks)):
            return True
        if tag in ("header", "footer") or (marks.strip() and _HEADER_MARKS.search(marks)):
            in_header_or_footer = True
        node = node.getparent()
    return in_header_or_footer


_MAX_LINK_TEXTS: Final = 2_000  # the longest a page's body is checked against
_BLOCKS: Final = frozenset(
    {
        "p",
        "div",
        "li",
        "td",
        "th",
        "dd",
        "dt",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figcaption",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "ul",
        "ol",
        "body",
    }
)


def link_texts(html: str) -> frozenset[str]:
    """The texts of a page's links that stand on their own — a headline, a teaser, an item of
    a list, not a few words inside a sentence of the page's own (their block holds less text
    besides than they do) — and are as long as a headline (three words, or six CJK characters):
    what of the page leads elsewhere rather than being its own text."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return frozenset()
    unlinked: dict[HtmlElement, int] = {}  # a block's letters outside links

    def besides_links(block: HtmlElement) -> int:
        if block not in unlinked:
            linked = sum(len("".join(a.text_content().split())) for a in block.iter("a"))
            unlinked[block] = len("".join(block.text_content().split())) - linked
        return unlinked[block]

    texts = set()
    for anchor in root.iter("a"):
        text = " ".join(anchor.text_content().split())
        if len(text.split()) < 3 and len(_CJK.findall(text)) < 6:
            continue
        block = anchor.getparent()
        while block is not None and block.tag not in _BLOCKS:
            block = block.getparent()
        if block is None or besides_links(block) < len(text.replace(" ", "")):
            texts.add(text)
    return frozenset(sorted(texts, key=len, reverse=True)[:_MAX_LINK_TEXTS])


# Prose is sentences: runs of text ending as a sentence does (before any closing quote or bracket),
# or running on in clauses (commas, semicolons); headlines and links run together do neither.
_SENTENCE = re.compile(r"[^.!?。！？…．；]+[.!?。！？…．；]+['\"”’」』）)\]]*")
_CLAUSE_MARK = re.compile(r"[,;:，、；：]")
_LETTERS_PER_CLAUSE: Final = 150  # letters of English between clause marks, at most, in prose
_LONGEST_SENTENCE: Final = 900  # letters of English; a longer "sentence" is headlines run together
_UNENDED_TAIL: Final = 160  # a paragraph's last words without an ending (a quote, a caption) count
MIN_ARTICLE_LENGTH: Final = 300  # of body text, in letters of English: less is a form or a stub
_BODY_SHARE: Final = 0.5  # of the page's text: less, and the page is a list of links or headlines


def _prose_length(run: str, *, ended: bool) -> int:
    """A run of text's length in letters of English if it reads as prose, else 0."""
    from digests.language import reading_length

    length = reading_length(run.strip())
    if (ended and length <= _LONGEST_SENTENCE) or (not ended and length <= _UNENDED_TAIL):
        return length
    clauses = len(_CLAUSE_MARK.findall(run)) + 1
    return length if length <= clauses * _LETTERS_PER_CLAUSE else 0


def _body_length(paragraph: str) -> int:
    """How much of a paragraph is prose, in letters of English: its sentences, and its tail."""
    body, end = 0, 0
    for sentence in _SENTENCE.finditer(paragraph):
        body += _prose_length(sentence.group(), ended=True)
        end = sentence.end()
    return body + _prose_length(paragraph[end:], ended=False)


def page_article(data: bytes, *, url: str, content_type: str | None, max_chars: int) -> Article:
    """The article on a page a link led to; ``DigestError`` (reason ``not_article``) when the
    page is none: a list of links or headlines, a form, a stub."""
    from digests.structure import decode_document, parse_article

    text, kind = decode_document(data, name=url, content_type=content_type)
    article = parse_article(text, format=kind, max_chars=max_chars)
    links = link_texts(text) if kind == "html" else frozenset()
    if reason := not_an_article(article.paragraphs, links=links):
        raise DigestError(reason, reason="not_article")
    return article


def not_an_article(paragraphs: tuple[str, ...], *, links: frozenset[str] = frozenset()) -> str | None:
    """Why a page a link led to is no article, or ``None`` when it is one. Decided by its
    structure — prose (sentences, not headlines or links run together, and not the texts of
    ``links``, the page's links) carrying most of its text — and by that prose's length counted
    per script (a CJK character carries what three letters do), not by a fixed count of
    characters: a 150-character Chinese news flash is an article, a listing page of twenty
    Chinese headlines is not, nor a column of teasers under linked headlines."""
    from digests.language import reading_length

    total = sum(reading_length(p) for p in paragraphs)
    own = "\n".join(" ".join(p.split()) for p in paragraphs)
    for text in sorted(links, key=len, reverse=True):
        if text in own:
            own = own.replace(text, " ")
    body = sum(_body_length(p) for p in own.split("\n"))
    if body < _BODY_SHARE * total:
        return f"not an article: a list ({total - body} of its {total} letters are headlines or links)"
    if body < MIN_ARTICLE_LENGTH:
        return f"not an article: {body} letters of body text"
    return None
