"""Polling feeds and pages: fetching a source, turning new or edited entries into articles.

Every fetch goes through the guard in ``digests.fetch``. An entry is known by its GUID,
else its canonical link, else a hash of title and text: an edited entry updates its
article and is not sent again; a new source's back catalogue is stored, not sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import digests
from bot.logs import is_database_error, safe
from bot.metrics import ARTICLES, POLL_ERRORS, POLL_SECONDS
from bot.settings import Settings
from bot.usecases import ingestion
from bot.usecases.loops import supervise
from bot.usecases.runtime import Runtime
from bot.usecases.sites import discover
from digests.feeds import FeedEntry, canonical_link, entry_document, feed_links, looks_like_feed, parse_feed
from digests.fetch import FetchedDocument, FetchError, fetch
from digests.filters import KeywordFilter, article_text
from storage import Source, SourceKind, session_scope, stored_id, utcnow
from storage import sources as source_queries

logger = logging.getLogger(__name__)

MAX_FAILURES = 8  # consecutive failed polls before a source is paused
_PAGE_FETCHES_AT_ONCE = 4  # full texts of excerpt-only entries fetched in parallel
_UNDATED = datetime.max.replace(tzinfo=UTC)
_MAX_SKIPPED = 2_000  # skipped entries remembered per source, the latest kept
_CRAWLED = (SourceKind.SECTION, SourceKind.SITEMAP)  # polled politely (robots.txt, per-host pace)
_SITEMAP_CHILDREN_PER_POLL = 3  # child sitemaps of an index read per poll, the newest
# Failures worth another try on the next poll; any other leaves the link alone until it changes.
_TRANSIENT = frozenset({"network", "too_slow", "http_status", "unknown_host"})


def _fingerprint(entry: FeedEntry) -> str:
    """What an entry says; a changed fingerprint means an edited entry."""
    return hashlib.sha256(f"{entry.title}\x00{entry.content}".encode()).hexdigest()


MAX_BACKOFF = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PollResult:
    source_id: int
    new: int = 0
    updated: int = 0
    announced: int = 0
    not_modified: bool = False
    error: str | None = None
    note: str | None = None  # entries left for later polls
    links: int = 0  # article links of a section page, URLs of a sitemap, listed now


@dataclass(frozen=True, slots=True)
class Ingested:
    """What reading one fetched document of a source gave, whatever its kind."""

    result: PollResult
    skipped: dict[str, str] | None = None  # listed entries that stored nothing, with fingerprints
    advised: int | None = None  # the seconds between polls the document itself asks for
    conclusive: bool = True  # False: its validators (ETag, Last-Modified) say nothing of what it lists


def poll_interval(source: Source, settings: Settings) -> int:
    """Seconds from one poll of a source to the next: an admin's choice; else what the source
    asks for (``<ttl>``, ``sy:updatePeriod``, ``Cache-Control: max-age``) within
    POLL_MIN_INTERVAL_SECONDS…POLL_MAX_INTERVAL_SECONDS; else POLL_INTERVAL_SECONDS as it was
    when the source was added."""
    if source.interval_chosen or not source.advised_interval_seconds:
        return source.poll_interval_seconds
    low, high = settings.poll_min_interval_seconds, settings.poll_max_interval_seconds
    return max(low, min(high, source.advised_interval_seconds))


class SourcePoller:
    """Adds and polls sources; a source paused for failing is reported once (``on_source_paused``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.policy = runtime.fetch_policy
        self._polling: set[asyncio.Task[PollResult]] = set()  # polls in flight (``run``)
        # One way in for every kind: its fetched document, read into entries and stored.
        self._ingesters: dict[SourceKind, Callable[[Source, FetchedDocument, bool], Awaitable[Ingested]]] = {
            SourceKind.FEED: self._ingest_feed,
            SourceKind.PAGE: self._ingest_page,
            SourceKind.SECTION: self._ingest_section,
            SourceKind.SITEMAP: self._ingest_sitemap,
        }

    async def add(
        self,
        url: str,
        *,
        interval: int | None = None,
        poll_now: bool = True,
        paced: bool = True,
        document: FetchedDocument | None = None,
        public: bool = True,
    ) -> tuple[Source, bool, PollResult]:
        """Follow a feed; or, for a page, the feed it advertises, else what site discovery finds
        (the site's feed, its news sitemap, the page as a section page, or the page itself).

        The fetched document is polled at once, or with ``poll_now=False`` left to the poller
        (the source is due): an import of many feeds checks each and returns. The URL is fetched
        in turn with other requests to its host, or with ``paced=False`` at once (an import of
        feed URLs, documents made for programs to poll); ``document`` is its body, already fetched.
        A source a reader follows (``public=False``) reaches only the chats that follow it.
        """
        sites = self.runtime.sites
        if document is None:
            document = await (sites.fetch(url) if paced else fetch(url, policy=sites.policy))
        kind = SourceKind.FEED
        title: str | None = None
        polled: FetchedDocument | None = document
        if looks_like_feed(document.content, document.content_type):
            feed = await asyncio.to_thread(
                parse_feed, document.content, content_type=document.content_type, base_url=url
            )
            title = feed.title
        else:
            from digests.sites import looks_like_sitemap  # site crawling's parsers, loaded when used

            if document.content[:2] == b"\x1f\x8b" and not looks_like_sitemap(document.content):
                raise FetchError(
                    "refused: a compressed file that is not a sitemap", reason="not_text", kind="gzip"
                )
            advertised = feed_links(document.text, url) if "html" in (document.content_type or "html") else []
            if advertised:
                logger.info("%s advertises the feed %s; following that", url[:200], advertised[0][:200])
                return await self.add(advertised[0], interval=interval, poll_now=poll_now, public=public)
            found = await discover(sites, url, document, hosts=self.runtime.settings.site_article_hosts)
            if found.kind == SourceKind.FEED:
                feed_url, fetched = found.url, found.document
                return await self.add(
                    feed_url, interval=interval, poll_now=poll_now, document=fetched, public=public
                )
            kind, url, title, polled = found.kind, found.url, found.title, found.document
        async with self.runtime.single_writer(), session_scope(self.runtime.sessions) as session:
            source, created = await source_queries.add_source(
                session,
                url=url,
                kind=kind,
                title=title,
                poll_interval_seconds=interval or self.runtime.settings.poll_interval_seconds,
                interval_chosen=interval is not None,
                public=public,
            )
        if not (created and poll_now):
            return source, created, PollResult(stored_id(source.id))
        return source, created, await self.poll(source, document=polled)  # None: fetched there

    async def poll_due(self, *, now: datetime | None = None, limit: int | None = None) -> list[PollResult]:
        """Claim a batch of due sources (POLL_BATCH_SIZE) and poll them, POLL_CONCURRENCY at a time.

        Claimed, not just read: several workers sharing a PostgreSQL database split the due
        sources between them, and none is polled twice at once.
        """
        settings = self.runtime.settings
        lease = timedelta(seconds=settings.poll_deadline_seconds + 60)
        async with session_scope(self.runtime.sessions) as session:
            due = await source_queries.claim_due_sources(
                session, now=now or utcnow(), limit=limit or settings.poll_batch_size, lease=lease
            )
        slots = asyncio.Semaphore(settings.poll_concurrency)

        async def poll(source: Source) -> PollResult:
            async with slots:
                return await self.poll(source)

        return list(await asyncio.gather(*(poll(source) for source in due)))

    async def run(self, stop: asyncio.Event, *, wake: asyncio.Event | None = None) -> None:
        """Poll due sources until ``stop`` is set, POLL_CONCURRENCY at a time: as soon as a poll
        ends, the next due source is claimed, so a backlog (after a restart, an outage, an OPML
        import) drains at the speed of the sites and this machine, not a batch a tick. With
        nothing due it looks again every POLL_IDLE_SECONDS or when ``wake`` is set; supervised
        (``bot.usecases.loops``)."""
        settings = self.runtime.settings
        # The loop goes round at least every idle wait; a minute more without a round is stuck.
        self.health = self.runtime.loop_health("polling", stuck_after=2 * settings.poll_idle_seconds + 60)
        await supervise(self.health, lambda: self._poll_until(stop, wake or asyncio.Event()), stop)
        if self._polling:
            await asyncio.gather(*self._polling, return_exceptions=True)

    async def _poll_until(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        settings = self.runtime.settings
        lease = timedelta(seconds=settings.poll_deadline_seconds + 60)
        polling = self._polling
        room = asyncio.Event()

        def finished(task: asyncio.Task[PollResult]) -> None:
            polling.discard(task)
            room.set()
            if not task.cancelled() and (error := task.exception()) is not None:
                if is_database_error(error):  # the poll's outcome could not be recorded
                    self.runtime.database.failed(error)
                else:
                    logger.error("a poll failed: %s", safe(error), exc_info=error)

        while not stop.is_set():
            self.health.progress()
            free = settings.poll_concurrency - len(polling)
            claimed: list[Source] = []
            if free > 0:
                try:
                    async with session_scope(self.runtime.sessions) as session:
                        claimed = list(
                            await source_queries.claim_due_sources(
                                session, now=utcnow(), limit=min(free, settings.poll_batch_size), lease=lease
                            )
                        )
                    self.runtime.database.answered()
                except Exception as error:
                    if not is_database_error(error):
                        raise
                    self.runtime.database.failed(error)
                for source in claimed:
                    task = asyncio.create_task(self.poll(source), name=f"poll-{source.id}")
                    polling.add(task)
                    task.add_done_callback(finished)
                if claimed and len(claimed) == free:
                    continue  # every slot is busy: wait for one to free
            room.clear()
            wake.clear()
            waiters = [asyncio.ensure_future(event.wait()) for event in (stop, room, wake)]
            # With slots free and nothing claimed nothing is due: look again after the idle wait.
            timeout = settings.poll_idle_seconds
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def poll(self, source: Source, *, document: FetchedDocument | None = None) -> PollResult:
        """Fetch a source once (conditional GET), or take the ``document`` just fetched from its
        URL, and store what is new or changed."""
        with POLL_SECONDS.time():
            result = await self._poll(source, document)
        if result.error is not None:
            POLL_ERRORS.inc()
        if result.new or result.updated:
            ARTICLES.labels(via=source.kind).inc(result.new + result.updated)
        return result

    async def _poll(self, source: Source, fetched: FetchedDocument | None) -> PollResult:
        now = utcnow()
        deadline = self.runtime.settings.poll_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                document = fetched or await self._fetch_source(source)
                body_hash = (
                    hashlib.sha256(document.content).hexdigest() if not document.not_modified else None
                )
                # 304 is unchanged for every kind; the same bytes are not for a sitemap, whose body
                # may be an index of child sitemaps that changed (an index is fetched unconditionally).
                same_bytes = body_hash == source.body_hash and source.kind != SourceKind.SITEMAP
                if document.not_modified or same_bytes:
                    await self._record(
                        source,
                        now=now,
                        etag=document.etag,
                        last_modified=document.last_modified,
                        body_hash=source.body_hash,  # still the body last parsed
                        advised=document.max_age or source.advised_interval_seconds,
                    )
                    return PollResult(stored_id(source.id), not_modified=True)
                first_poll = source.last_polled_at is None
                ingest = self._ingesters.get(source.kind, self._ingest_page)
                ingested = await ingest(source, document, first_poll)
                result = ingested.result
                if not ingested.conclusive:  # a sitemap index: a 304 for it says nothing of its children
                    document = replace(document, etag=None, last_modified=None)
        except digests.DigestError as error:
            return await self._failed(source, str(error), now)
        except TimeoutError:
            return await self._failed(
                source, f"the poll took longer than {deadline:g} s; the rest waits", now
            )
        except (
            Exception
        ) as error:  # a bug or a database error: recorded, so the source is not retried at once
            if is_database_error(error):
                raise
            logger.exception("source %s: polling failed unexpectedly", source.id)
            return await self._failed(source, f"unexpected {type(error).__name__}", now)
        await self._record(
            source,
            now=now,
            etag=document.etag,
            last_modified=document.last_modified,
            note=result.note,
            body_hash=None if result.note else body_hash,  # entries left for later: not "unchanged"
            skipped_entries=ingested.skipped,
            advised=ingested.advised or document.max_age,  # the document's own word first
        )
        if result.announced:
            self.runtime.queued()
        return result

    async def _record(
        self,
        source: Source,
        *,
        now: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        note: str | None = None,
        body_hash: str | None = None,
        skipped_entries: dict[str, str] | None = None,
        advised: int | None = None,
    ) -> None:
        # Entries left for later come on the next regular poll; a validator would hide them.
        etag, last_modified = (None, None) if note else (etag, last_modified)
        source.advised_interval_seconds = advised
        async with session_scope(self.runtime.sessions) as session:
            await source_queries.record_poll(
                session,
                source=source,
                now=now,
                etag=etag,
                last_modified=last_modified,
                next_poll_at=now + timedelta(seconds=poll_interval(source, self.runtime.settings)),
                note=note,
                body_hash=body_hash,
                skipped_entries=skipped_entries,
            )

    async def _failed(self, source: Source, error: str, now: datetime) -> PollResult:
        backoff = min(MAX_BACKOFF, timedelta(seconds=source.poll_interval_seconds * 2**source.error_count))
        logger.warning(
            "source %s (%s): %s; next try in %s", source.id, (source.url or "")[:200], error, backoff
        )
        async with session_scope(self.runtime.sessions) as session:
            await source_queries.record_poll(
                session, source=source, now=now, next_poll_at=now + backoff, error=error
            )
            if source.error_count >= MAX_FAILURES:
                reason = f"{source.error_count} failed polls in a row; last: {error}"
                await source_queries.set_paused(session, source=source, paused=True, reason=reason)
        if source.paused:
            for hook in self.runtime.on_source_paused:
                await hook(source, error)
        return PollResult(stored_id(source.id), error=error)

    async def _ingest_feed(self, source: Source, document: FetchedDocument, first_poll: bool) -> Ingested:
        """A feed's entries: what is new or changed stored, at most POLL_MAX_NEW_ENTRIES a poll,
        newest first; and the interval the feed asks for (``<ttl>``, ``sy:updatePeriod``)."""
        feed = await asyncio.to_thread(
            parse_feed, document.content, content_type=document.content_type, base_url=source.url
        )
        if feed.error:
            logger.warning(
                "source %s: the feed is malformed (%s); kept its %d complete entries",
                source.id,
                safe(feed.error),
                len(feed.entries),
            )
        result, skipped = await self._ingest_entries(source, list(feed.entries), first_poll)
        return Ingested(result, skipped, feed.advised_interval)

    async def _ingest_entries(
        self, source: Source, entries: list[FeedEntry], first_poll: bool, *, linked: bool = False
    ) -> tuple[PollResult, dict[str, str]]:
        """Store what is new or changed among the listed ``entries``. ``linked`` entries (a
        section page's links, a sitemap's URLs) are bare links: the first poll keeps all but
        one batch as the back catalogue, known and never fetched, and any later one is news."""
        settings = self.runtime.settings
        async with session_scope(self.runtime.sessions) as session:
            stored = await source_queries.entry_fingerprints(session, source_id=stored_id(source.id))
        listed = {e.key for e in entries}
        # Skipped entries still listed are remembered; those the feed dropped are forgotten.
        skipped = {k: v for k, v in source.skipped_entries.items() if k in listed and k not in stored}
        known = {**skipped, **stored}
        changed = [e for e in entries if known.get(e.key) != _fingerprint(e)]
        # Newest first; undated entries keep the feed's order, which puts the newest on top.
        changed.sort(key=lambda e: e.published or _UNDATED, reverse=True)
        batch = changed[: settings.poll_max_new_entries]
        budget = settings.poll_max_page_fetches
        if linked:  # paced requests: as many as fit half the poll's deadline
            gap = await self.runtime.sites.pace(source.url or "")
            budget = min(budget, max(1, int(settings.poll_deadline_seconds / 2 / max(gap, 0.001))))
        fetches = [e for e in batch if e.excerpt_only and e.link][:budget]
        batch = [e for e in batch if not (e.excerpt_only and e.link) or e in fetches]
        if linked and first_poll:  # the back catalogue beyond this batch: known, not fetched
            taken = {e.key for e in batch}
            skipped.update({e.key: _fingerprint(e) for e in changed if e.key not in taken})
            changed = batch
        left = len(changed) - len(batch)
        top = {e.key for e in entries[: settings.poll_max_new_entries]}
        slots = asyncio.Semaphore(_PAGE_FETCHES_AT_ONCE)

        retry: set[str] = set()

        async def article_of(entry: FeedEntry) -> digests.Article | None:
            async with slots:
                try:
                    return await (self._linked_article(entry) if linked else self._entry_article(entry))
                except digests.DigestError as error:
                    if linked and error.reason in _TRANSIENT:
                        retry.add(entry.key)  # tried again next poll
                    logger.info("source %s: entry %s skipped: %s", source.id, safe(entry.key[:200]), error)
                    return None

        articles = await asyncio.gather(*(article_of(entry) for entry in batch))
        new = updated = announced = 0
        async with self.runtime.single_writer():  # SQLite: one feed's writes after another, no lock waits
            for entry, article in zip(batch, articles, strict=True):
                if article is None:
                    if entry.key not in retry:
                        skipped[entry.key] = _fingerprint(entry)
                    continue
                recent = linked or entry.key in top
                outcome = await self._store_entry(
                    source, entry, article, first_poll, recent=recent, stored=entry.key in stored
                )
                if outcome in ("copy", "filtered"):
                    skipped[entry.key] = _fingerprint(entry)
                else:
                    skipped.pop(entry.key, None)
                new += outcome in ("new", "announced")
                announced += outcome == "announced"
                updated += outcome == "updated"
        note = None
        if left or retry:
            later = left + len(retry)
            note = (
                f"{len(changed)} new or changed entries; "
                f"{len(changed) - later} stored now, {later} on later polls"
            )
            logger.info("source %s: %s", source.id, note)
        result = PollResult(
            stored_id(source.id), new=new, updated=updated, announced=announced, note=note, links=len(entries)
        )
        # A site's back catalogue is remembered whole (bounded by what it lists: a sitemap's
        # 50,000 URLs at most), or forgotten URLs would come back as news, a batch a poll.
        return result, skipped if linked else dict(list(skipped.items())[-_MAX_SKIPPED:])

    async def _store_entry(
        self,
        source: Source,
        entry: FeedEntry,
        article: digests.Article,
        first_poll: bool,
        *,
        recent: bool,
        stored: bool = True,
    ) -> str:
        """Store one entry: "new", "announced", "updated", "same", "copy" (its text is already
        stored, from another entry) or "filtered" (a new entry the source's keyword filter
        refuses). ``stored=False`` says the entry is not in the database yet (the poll's one
        query of known entries), so no lookup."""
        extra = {"entry_fingerprint": _fingerprint(entry)}
        if not stored and source.keyword_filter:
            keyword_filter = KeywordFilter.from_json(source.keyword_filter)
            if not keyword_filter.accepts(article.title, article_text(article)):
                return "filtered"
        async with session_scope(self.runtime.sessions) as session:
            existing = (
                await source_queries.article_by_entry(
                    session, source_id=stored_id(source.id), entry_key=entry.key
                )
                if stored
                else None
            )
            if existing is not None:
                changed = await ingestion.store_edit(session, row=existing, article=article, extra=extra)
                return "updated" if changed else "same"
            # A new source's back catalogue is stored, not sent; later, an entry is news when it is
            # dated after the source was added, or, undated, when it stands among the newest.
            fresh = entry.published > source.created_at if entry.published else recent
            announce = not first_poll and fresh
            created = (
                await ingestion.store_article(
                    session,
                    article=article,
                    source_id=source.id,
                    url=entry.link,
                    guid=entry.guid,
                    entry_key=entry.key,
                    published_at=min(entry.published or utcnow(), utcnow()),
                    announce=announce,
                    extra=extra,
                )
            ).created
        if not created:
            return "copy"
        return "announced" if announce else "new"

    async def _fetch_source(self, source: Source) -> FetchedDocument:
        """The source's document by conditional GET; a site's pages politely (robots, pace)."""
        url, etag, modified = source.url or "", source.etag, source.last_modified
        if source.kind in _CRAWLED:
            return await self.runtime.sites.get(url, etag=etag, last_modified=modified)
        return await fetch(url, policy=self.policy, etag=etag, last_modified=modified)

    async def _ingest_section(self, source: Source, document: FetchedDocument, first_poll: bool) -> Ingested:
        """A section page: its article links as bare-link entries, each article fetched politely."""
        from digests.sites import article_links  # site crawling's parsers, loaded when used

        hosts = self.runtime.settings.site_article_hosts
        links = await asyncio.to_thread(article_links, document.text, document.url, hosts=hosts)
        entries = [_linked_entry(link.url) for link in links]
        result, skipped = await self._ingest_entries(source, entries, first_poll, linked=True)
        return Ingested(result, skipped)

    async def _ingest_sitemap(self, source: Source, document: FetchedDocument, first_poll: bool) -> Ingested:
        """A news sitemap's URLs dated since the last poll (an index's: those of its newest child
        sitemaps), as bare-link entries; an index is not conclusive, its own body does not say
        whether its children changed."""
        from digests.sites import SitemapEntry, parse_sitemap, site_host

        sitemap = await asyncio.to_thread(parse_sitemap, document.content, base_url=document.url)
        # A sitemap speaks for its own site: child sitemaps and URLs on other hosts are not followed.
        own = (h.removeprefix("www.") for h in self.runtime.settings.site_article_hosts)
        allowed = {site_host(source.url or ""), site_host(document.url), *own}
        sitemap = replace(sitemap, entries=tuple(e for e in sitemap.entries if site_host(e.url) in allowed))
        since = (
            source.last_polled_at - timedelta(seconds=2 * source.poll_interval_seconds)
            if source.last_polled_at
            else None
        )
        if sitemap.index:
            children = [e for e in sitemap.entries if since is None or e.date is None or e.date >= since]
            children.sort(key=lambda e: (e.date is not None, e.date), reverse=True)
            urls: list[SitemapEntry] = []
            for child in children[:_SITEMAP_CHILDREN_PER_POLL]:
                try:
                    page = await self.runtime.sites.get(child.url)
                    part = await asyncio.to_thread(parse_sitemap, page.content, base_url=page.url)
                except digests.DigestError as error:
                    logger.info("source %s: sitemap %s skipped: %s", source.id, safe(child.url[:200]), error)
                    continue
                urls.extend(e for e in part.entries if not part.index and site_host(e.url) in allowed)
            entries = urls
        else:
            entries = list(sitemap.entries)
        fresh = [e for e in entries if since is None or e.date is None or e.date >= since]
        fresh.sort(key=lambda e: (e.date is not None, e.date), reverse=True)
        logger.debug(
            "source %s: %d sitemap URLs, %d since the last poll", source.id, len(entries), len(fresh)
        )
        links = [_linked_entry(e.url, published=e.date, title=e.title) for e in fresh]
        result, skipped = await self._ingest_entries(source, links, first_poll, linked=True)
        return Ingested(result, skipped, conclusive=not sitemap.index)

    async def _linked_article(self, entry: FeedEntry) -> digests.Article:
        """The article a link leads to, fetched politely; ``DigestError`` when the page turns out
        not to be one (too little text: a list, a form, a gallery)."""
        from digests.sites import page_article  # site crawling's parsers, loaded when used

        page = await self.runtime.sites.get(entry.link or "")
        article = await asyncio.to_thread(
            page_article,
            page.content,
            url=page.url,
            content_type=page.content_type,
            max_chars=self.runtime.settings.article_max_chars,
        )
        return replace(article, title=entry.title) if entry.title else article

    async def _entry_article(self, entry: FeedEntry) -> digests.Article:
        """The entry's article; an excerpt's full text is fetched from its link."""
        limit = self.runtime.settings.article_max_chars
        if entry.excerpt_only and entry.link:
            try:
                page = await fetch(entry.link, policy=self.policy)
                return await asyncio.to_thread(
                    digests.parse_document,
                    page.content,
                    name=entry.link,
                    content_type=page.content_type,
                    max_chars=limit,
                )
            except digests.DigestError as error:
                logger.info("full text of %s unavailable (%s); using the excerpt", entry.link[:200], error)
        return await asyncio.to_thread(
            digests.parse_article, entry_document(entry), format="fragment", max_chars=limit
        )

    async def _ingest_page(self, source: Source, document: FetchedDocument, first_poll: bool) -> Ingested:
        """A page that is one article, polled for edits."""
        article = await asyncio.to_thread(
            digests.parse_document,
            document.content,
            name=source.url,
            content_type=document.content_type,
            max_chars=self.runtime.settings.article_max_chars,
        )
        entry = FeedEntry(
            key=f"link:{canonical_link(source.url or '')}",
            title=article.title,
            link=source.url,
            guid=None,
            published=None,
            content="",
            excerpt_only=False,
        )
        # A page is one entry, known by its link, that is news whenever it is new after the first poll.
        outcome = await self._store_entry(source, entry, article, first_poll, recent=True)
        return Ingested(
            PollResult(
                stored_id(source.id),
                new=int(outcome in ("new", "announced")),
                updated=int(outcome == "updated"),
                announced=int(outcome == "announced"),
            )
        )


def _linked_entry(url: str, *, published: datetime | None = None, title: str = "") -> FeedEntry:
    """A bare link as an entry, known by its canonical URL; what it says comes from its page
    (the title a news sitemap gives wins: it is the headline the site chose)."""
    return FeedEntry(
        key=f"link:{canonical_link(url)}"[:1024],
        title=title,
        link=url,
        guid=None,
        published=published,
        content="",
        excerpt_only=True,
    )
