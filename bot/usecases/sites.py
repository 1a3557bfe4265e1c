"""Reading sites politely, and finding what to follow on a site that has no feed.

Every request of a site crawl (discovery, section pages, sitemaps and the article pages they
lead to) goes through ``SiteAccess.get``: robots.txt is honoured for the bot's user agent, one
request at a time per host, at least ``SITE_REQUEST_INTERVAL_SECONDS`` apart (or the site's
Crawl-delay when longer), and always through the fetch guard. Feeds are documents published
for programs to poll, and keep plain conditional GETs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from digests.feeds import looks_like_feed
from digests.fetch import FetchedDocument, FetchError, FetchPolicy, fetch

if TYPE_CHECKING:  # digests.sites loads when a site is crawled: a bot of feeds never needs it
    from digests.sites import Robots
from storage import SourceKind

logger = logging.getLogger(__name__)

ROBOTS_TTL = 6 * 3600.0  # robots.txt is read again after this long
_ROBOTS_RETRY = 600.0  # after a server error, rules that allow nothing, for this long
_MAX_HOSTS = 10_000  # hosts remembered (robots and pacing); the least recent are forgotten
_MAX_CRAWL_DELAY = 60.0  # a Crawl-delay above this is taken as this
_SITEMAP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
MIN_SECTION_LINKS = 3  # a page with fewer article links is an article itself (kind "page")
_SITEMAP_CHILDREN = 3  # child sitemaps of an index looked at when deciding what a site has


class RobotsRefusal(FetchError):
    """robots.txt does not allow the bot to fetch this URL."""


@dataclass
class _Host:
    robots: Robots | None = None
    robots_until: float = 0.0
    next_request_at: float = 0.0
    turn: asyncio.Lock | None = None


class SiteAccess:
    """Polite fetching, one per process: robots.txt rules and per-host pacing live here."""

    def __init__(self, policy: FetchPolicy, *, interval: float) -> None:
        self.policy = replace(policy, extra_types=policy.extra_types | _SITEMAP_TYPES)
        self.interval = interval
        self._hosts: OrderedDict[str, _Host] = OrderedDict()

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{(parts.netloc or '').lower()}"
        host = self._hosts.pop(key, None) or _Host()
        self._hosts[key] = host
        while len(self._hosts) > _MAX_HOSTS:
            oldest, state = next(iter(self._hosts.items()))
            if state.turn is not None and state.turn.locked():
                break
            del self._hosts[oldest]
        return host

    async def robots(self, url: str) -> Robots:
        """The robots.txt rules of the URL's site, read at most every ROBOTS_TTL seconds."""
        host = self._host(url)
        if host.robots is not None and time.monotonic() < host.robots_until:
            return host.robots
        from digests.sites import parse_robots, refusing_robots

        robots_url = urljoin(url, "/robots.txt")
        try:
            document = await self._paced(host, robots_url, None, None)
            rules, ttl = parse_robots(document.text), ROBOTS_TTL
        except FetchError as error:
            status = error.details.get("status")
            if isinstance(status, int) and 400 <= status < 500:
                rules, ttl = parse_robots(None), ROBOTS_TTL  # no robots.txt: everything allowed
            else:
                logger.info(
                    "robots.txt of %s unreadable (%s); not crawling it for now", robots_url[:200], error
                )
                rules, ttl = refusing_robots(), _ROBOTS_RETRY
        host.robots, host.robots_until = rules, time.monotonic() + ttl
        return rules

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedDocument:
        """GET a page of a site if its robots.txt allows it (``RobotsRefusal`` if not), in turn
        with the other requests to its host."""
        rules = await self.robots(url)
        if not rules.allows(url):
            raise RobotsRefusal(f"robots.txt does not allow {url[:200]}", reason="robots")
        return await self._paced(self._host(url), url, etag, last_modified, rules.crawl_delay)

    async def pace(self, url: str) -> float:
        """Seconds between two requests to the URL's host: the setting, or a longer Crawl-delay."""
        delay = (await self.robots(url)).crawl_delay or 0.0
        return max(self.interval, min(delay, _MAX_CRAWL_DELAY))

    async def fetch(self, url: str) -> FetchedDocument:
        """GET a URL someone asked for by name (robots.txt governs crawlers, not that), in turn
        with the other requests to its host; gzip accepted, for a sitemap."""
        return await self._paced(self._host(url), url, None, None)

    async def _paced(
        self,
        host: _Host,
        url: str,
        etag: str | None,
        last_modified: str | None,
        crawl_delay: float | None = None,
    ) -> FetchedDocument:
        if host.turn is None:
            host.turn = asyncio.Lock()
        async with host.turn:  # one request at a time per host
            wait = host.next_request_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await fetch(url, policy=self.policy, etag=etag, last_modified=last_modified)
            finally:
                gap = max(self.interval, min(crawl_delay or 0.0, _MAX_CRAWL_DELAY))
                host.next_request_at = time.monotonic() + gap


@dataclass(frozen=True, slots=True)
class Discovery:
    """What to follow for a URL someone added: its kind, the URL to poll, and for a section
    page how many article links it holds now."""

    kind: SourceKind
    url: str
    document: FetchedDocument | None = None  # the polled URL's body, when already fetched
    links: int = 0
    title: str | None = None  # the added page's, for a section page or a sitemap found from it


async def discover(
    sites: SiteAccess, url: str, document: FetchedDocument, *, hosts: frozenset[str] = frozenset()
) -> Discovery:
    """What a URL that is neither a feed nor a page advertising one should be followed as: a
    feed found at the usual places, a news sitemap, a section page, or else the page itself."""
    from digests.sites import FEED_PLACES, SITEMAP_PLACES, article_links, looks_like_sitemap, page_title

    html = "html" in (document.content_type or "text/html")
    title = page_title(document.text) or None if html else None
    if looks_like_sitemap(document.content):
        return Discovery(SourceKind.SITEMAP, url, document)
    for place in FEED_PLACES:
        candidate = await _try(sites, urljoin(url, place))
        if candidate is not None and looks_like_feed(candidate.content, candidate.content_type):
            logger.info("%s: the site's feed is at %s", url[:200], candidate.url[:200])
            return Discovery(SourceKind.FEED, candidate.url, candidate)
    robots = await sites.robots(url)
    for sitemap_url in (robots.sitemaps or [urljoin(url, p) for p in SITEMAP_PLACES])[:5]:
        news = await _news_sitemap(sites, sitemap_url)
        if news is not None:
            logger.info("%s: the site has the news sitemap %s", url[:200], news[:200])
            return Discovery(SourceKind.SITEMAP, news, title=title)
    if html:
        links = article_links(document.text, url, hosts=hosts)
        if len(links) >= MIN_SECTION_LINKS:
            if not robots.allows(url):  # every later poll would be refused: say so now
                raise RobotsRefusal(f"robots.txt does not allow {url[:200]}", reason="robots")
            return Discovery(SourceKind.SECTION, url, document, links=len(links), title=title)
    return Discovery(SourceKind.PAGE, url, document)


async def _try(sites: SiteAccess, url: str) -> FetchedDocument | None:
    try:
        return await sites.get(url)
    except FetchError:
        return None


async def _news_sitemap(sites: SiteAccess, url: str) -> str | None:
    """The URL to follow when the sitemap is, or indexes, a news sitemap."""
    from digests.sites import looks_like_sitemap, parse_sitemap

    document = await _try(sites, url)
    if document is None or not looks_like_sitemap(document.content):
        return None
    try:
        sitemap = await asyncio.to_thread(parse_sitemap, document.content, base_url=document.url)
    except Exception:  # a broken sitemap is one the site does not have
        return None
    if sitemap.news:
        return url
    if not sitemap.index:
        return None
    children = sorted(sitemap.entries, key=lambda e: (e.date is not None, e.date), reverse=True)
    # Indexes often name the news sitemap; look at those first, then the newest.
    children.sort(key=lambda e: "news" not in e.url.lower())
    for child in children[:_SITEMAP_CHILDREN]:
        found = await _try(sites, child.url)
        if found is None or not looks_like_sitemap(found.content):
            continue
        try:
            parsed = await asyncio.to_thread(parse_sitemap, found.content, base_url=found.url)
        except Exception:
            continue
        if parsed.news:
            return url  # the index: its news sitemaps may be renamed or split over time
    return None
