"""RSS and Atom feeds, parsed from bytes we fetched ourselves (never a URL or a path).

XML that declares entities (billion laughs) or reaches for external resources (XXE)
is refused before feedparser sees it; a truncated feed yields its complete entries
and an error to log.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from digests.errors import DigestError

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref|ref_src|spm)$", re.I
)
_FEED_SNIFF = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.I)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
_ALTERNATE = re.compile(r"<link\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_EXCERPT_CHARS = 600  # an entry shorter than this, with a link, is an excerpt of the article


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry: its identity, where the full article is, and what the feed carried."""

    key: str
    title: str
    link: str | None
    guid: str | None
    published: datetime | None
    content: str  # HTML or text as the feed gave it
    excerpt_only: bool


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    entries: tuple[FeedEntry, ...]
    error: str | None = None  # the parser's complaint about a malformed feed, for the log
    advised_interval: int | None = None  # seconds between polls the feed asks for (<ttl>, sy:)


def looks_like_feed(data: bytes, content_type: str | None = None) -> bool:
    """RSS, RDF or Atom by MIME type or by the root element."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in _FEED_TYPES or bool(_FEED_SNIFF.search(data[:2048]))


def canonical_link(url: str) -> str:
    """The link without tracking parameters and fragment, host in lower case."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


_XML_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _declares(data: bytes, marker: str) -> bool:
    """Whether the document holds ``marker``, in whichever Unicode encoding it is written."""
    return any(marker.encode(encoding) in data for encoding in _XML_ENCODINGS)


def refuse_dangerous_xml(data: bytes) -> None:
    """``DigestError`` for XML with entity declarations or external references, in any encoding."""
    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    entities = _declares(data, "<!ENTITY")
    if not entities and not _declares(data[:16_384], "SYSTEM"):
        return  # nothing to expand or fetch; skip the second parse
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise DigestError(
            f"refused: the XML declares entities or external resources ({type(error).__name__})",
            reason="dangerous_xml",
        ) from None
    except Exception:
        if entities:  # declared entities in a document the strict parser cannot read: no second chance
            raise DigestError(
                "refused: the XML declares entities and is not well-formed", reason="dangerous_xml"
            ) from None


def parse_feed(data: bytes, *, content_type: str | None = None, base_url: str | None = None) -> Feed:
    """The entries of a feed, each once, newest identity rules applied."""
    import feedparser

    refuse_dangerous_xml(data)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(
        data, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    error = None
    if parsed.get("bozo"):
        error = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
    if not parsed.get("entries") and not parsed.get("feed"):
        raise DigestError(f"not a feed: {error or 'no entries'}", reason="not_a_feed")
    entries: dict[str, FeedEntry] = {}
    for raw in parsed.entries:
        entry = _entry(raw, base_url)
        if entry is not None and entry.key not in entries:  # duplicate GUIDs: the first wins
            entries[entry.key] = entry
    title = str(parsed.feed.get("title") or base_url or "feed").strip()
    advised = advised_interval(parsed.feed)
    return Feed(title=title[:255], entries=tuple(entries.values()), error=error, advised_interval=advised)


_PERIODS = {"hourly": 3600, "daily": 86_400, "weekly": 604_800, "monthly": 2_592_000, "yearly": 31_536_000}


def advised_interval(meta: dict) -> int | None:
    """Seconds between polls a feed asks for: RSS's ``<ttl>`` (minutes), else the syndication
    module's ``updatePeriod`` divided by ``updateFrequency``; ``None`` when it says nothing usable."""
    ttl = str(meta.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = _PERIODS.get(str(meta.get("sy_updateperiod") or "").strip().lower())
    if period is None:
        return None
    frequency = str(meta.get("sy_updatefrequency") or "1").strip()
    return period // int(frequency) if frequency.isdigit() and int(frequency) > 0 else period


def _entry(raw: dict, base_url: str | None) -> FeedEntry | None:
    title = str(raw.get("title") or "").strip()
    link = raw.get("link")
    if link and base_url:
        link = urljoin(base_url, link)
    guid = str(raw.get("id") or "").strip() or None
    content = ""
    if raw.get("content"):
        content = max((c.get("value", "") for c in raw["content"]), key=len)
    summary = str(raw.get("summary") or "")
    text = content or summary
    if not (title or text or link):
        return None
    if guid:
        key = f"guid:{guid}"
    elif link:
        key = f"link:{canonical_link(link)}"
    else:
        key = "hash:" + hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC) if stamp else None
    excerpt_only = bool(link) and not content and len(_visible(summary)) < _EXCERPT_CHARS
    return FeedEntry(
        key=key[:1024],
        title=title,
        link=link,
        guid=guid,
        published=published,
        content=text,
        excerpt_only=excerpt_only,
    )


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def feed_links(html: str, base_url: str) -> list[str]:
    """Feeds a web page advertises with <link rel="alternate" type="application/rss+xml">."""
    links = []
    for tag in _ALTERNATE.findall(html[:200_000]):
        attributes = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) for m in _ATTRIBUTE.finditer(tag)
        }
        if (
            "alternate" in attributes.get("rel", "").lower().split()
            and attributes.get("type", "").lower() in (_FEED_TYPES)
            and attributes.get("href")
        ):
            links.append(urljoin(base_url, attributes["href"]))
    return list(dict.fromkeys(links))


def entry_document(entry: FeedEntry) -> str:
    """The entry as an HTML page the article pipeline can structure: its title, then its content."""
    import html

    body = (
        entry.content
        if "<" in entry.content
        else "".join(f"<p>{html.escape(line)}</p>" for line in entry.content.splitlines() if line.strip())
    )
    title = html.escape(entry.title)
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
