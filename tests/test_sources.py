"""Sources: feeds and pages polled from a local HTTP server, deduplicated, safely parsed."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest

from bot.usecases.polling import MAX_FAILURES, SourcePoller
from bot.usecases.runtime import Runtime
from digests import DigestError
from digests.feeds import canonical_link, parse_feed
from digests.fetch import FetchError, FetchPolicy, fetch
from digests.opml import Outline, export_opml, parse_opml
from storage import Source, StoredArticle, session_scope
from storage import deliveries as delivery_queries
from storage import subscribers as subscriber_queries
from tests.helpers import LocalSite, send

BODY = (
    "<h2>Background</h2><p>{n} began years ago. It grew slowly.</p><h2>Now</h2><p>{n} is big news today.</p>"
)


def rss(items: list[tuple[str, str, str, datetime]], *, full: bool = True) -> bytes:
    """An RSS 2.0 feed; links point at 127.0.0.1 only, so nothing ever leaves loopback."""
    tag = "content:encoded" if full else "description"
    entries = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><link>http://127.0.0.1:9/{guid}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate><{tag}><![CDATA[{body}]]></{tag}></item>"
        for guid, title, body, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Test feed</title>'
        f"{entries}</channel></rss>"
    ).encode()


@pytest.fixture
async def poller(runtime: Runtime) -> AsyncIterator[tuple[SourcePoller, list[str]]]:
    """A poller on a migrated database; ``notes`` collects what the admins would be told."""
    notes: list[str] = []

    async def paused(source: Source, error: str) -> None:
        notes.append(f"source {source.id} paused: {error}")

    runtime.on_source_paused.append(paused)
    yield SourcePoller(runtime), notes


async def _articles(poller: SourcePoller) -> list[StoredArticle]:
    from sqlmodel import select

    async with session_scope(poller.runtime.sessions) as session:
        return list((await session.exec(select(StoredArticle).order_by(StoredArticle.id))).all())


async def test_rss_feed_lifecycle(site, poller) -> None:
    state, base = site, site.base
    source_poller, _notes = poller
    old = datetime.now(UTC) - timedelta(days=3)
    state.pages["/feed.xml"] = (
        "application/rss+xml",
        rss(
            [
                ("a", "Alpha", BODY.format(n="Alpha"), old),
                ("b", "Beta", BODY.format(n="Beta"), old),
                ("b", "Beta again", BODY.format(n="Beta copy"), old),  # a duplicate GUID in one feed
            ]
        ),
    )
    async with session_scope(source_poller.runtime.sessions) as session:
        reader = await subscriber_queries.ensure_subscriber(session, chat_id=500, schedule="instant")
        await subscriber_queries.subscribe(
            session, subscriber=reader, next_digest_at=None, now=datetime.now(UTC) - timedelta(days=10)
        )
    source, created, first = await source_poller.add(f"{base}/feed.xml")
    assert created and source.kind == "feed" and source.title == "Test feed"
    assert first.new == 2 and first.announced == 0  # the back catalogue is stored, not sent
    stored = await _articles(source_poller)
    assert [a.title for a in stored] == ["Alpha", "Beta"]
    assert not any(a.announce for a in stored)
    from storage import articles as article_queries

    async with session_scope(source_poller.runtime.sessions) as session:
        loaded = [await article_queries.load_digest_article(session, article=a) for a in stored]
    assert [[s.heading for s in a.sections] for a in loaded] == [["Background", "Now"]] * 2
    assert all(a.title in " ".join(a.paragraphs) for a in loaded)  # each entry's own text

    second = await source_poller.poll(source)
    assert second.not_modified  # the server answered 304

    fresh = datetime.now(UTC) + timedelta(minutes=1)
    state.pages["/feed.xml"] = (
        "application/rss+xml",
        rss(
            [
                ("a", "Alpha", BODY.format(n="Alpha, corrected"), old),  # edited
                ("b", "Beta", BODY.format(n="Beta"), old),
                ("c", "Gamma", BODY.format(n="Gamma"), fresh),  # new
            ]
        ),
    )
    third = await source_poller.poll(source)
    assert (third.new, third.updated, third.announced) == (1, 1, 1)
    stored = await _articles(source_poller)
    assert [a.title for a in stored] == ["Alpha", "Beta", "Gamma"]
    async with session_scope(source_poller.runtime.sessions) as session:
        counts = await delivery_queries.delivery_counts(session)
    assert counts["pending"] == 1  # Gamma for the instant reader; the edit of Alpha is not re-sent
    from storage import articles as article_queries

    async with session_scope(source_poller.runtime.sessions) as session:
        gamma = await article_queries.load_digest_article(session, article=stored[2])
        alpha = await article_queries.load_digest_article(session, article=stored[0])
    assert [s.heading for s in gamma.sections] == ["Background", "Now"]
    assert any("corrected" in p for p in alpha.paragraphs)


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom test</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated>
<entry><title>Delta</title><id>urn:delta</id><updated>2026-01-01T00:00:00Z</updated><link href="http://127.0.0.1:9/d"/>
<content type="html">&lt;h2&gt;First&lt;/h2&gt;&lt;p&gt;Delta begins here. It has detail.&lt;/p&gt;&lt;h2&gt;Second&lt;/h2&gt;&lt;p&gt;Delta ends here.&lt;/p&gt;</content></entry>
</feed>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://127.0.0.1:9/"><title>RDF test</title><link>http://127.0.0.1:9/</link><description>d</description></channel>
<item rdf:about="http://127.0.0.1:9/e"><title>Epsilon</title><link>http://127.0.0.1:9/e?utm_source=x</link>
<description>Epsilon is the fifth letter. It follows delta. It comes before zeta in the alphabet and is used in maths.
Epsilon is small. Epsilon is also a name for very small numbers in analysis, where it bounds errors.</description></item>
</rdf:RDF>"""


@pytest.mark.parametrize(
    ("data", "title", "headings"), [(ATOM, "Delta", ["First", "Second"]), (RSS1, "Epsilon", [])]
)
def test_atom_and_rss1_entries_parse(data: bytes, title: str, headings: list[str]) -> None:
    from digests import parse_article
    from digests.feeds import entry_document

    feed = parse_feed(data)
    [entry] = feed.entries
    article = parse_article(entry_document(entry), format="html")
    assert article.title == title
    assert [s.heading for s in article.sections] == headings
    if title == "Epsilon":
        assert entry.key == "guid:http://127.0.0.1:9/e"  # RSS 1.0: rdf:about is the identity


def test_entries_without_guid_are_known_by_link_or_by_text() -> None:
    data = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>Linked</title><link>http://127.0.0.1:9/x?utm_source=feed</link><description>d</description></item>"
        b"<item><title>Bare</title><description>Only text here.</description></item>"
        b"<item><title>Bare</title><description>Only text here.</description></item></channel></rss>"
    )
    feed = parse_feed(data)
    assert [e.key.split(":", 1)[0] for e in feed.entries] == ["link", "hash"]
    assert feed.entries[0].key == "link:http://127.0.0.1:9/x"


def test_canonical_links_drop_tracking() -> None:
    assert (
        canonical_link("HTTP://Example.com/a?utm_source=x&id=3&fbclid=y#top") == "http://example.com/a?id=3"
    )


async def test_excerpt_entries_fetch_the_full_article(site, poller) -> None:
    state, base = site, site.base
    source_poller, _ = poller
    state.pages["/story.html"] = (
        "text/html; charset=utf-8",
        (
            b"<html><head><title>Full story</title></head><body><article><h1>Full story</h1>"
            b"<p>The full story has a long first paragraph with the whole lead of the report in it.</p>"
            b"<h2>Details</h2><p>All the details are here, and they are many, and they matter a lot.</p>"
            b"</article></body></html>"
        ),
    )
    feed = rss([("s", "Full story", "Just a teaser.", datetime.now(UTC))], full=False).replace(
        b"http://127.0.0.1:9/s", f"{base}/story.html".encode()
    )
    state.pages["/excerpts.xml"] = ("application/rss+xml", feed)
    await source_poller.add(f"{base}/excerpts.xml")
    [row] = await _articles(source_poller)
    assert state.hits.get("/story.html") == 1
    from storage import articles as article_queries

    async with session_scope(source_poller.runtime.sessions) as session:
        article = await article_queries.load_digest_article(session, article=row)
    assert [s.heading for s in article.sections] == ["Details"]  # from the page, not the teaser
    assert "Just a teaser." not in article.paragraphs


async def test_a_page_that_advertises_a_feed_is_followed_as_the_feed(site, poller) -> None:
    state, base = site, site.base
    source_poller, _ = poller
    state.pages["/feed.xml"] = (
        "application/rss+xml",
        rss([("z", "Zeta", BODY.format(n="Zeta"), datetime.now(UTC))]),
    )
    state.pages["/"] = (
        "text/html",
        b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/feed.xml"></head><body><p>Home</p></body></html>',
    )
    source, created, _ = await source_poller.add(f"{base}/")
    assert created and source.kind == "feed" and source.url == f"{base}/feed.xml"
    later = datetime.now(UTC) + timedelta(minutes=1)
    state.pages["/feed.xml"] = (
        "application/rss+xml",
        rss(
            [
                ("y", "Eta", BODY.format(n="Eta"), later),
                ("z", "Zeta", BODY.format(n="Zeta"), datetime.now(UTC)),
            ]
        ),
    )
    polled = await source_poller.poll(source)
    assert (polled.new, polled.announced) == (1, 1)  # exactly the new entry
    assert set(state.hits) == {"/", "/feed.xml"}  # an advertised feed needs no site discovery


async def test_failing_source_backs_off_then_pauses_and_tells_the_admins_once(site, poller) -> None:
    state, base = site, site.base
    source_poller, notes = poller
    state.pages["/flaky.xml"] = (
        "application/rss+xml",
        rss([("a", "A", BODY.format(n="A"), datetime.now(UTC))]),
    )
    source, _, _ = await source_poller.add(f"{base}/flaky.xml")
    del state.pages["/flaky.xml"]
    delays = []
    for _ in range(MAX_FAILURES):
        before = datetime.now(UTC)
        result = await source_poller.poll(source)
        assert "404" in result.error
        delays.append(round((source.next_poll_at - before).total_seconds()))
    assert delays == sorted(delays) and delays[1] > delays[0]  # exponential backoff
    assert source.paused and "404" in source.last_error
    assert len(notes) == 1 and "paused" in notes[0]


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"""


@pytest.mark.parametrize("prolog", [BOMB, XXE])
def test_entity_bombs_and_external_entities_are_refused(prolog: bytes) -> None:
    feed = (
        prolog
        + b'<rss version="2.0"><channel><title>&lol9;</title><item><title>&xxe;</title></item></channel></rss>'
    )
    opml = (
        prolog + b'<opml version="2.0"><body><outline text="&lol9;" xmlUrl="http://x/&xxe;"/></body></opml>'
    )
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(DigestError, match="refused"):
        parse_feed(feed)
    with pytest.raises(DigestError, match="refused"):
        parse_opml(opml)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < 2 and peak < 20_000_000


def test_truncated_feed_keeps_its_complete_entries(caplog) -> None:
    data = rss(
        [
            ("a", "Alpha", "First entry text.", datetime.now(UTC)),
            ("b", "Beta", "Second entry text.", datetime.now(UTC)),
        ]
    )
    cut = data[: data.index(b"<item>", data.index(b"<item>") + 1) + 20]  # inside the second item
    feed = parse_feed(cut)
    assert feed.entries[0].title == "Alpha"
    assert feed.error is not None


def test_opml_round_trip() -> None:
    document = export_opml(
        [Outline("One & two", "http://a.example/feed?x=1&y=2"), Outline("Three", "http://b/")]
    )
    assert parse_opml(document.encode()) == [
        Outline("One & two", "http://a.example/feed?x=1&y=2"),
        Outline("Three", "http://b/"),
    ]


def _endless(handler: BaseHTTPRequestHandler) -> None:
    """1 GB of HTML if nobody stops reading."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
    try:
        for _ in range(16_384):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


async def test_endless_body_stops_at_the_cap_with_bounded_memory(site) -> None:
    site.routes["/endless"] = _endless
    base = site.base
    tracemalloc.start()
    with pytest.raises(FetchError, match="larger than"):
        await fetch(f"{base}/endless", policy=FetchPolicy(allow_private_addresses=True, max_bytes=5_000_000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 40_000_000


async def test_a_redirect_into_loopback_is_refused(site) -> None:
    """A server the guard lets through (exempted here by address, as a public server would pass)
    redirects to 127.0.0.1: the hop is checked again and refused."""
    base = site.base
    outer_site = LocalSite("127.0.0.2").start()
    try:
        outer = outer_site.base
        policy = FetchPolicy(exempt_addresses=frozenset({"127.0.0.2"}))
        with pytest.raises(FetchError, match="loopback"):
            await fetch(f"{outer}/redirect-to/{base}/x", policy=policy)
    finally:
        outer_site.stop()


def test_big5_page_comes_out_right() -> None:
    from digests import parse_document

    text = "臺灣的經濟成長超過預期，專家認為出口是主要的推動力量。"
    page = f'<html><head><meta charset="big5"><title>新聞</title></head><body><h1>新聞</h1><p>{text}</p><p>{text}</p></body></html>'
    assert text in parse_document(page.encode("big5"), name="page.html").paragraphs


async def test_feed_to_telegram_instant_once_and_daily_at_its_time(site, fake, sqlite_url: str) -> None:
    from tests.helpers import ADMIN, running_bot

    state, base = site, site.base
    state.pages["/news.xml"] = (
        "application/rss+xml",
        rss([("a", "Old", BODY.format(n="Old"), datetime.now(UTC) - timedelta(days=1))]),
    )
    async with running_bot(
        fake,
        sqlite_url,
        scheduler_interval_seconds=0.3,
        fetch_allow_private_addresses=True,
        delivery_chat_interval_seconds=0,
    ) as application:
        await fake.reply_to(701, "/subscribe")
        await fake.reply_to(701, "/schedule instant")
        await fake.reply_to(702, "/subscribe")  # daily at 08:00 UTC
        [_reading, added] = await fake.reply_to(ADMIN, f"/addsource {base}/news.xml", count=2)
        assert "Following #1" in added.text and "1 earlier entry stored, not sent" in added.text
        state.pages["/news.xml"] = (
            "application/rss+xml",
            rss(
                [
                    ("a", "Old", BODY.format(n="Old"), datetime.now(UTC) - timedelta(days=1)),
                    ("b", "Fresh", BODY.format(n="Fresh"), datetime.now(UTC) + timedelta(seconds=5)),
                ]
            ),
        )
        runtime = application.bot_data.runtime
        async with session_scope(runtime.sessions) as session:
            from storage import sources as source_queries

            [source] = await source_queries.list_sources(session)
            source.next_poll_at = datetime.now(UTC)  # due now
            session.add(source)
        before = len(fake.messages_to(701))
        [pushed] = await fake.wait_for_messages(701, 1, after=before, timeout=10)
        assert "Fresh" in pushed.text and "Old" not in pushed.text
        assert fake.messages_to(702)[-1].text.startswith("Subscribed")  # daily: not yet
        seen = len(fake.messages_to(702))  # counted before the digest is due
        async with session_scope(runtime.sessions) as session:
            daily = await subscriber_queries.get_subscriber(session, chat_id=702)
            daily.next_digest_at = datetime.now(UTC) - timedelta(seconds=1)  # their 08:00 has come
            session.add(daily)
        [digest] = await fake.wait_for_messages(702, 1, after=seen, timeout=10)
        assert "Fresh" in digest.text
        await asyncio.sleep(1.0)
        assert len(fake.messages_to(701)) == before + 1  # once


async def test_subscribers_follow_all_sources_or_chosen_ones(site, poller) -> None:
    from bot.usecases.tick import queue_due_digests
    from digests import parse_article
    from storage import articles as article_queries
    from storage import sources as source_queries

    state, base = site, site.base
    source_poller, _ = poller
    runtime = source_poller.runtime
    for name in ("one", "two"):
        state.pages[f"/{name}.xml"] = ("application/rss+xml", rss([]))
    one, _, _ = await source_poller.add(f"{base}/one.xml")
    two, _, _ = await source_poller.add(f"{base}/two.xml")
    start = datetime.now(UTC) - timedelta(hours=1)
    async with session_scope(runtime.sessions) as session:
        everything = await subscriber_queries.ensure_subscriber(session, chat_id=801)
        chooser = await subscriber_queries.ensure_subscriber(session, chat_id=802)
        for row in (everything, chooser):
            await subscriber_queries.subscribe(session, subscriber=row, next_digest_at=start, now=start)
        await source_queries.follow(session, subscriber=chooser, source_id=one.id)
        upload = await article_queries.upload_source(session)
        for n, source_id in enumerate((one.id, two.id, upload.id)):
            await article_queries.save_article(
                session,
                article=parse_article(f"Story {n}\n\nText of story {n}."),
                source_id=source_id,
                now=start + timedelta(minutes=5),
            )
    await queue_due_digests(runtime.engine, runtime.sessions)
    from sqlmodel import select

    from storage import Delivery

    async with session_scope(runtime.sessions) as session:
        rows = (await session.exec(select(Delivery.subscriber_id, Delivery.article_id))).all()
        followed = await source_queries.followed_sources(session, subscriber=chooser)
    by_subscriber: dict[int, set[int]] = {}
    for subscriber_id, article_id in rows:
        by_subscriber.setdefault(subscriber_id, set()).add(article_id)
    assert by_subscriber[everything.id] == {1, 2, 3}
    assert by_subscriber[chooser.id] == {1, 3}  # its chosen source, and the admins' upload
    assert [s.id for s in followed] == [one.id]
    async with session_scope(runtime.sessions) as session:
        await source_queries.unfollow(session, subscriber=everything, source_id=two.id)
        assert [s.id for s in await source_queries.followed_sources(session, subscriber=everything)] == [
            one.id
        ]


async def test_a_huge_feed_is_taken_a_bounded_batch_per_poll_newest_first(site, poller) -> None:
    """3,000 entries: each poll stores at most POLL_MAX_NEW_ENTRIES, newest first, records the
    poll, and says in /sources what is left; the back catalogue is never announced."""
    source_poller, _ = poller
    runtime = source_poller.runtime
    runtime.settings = runtime.settings.model_copy(update={"poll_max_new_entries": 40})
    start = datetime.now(UTC) - timedelta(days=30)
    entries = [
        (f"g{n}", f"Entry {n}", f"<p>Entry {n} says something.</p>", start + timedelta(minutes=n))
        for n in range(3000)
    ]
    site.pages["/huge.xml"] = ("application/rss+xml", rss(entries))
    source, _, first = await source_poller.add(site.url("/huge.xml"))
    assert (first.new, first.announced) == (40, 0)
    assert source.last_polled_at is not None and "on later polls" in (source.last_error or "")
    stored = await _articles(source_poller)
    assert {a.title for a in stored} == {f"Entry {n}" for n in range(2960, 3000)}  # the newest
    second = await source_poller.poll(source)
    assert (second.new, second.announced, second.not_modified) == (40, 0, False)
    assert {a.title for a in await _articles(source_poller)} >= {"Entry 2920", "Entry 2959"}


async def test_excerpt_pages_are_fetched_a_few_per_poll(site, poller) -> None:
    source_poller, _ = poller
    runtime = source_poller.runtime
    runtime.settings = runtime.settings.model_copy(update={"poll_max_page_fetches": 5})
    now = datetime.now(UTC)
    for n in range(30):
        site.pages[f"/story{n}.html"] = (
            "text/html",
            f"<html><body><article><h1>Story {n}</h1><p>The full text of story {n} is long enough.</p>"
            f"</article></body></html>".encode(),
        )
    feed = rss(
        [(f"s{n}", f"Story {n}", "A teaser.", now - timedelta(hours=n)) for n in range(30)], full=False
    )
    for n in range(30):
        feed = feed.replace(f"http://127.0.0.1:9/s{n}<".encode(), f"{site.url(f'/story{n}.html')}<".encode())
    site.pages["/teasers.xml"] = ("application/rss+xml", feed)
    _source, _, first = await source_poller.add(site.url("/teasers.xml"))
    fetched = [path for path in site.hits if path.startswith("/story")]
    assert first.new == 5 and len(fetched) == 5


async def test_a_poll_past_its_deadline_is_recorded_and_retried_later(site, poller) -> None:
    import time as clock

    source_poller, _ = poller
    site.pages["/feed.xml"] = ("application/rss+xml", rss([]))
    source, _, _ = await source_poller.add(site.url("/feed.xml"))

    def slow(handler) -> None:
        clock.sleep(2.5)
        send(handler, 200, "application/rss+xml", rss([]))

    site.routes["/feed.xml"] = slow
    runtime = source_poller.runtime
    runtime.settings = runtime.settings.model_copy(update={"poll_deadline_seconds": 1.0})
    before = source.last_polled_at
    result = await source_poller.poll(source)
    assert result.error is not None and "longer than 1 s" in result.error
    assert source.last_polled_at > before and source.next_poll_at > datetime.now(UTC)


async def test_two_workers_on_postgresql_split_the_due_sources_and_poll_none_twice(
    site, postgres_url: str
) -> None:
    """Sources are claimed, not just read: two pollers sharing one database each take about half,
    and every feed is fetched exactly once."""
    from bot.settings import Settings
    from bot.usecases.runtime import open_runtime
    from storage import sources as source_queries
    from tests.helpers import reset_database

    await reset_database(postgres_url)
    for n in range(40):
        site.pages[f"/f{n}.xml"] = ("application/rss+xml", rss([]))
    settings = Settings(database_url=postgres_url, fetch_allow_private_addresses=True, poll_batch_size=4)
    async with open_runtime(settings) as first, open_runtime(settings) as second:
        async with session_scope(first.sessions) as session:
            for n in range(40):
                await source_queries.add_source(
                    session, url=site.url(f"/f{n}.xml"), kind="feed", title=None, poll_interval_seconds=1800
                )

        async def drain(runtime) -> int:
            polled = 0
            while results := await SourcePoller(runtime).poll_due():
                polled += len(results)
            return polled

        counts = await asyncio.gather(drain(first), drain(second))
    assert sum(counts) == 40 and min(counts) >= 8, counts
    assert all(site.hits.get(f"/f{n}.xml") == 1 for n in range(40)), site.hits


async def test_an_unchanged_feed_is_neither_parsed_nor_written(site, poller, monkeypatch) -> None:
    """No ETag, same bytes: the poll stops at the body's hash."""
    source_poller, _ = poller
    body = rss([("a", "Alpha", BODY.format(n="Alpha"), datetime.now(UTC))])
    site.routes["/plain.xml"] = lambda h: send(h, 200, "application/rss+xml", body)  # no ETag
    source, _, first = await source_poller.add(site.url("/plain.xml"))
    assert first.new == 1
    import bot.usecases.polling as polling_module

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged feed was parsed")

    monkeypatch.setattr(polling_module, "parse_feed", no_parsing)
    for _ in range(3):  # and again: the hash of the body last parsed is kept
        again = await source_poller.poll(source)
        assert again.not_modified and again.new == 0 and source.last_polled_at is not None


async def test_entries_that_store_nothing_are_not_fetched_again_until_they_change(site, poller) -> None:
    """A page that repeats a stored text, and an entry with no text, are remembered as skipped:
    later polls of the (changing) feed do not fetch or parse them again, unless they change."""
    source_poller, _ = poller
    page = b"<html><body><article><h1>Same</h1><p>One text served at two addresses, read once.</p></article></body></html>"
    site.pages["/copy/1.html"] = ("text/html", page)
    site.pages["/copy/2.html"] = ("text/html", page)
    now = datetime.now(UTC)
    entries = [
        ("c1", "Copy one", "Teaser.", now - timedelta(hours=3)),
        ("c2", "Copy two", "Teaser.", now - timedelta(hours=2)),
        ("e", "Empty", "<p> </p>", now - timedelta(hours=1)),
    ]

    def feed(extra: list[tuple[str, str, str, datetime]]) -> bytes:
        body = rss(entries + extra, full=False)
        for n in (1, 2):
            body = body.replace(f"http://127.0.0.1:9/c{n}<".encode(), f"{site.base}/copy/{n}.html<".encode())
        return body

    site.pages["/copies.xml"] = ("application/rss+xml", feed([]))
    source, _, first = await source_poller.add(site.url("/copies.xml"))
    assert first.new == 1 and site.hits["/copy/1.html"] == site.hits["/copy/2.html"] == 1
    assert set(source.skipped_entries) == {"guid:c1", "guid:e"}  # newest first: c2 was stored

    site.pages["/copies.xml"] = ("application/rss+xml", feed([("n", "News", BODY.format(n="News"), now)]))
    second = await source_poller.poll(source)
    assert (second.new, second.note) == (1, None)
    assert site.hits["/copy/1.html"] == site.hits["/copy/2.html"] == 1  # nothing fetched twice
    assert source.body_hash is not None  # the next unchanged poll stops at the hash

    entries[0] = ("c1", "Copy one, edited", "Teaser.", entries[0][3])  # a changed entry is read again
    site.pages["/copies.xml"] = ("application/rss+xml", feed([("n", "News", BODY.format(n="News"), now)]))
    await source_poller.poll(source)
    assert site.hits["/copy/1.html"] == 2 and site.hits["/copy/2.html"] == 1


async def test_an_opml_import_checks_every_feed_and_leaves_the_first_polls_to_the_poller(
    site, poller
) -> None:
    """Feeds are checked concurrently and reported in the file's order; nothing is stored until
    the poller's first poll, which stores the back catalogue without announcing it."""
    from bot.usecases import following

    source_poller, _ = poller
    now = datetime.now(UTC)
    for n in range(6):
        site.pages[f"/o{n}.xml"] = (
            "application/rss+xml",
            rss([(f"o{n}", f"Feed {n}", BODY.format(n=f"F{n}"), now)]),
        )
    outlines = "".join(
        f'<outline type="rss" text="F{n}" xmlUrl="{site.url(f"/o{n}.xml")}"/>' for n in range(6)
    )
    outlines += f'<outline type="rss" text="dup" xmlUrl="{site.url("/o0.xml")}"/>'
    outlines += f'<outline type="rss" text="gone" xmlUrl="{site.url("/missing.xml")}"/>'
    data = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()
    imported = await following.import_opml(source_poller.runtime, data=data)
    assert [i.url for i in imported] == [site.url(f"/o{n}.xml") for n in range(6)] + [
        site.url("/missing.xml")
    ]
    assert all(i.added and i.added.created for i in imported[:6]) and imported[6].error
    assert all(site.hits[f"/o{n}.xml"] == 1 for n in range(6))
    assert await _articles(source_poller) == []
    results = await source_poller.poll_due()
    assert sorted(r.new for r in results) == [1] * 6 and not any(r.announced for r in results)


async def test_an_entry_edited_at_its_source_is_digested_anew(site, poller) -> None:
    """The digest cache follows the stored content: after an edit, readers get the new text."""
    from bot.usecases import reading

    source_poller, _ = poller
    renderer = source_poller.runtime.renderer
    now = datetime.now(UTC)
    first = "<p>The bridge opened on Monday after four years of work.</p>"
    site.pages["/edits.xml"] = ("application/rss+xml", rss([("b", "Bridge", first, now)]))
    source, _, _ = await source_poller.add(site.url("/edits.xml"))
    article_id, article = await reading.find_article(source_poller.runtime, None)
    before = await renderer.overview(article_id, article, length="normal")
    assert "four years" in before[0]

    edited = "<p>The bridge opened on Tuesday after five years of work, a day late.</p>"
    site.pages["/edits.xml"] = ("application/rss+xml", rss([("b", "Bridge", edited, now)]))
    assert (await source_poller.poll(source)).updated == 1
    article_id, article = await reading.find_article(source_poller.runtime, None)
    after = await renderer.overview(article_id, article, length="normal")
    assert "five years" in after[0] and "four years" not in after[0]
    [(_, loaded)] = (await renderer.load_articles([article_id])).items()
    assert "five years" in " ".join(loaded.paragraphs)


def test_an_export_whose_titles_hold_control_characters_imports_again() -> None:
    hostile = "Bell\x07 Esc\x1b[31m red \u202eevil\u202c\ud800 end"
    document = export_opml(
        [Outline(hostile, "http://a.example/feed"), Outline("Plain", "http://b/")], title="x\x00"
    )
    [first, second] = parse_opml(document.encode("utf-8", "surrogatepass"))
    assert first == Outline("Bell Esc[31m red evil end", "http://a.example/feed")
    assert second == Outline("Plain", "http://b/")
