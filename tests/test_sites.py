"""Sites without feeds, served from loopback: discovery, section pages, news sitemaps (plain,
gzip, indexed), robots.txt, per-host pacing, and every request through the fetch guard."""

from __future__ import annotations

import gzip
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

import bot.usecases.polling
import bot.usecases.sites
from bot.fakeapi import FakeTelegram
from bot.usecases.polling import SourcePoller
from bot.usecases.runtime import Runtime
from bot.usecases.sites import SiteAccess
from digests import DigestError, parse_document
from digests.fetch import fetch as guarded_fetch
from digests.sites import article_links, not_an_article, page_article, parse_robots, parse_sitemap
from storage import StoredArticle, session_scope
from storage import subscribers as subscriber_queries
from tests.helpers import ADMIN, OWN_SAMPLE, LocalSite, running_bot
from tests.sitefixtures import SECTION_PAGES, SectionPage


def article_html(title: str) -> bytes:
    paragraphs = "".join(
        f"<p>{title}: paragraph {i} says what happened, who was there and why it matters to the readers.</p>"
        for i in range(6)
    )
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>".encode()


def serve_articles(site: LocalSite, paths: list[str] | frozenset[str]) -> None:
    for path in paths:
        site.pages[path] = ("text/html; charset=utf-8", article_html(f"Story at {path}"))


def fixture(name: str) -> SectionPage:
    return next(page for page in SECTION_PAGES if page.name == name)


@pytest.fixture
async def poller(runtime: Runtime) -> AsyncIterator[SourcePoller]:
    async with session_scope(runtime.sessions) as session:  # a reader, so announcements are queued
        reader = await subscriber_queries.ensure_subscriber(session, chat_id=77, schedule="instant")
        await subscriber_queries.subscribe(
            session, subscriber=reader, next_digest_at=None, now=datetime.now(UTC) - timedelta(days=1)
        )
    yield SourcePoller(runtime)


@pytest.fixture
def guard_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL handed to the fetch guard, by the poller and by the site reader."""
    calls: list[str] = []

    async def counted(url: str, **kwargs: object) -> object:
        calls.append(url)
        return await guarded_fetch(url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.usecases.polling, "fetch", counted)
    monkeypatch.setattr(bot.usecases.sites, "fetch", counted)
    return calls


def test_article_links_of_the_section_fixtures_precision_and_recall() -> None:
    """The figures docs/quality.md reports: every link of three section pages, labelled by hand."""
    true_positive = false_positive = false_negative = 0
    for page in SECTION_PAGES:
        found = {urlsplit(link.url).path for link in article_links(page.html, "http://news.test" + page.path)}
        true_positive += len(found & page.articles)
        false_positive += len(found - page.articles)
        false_negative += len(page.articles - found)
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)


def test_links_keep_to_the_site_and_drop_tracking_parameters() -> None:
    html = (
        '<main><a href="/world/putin-meets-us-envoys-in-moscow?utm_source=x#top">Putin meets US envoys</a>'
        '<a href="https://other.test/world/a-story-on-another-site-entirely">Another site</a>'
        '<a href="https://www.news.test/2026/11/30/a-dated-story/">A dated story</a></main>'
    )
    links = article_links(html, "https://news.test/world/")
    assert [link.url for link in links] == [
        "https://news.test/world/putin-meets-us-envoys-in-moscow",
        "https://www.news.test/2026/11/30/a-dated-story/",
    ]


def test_configured_hosts_count_as_the_site_and_settings_read_them_from_a_list() -> None:
    from bot.settings import Settings

    html = '<main><a href="https://articles.news.test/2026/11/30/a-story-kept-on-another-host/">A story</a></main>'
    assert article_links(html, "https://news.test/world/") == []
    settings = Settings(site_article_hosts="Articles.News.test; other.test")
    assert settings.site_article_hosts == frozenset({"articles.news.test", "other.test"})
    [link] = article_links(html, "https://news.test/world/", hosts=settings.site_article_hosts)
    assert link.url.startswith("https://articles.news.test/2026/11/30/")


def test_a_gzip_bomb_sitemap_is_refused_and_entities_too() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000 + b"</urlset>")
    with pytest.raises(DigestError) as refused:
        parse_sitemap(bomb, base_url="http://news.test/")
    assert refused.value.reason == "too_large"
    entities = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'
    )
    with pytest.raises(DigestError):
        parse_sitemap(entities, base_url="http://news.test/")


def test_robots_rules_address_the_bot_by_name() -> None:
    robots = parse_robots(
        "User-agent: digestbot\nDisallow: /private/\nCrawl-delay: 5\n\nUser-agent: *\nDisallow: /"
    )
    assert robots.allows("http://news.test/world/story") and not robots.allows("http://news.test/private/x")
    assert robots.crawl_delay == 5.0


async def test_a_section_page_is_followed_by_its_article_links(
    site: LocalSite, poller: SourcePoller, guard_calls: list[str]
) -> None:
    page = fixture("modern")
    site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /world/africa/\n")
    site.pages[page.path] = ("text/html; charset=utf-8", page.html.encode())
    serve_articles(site, page.articles)
    source, created, first = await poller.add(site.url(page.path))
    assert created and source.kind == "section" and first.links == len(page.articles)
    refused = "/world/africa/drought-drives-grain-prices-up"
    assert (first.new, first.announced) == (
        len(page.articles) - 1,
        0,
    )  # the back catalogue; robots refuse one
    assert refused not in site.hits
    navigation = {"/world/europe/", "/tags/climate", "/authors/john-smith", "/account/login", "/subscribe"}
    assert not navigation & set(site.hits)  # links that are not articles are never fetched

    fresh = ["/world/europe/talks-resume-after-a-week-of-silence", "/world/article/98765499"]
    cards = "".join(
        f'<div class="card"><a href="{path}"><h3>New story {path}</h3></a></div>' for path in fresh
    )
    updated = page.html.replace(
        '<section class="stories">', f'<section class="stories">{cards}<a href="/tags/new">new</a>'
    )
    site.pages[page.path] = ("text/html; charset=utf-8", updated.encode())
    serve_articles(site, fresh)
    second = await poller.poll(source)
    assert (second.new, second.announced, second.error) == (2, 2, None)
    assert all(site.hits[path] == 1 for path in fresh) and refused not in site.hits
    assert (await poller.poll(source)).not_modified
    served = {path.split("?")[0] for _, _, path in site.served}
    assert served == {
        urlsplit(url).path for url in guard_calls
    }  # nothing reached the site but through the guard


def news_sitemap(base: str, items: list[tuple[str, str, datetime]]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>Test</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{when.isoformat()}</news:publication_date><news:title>{title}</news:title>"
        f"</news:news></url>"
        for path, title, when in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def sitemap_index(base: str, children: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{base}{path}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>"
        for path, when in children
    )
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


HOME = b"<html><head><title>Home</title></head><body><h1>Welcome</h1><p>Nothing to follow here.</p></body></html>"


async def test_a_site_with_only_a_gzip_news_sitemap_in_an_index(
    site: LocalSite, poller: SourcePoller, guard_calls: list[str]
) -> None:
    base, now = site.base, datetime.now(UTC)
    old = now - timedelta(days=30)
    site.pages["/robots.txt"] = (
        "text/plain",
        f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap_index.xml\n".encode(),
    )
    site.pages["/"] = ("text/html", HOME)
    items = [(f"/news/story-{n}.html", f"Story {n}", now - timedelta(hours=n)) for n in range(1, 4)]
    site.pages["/sitemap-pages.xml"] = ("application/xml", news_sitemap(base, []).replace(b"news:news", b"x"))
    site.pages["/news/sitemap-news.xml.gz"] = ("application/x-gzip", gzip.compress(news_sitemap(base, items)))
    site.pages["/sitemap_index.xml"] = (
        "application/xml",
        sitemap_index(base, [("/sitemap-pages.xml", old), ("/news/sitemap-news.xml.gz", now)]),
    )
    serve_articles(site, [path for path, _, _ in items])
    source, created, first = await poller.add(site.url("/"))
    assert created and source.kind == "sitemap" and source.url == site.url("/sitemap_index.xml")
    assert (first.new, first.announced, first.links) == (3, 0, 3)
    async with session_scope(poller.runtime.sessions) as session:
        stored = (await session.exec(select(StoredArticle).order_by(StoredArticle.published_at))).all()
    assert [a.title for a in stored] == [
        "Story 3",
        "Story 2",
        "Story 1",
    ]  # the news sitemap's titles and dates

    later = now + timedelta(minutes=1)
    items = [("/news/story-9.html", "Story 9", later), ("/news/story-8.html", "Story 8", later), *items]
    site.pages["/news/sitemap-news.xml.gz"] = ("application/x-gzip", gzip.compress(news_sitemap(base, items)))
    serve_articles(site, ["/news/story-9.html", "/news/story-8.html"])
    second = await poller.poll(source)
    assert (second.new, second.announced, second.error) == (2, 2, None)
    assert site.hits["/news/story-1.html"] == 1  # known entries are not fetched again
    served = {path for _, _, path in site.served}
    assert served == {urlsplit(url).path for url in guard_calls}


async def _site_with_a_news_sitemap(site: LocalSite, poller: SourcePoller) -> tuple[object, object]:
    """A site with no feed and a plain news sitemap of one story at /sitemap.xml, added."""
    site.pages["/"] = ("text/html", HOME)
    site.pages["/sitemap.xml"] = (
        "application/xml",
        news_sitemap(site.base, [("/a-story.html", "A story", datetime.now(UTC))]),
    )
    serve_articles(site, ["/a-story.html"])
    source, _, first = await poller.add(site.url("/"))
    return source, first


async def test_a_plain_news_sitemap_at_the_usual_place_when_robots_names_none(
    site: LocalSite, poller: SourcePoller
) -> None:
    source, first = await _site_with_a_news_sitemap(site, poller)
    assert source.kind == "sitemap" and source.url == site.url("/sitemap.xml") and first.new == 1


async def test_robots_disallowing_the_section_page_stops_every_request_but_its_own(
    site: LocalSite, poller: SourcePoller
) -> None:
    page = fixture("portal")
    site.pages["/robots.txt"] = ("text/plain", b"User-agent: digestbot\nDisallow: /\n")
    site.pages[page.path] = ("text/html; charset=utf-8", page.html.encode())
    serve_articles(site, page.articles)
    with pytest.raises(DigestError) as refused:
        await poller.add(site.url(page.path))
    # The URL someone added is read once, as a browser would; nothing the crawl would fetch is.
    assert refused.value.reason == "robots"
    assert set(site.hits) == {page.path, "/robots.txt"}


async def test_requests_to_one_host_are_paced_and_one_at_a_time(
    site: LocalSite, poller: SourcePoller
) -> None:
    interval = 0.25
    poller.runtime.sites = SiteAccess(poller.runtime.fetch_policy, interval=interval)
    page = fixture("wordpress")
    site.pages[page.path] = ("text/html; charset=utf-8", page.html.encode())
    serve_articles(site, page.articles)
    await poller.add(site.url(page.path))
    crawl = sorted(site.served)[1:]  # after the added URL itself, which is not a crawl request
    assert len(crawl) >= len(page.articles) + 2
    for (start, end, _), (following, _, _) in itertools.pairwise(crawl):
        assert following >= end  # one at a time
        assert following - start >= interval * 0.95  # no faster than the configured pace


async def test_addsource_says_what_it_found_and_sources_shows_kind_and_last_poll(
    site: LocalSite, fake: FakeTelegram, sqlite_url: str
) -> None:
    page = fixture("wordpress")
    site.pages[page.path] = ("text/html; charset=utf-8", page.html.encode())
    serve_articles(site, page.articles)
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        [_reading, added] = await fake.reply_to(ADMIN, f"/addsource {site.url(page.path)}", count=2)
        links = len(article_links(page.html, site.url(page.path)))
        assert f"World – The Daily Example (section page: {links} article links)" in added.text
        [listed] = await fake.reply_to(ADMIN, "/sources")
        assert "section page" in listed.text and "last poll" in listed.text
        await fake.reply_to(ADMIN, "/language zh")
        [listed_zh] = await fake.reply_to(ADMIN, "/sources")
        assert "栏目页" in listed_zh.text and "上次抓取" in listed_zh.text


async def test_a_feed_at_the_usual_place_is_found_though_no_page_names_it(
    site: LocalSite, poller: SourcePoller
) -> None:
    site.pages["/"] = ("text/html", HOME)
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Usual place</title><item><title>One</title>'
        "<guid>one</guid><description>One story, told in full in the feed itself.</description></item>"
        "</channel></rss>"
    )
    site.pages["/rss.xml"] = ("application/rss+xml", feed.encode())
    source, created, first = await poller.add(site.url("/"))
    assert created and source.kind == "feed" and source.url == site.url("/rss.xml") and first.new == 1
    assert site.hits["/rss.xml"] == 1  # fetched once: discovery's copy is the one polled


def undated_news_sitemap(base: str, paths: list[str], *, note: str = "") -> bytes:
    """A news sitemap whose entries carry no dates (sites leave them out)."""
    import re

    dated = news_sitemap(base, [(path, "An old story", datetime.now(UTC)) for path in paths])
    body = re.sub(rb"<news:publication_date>[^<]*</news:publication_date>", b"", dated)
    return body.replace(b"<urlset", f"<!-- {note} --><urlset".encode(), 1)


async def test_a_news_sitemap_answering_304_stays_active_for_twenty_polls(
    site: LocalSite, poller: SourcePoller
) -> None:
    source, first = await _site_with_a_news_sitemap(site, poller)
    assert source.kind == "sitemap" and first.new == 1
    for _ in range(20):
        result = await poller.poll(source)
        assert result.error is None and result.not_modified
    async with session_scope(poller.runtime.sessions) as session:
        from storage.models import Source

        stored = await session.get(Source, source.id)
    assert stored is not None and not stored.paused and stored.error_count == 0


async def test_an_undated_sitemap_of_3000_urls_announces_nothing_when_polled_again(
    site: LocalSite, poller: SourcePoller
) -> None:
    paths = [f"/archive/{n}/an-old-story-from-the-archive.html" for n in range(3000)]
    site.pages["/"] = ("text/html", HOME)
    site.pages["/sitemap.xml"] = ("application/xml", undated_news_sitemap(site.base, paths))
    serve_articles(site, paths)
    source, _, first = await poller.add(site.url("/"))
    assert source.kind == "sitemap" and first.links == 3000 and first.announced == 0
    fetched = sum(site.hits.get(path, 0) for path in paths)
    for poll in range(3):  # the same URLs, a body that differs: read again, nothing is news
        site.pages["/sitemap.xml"] = (
            "application/xml",
            undated_news_sitemap(site.base, paths, note=str(poll)),
        )
        again = await poller.poll(source)
        assert (again.new, again.announced, again.error) == (0, 0, None)
    assert sum(site.hits.get(path, 0) for path in paths) == fetched  # the back catalogue is not fetched


async def test_a_sitemap_follows_no_child_sitemap_and_no_url_on_another_host(
    site: LocalSite, poller: SourcePoller
) -> None:
    other = LocalSite(host="127.0.0.2").start()
    try:
        now = datetime.now(UTC)
        site.pages["/"] = ("text/html", HOME)
        site.pages["/robots.txt"] = ("text/plain", f"Sitemap: {site.base}/sitemap_index.xml\n".encode())
        own = [("/news/own-story.html", "Own story", now)]
        foreign = [("/news/their-story.html", "Their story", now)]
        site.pages["/news.xml"] = (
            "application/xml",
            news_sitemap(site.base, own).replace(
                b"</urlset>", news_sitemap(other.base, foreign).split(b'xml/0.9">')[-1]
            ),
        )
        other.pages["/theirs.xml"] = ("application/xml", news_sitemap(other.base, foreign))
        index = sitemap_index(site.base, [("/news.xml", now)]).replace(
            b"</sitemapindex>",
            f"<sitemap><loc>{other.base}/theirs.xml</loc><lastmod>{now.isoformat()}</lastmod></sitemap></sitemapindex>".encode(),
        )
        site.pages["/sitemap_index.xml"] = ("application/xml", index)
        serve_articles(site, ["/news/own-story.html"])
        serve_articles(other, ["/news/their-story.html"])
        source, _, first = await poller.add(site.url("/"))
        assert source.kind == "sitemap" and first.new == 1 and first.links == 1
        assert other.hits == {}  # neither its sitemap nor its story was fetched
    finally:
        other.stop()


KUAIXUN = (
    "据新华社报道，本市今日起在十二条公交线路试行夜间运营，首末班时间延长至凌晨一点。交通部门表示，"
    "试运行期间将根据客流调整发车间隔，并在主要站点增设安全员。市民可通过官方应用查询实时到站信息，"
    "相关票价保持不变。首批线路覆盖火车站、三所医院和主要商业区，试运行为期三个月，结束后将评估是否常态化运营。"
)


def kuaixun_html(title: str) -> bytes:
    """A Chinese news flash: a headline and about 150 characters of body, as 快讯 pages are."""
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>首页</a><a href='/news/'>快讯</a></nav>"
        f"<article><h1>{title}</h1><p>{KUAIXUN}</p></article><footer>版权所有</footer></body></html>"
    ).encode()


async def test_short_chinese_news_flashes_from_a_section_page_and_a_news_sitemap_are_articles(
    site: LocalSite, runtime: Runtime
) -> None:
    """Five 快讯 linked from a section page and four in a news sitemap: each of about 150
    characters, half the 300 an English page needs, and worth more than 300 letters of English."""
    assert len(KUAIXUN) < 160
    poller = SourcePoller(runtime)
    flashes = [f"/news/2026/12/02/kuaixun-{n}.html" for n in range(5)]
    cards = "".join(
        f'<li><a href="{path}">本市夜间公交试运行第{n}号快讯</a></li>' for n, path in enumerate(flashes)
    )
    site.pages["/news/"] = (
        "text/html; charset=utf-8",
        f"<html><head><title>快讯</title></head><body><nav><a href='/'>首页</a><a href='/about'>关于</a></nav>"
        f"<main><ul class='list'>{cards}</ul></main></body></html>".encode(),
    )
    for n, path in enumerate(flashes):
        site.pages[path] = ("text/html; charset=utf-8", kuaixun_html(f"本市夜间公交试运行第{n}号快讯"))
    section, _, from_section = await poller.add(site.url("/news/"))
    assert section.kind == "section" and from_section.error is None
    assert from_section.new == 5, from_section

    other = LocalSite().start()
    try:
        now = datetime.now(UTC)
        items = [(f"/flash/{n}.html", f"夜间公交快讯{n}", now - timedelta(hours=n)) for n in range(4)]
        other.pages["/"] = ("text/html", HOME)
        other.pages["/sitemap.xml"] = ("application/xml", news_sitemap(other.base, items))
        for path, title, _ in items:
            other.pages[path] = ("text/html; charset=utf-8", kuaixun_html(title))
        sitemap, _, from_sitemap = await poller.add(other.url("/"))
    finally:
        other.stop()
    assert sitemap.kind == "sitemap" and from_sitemap.new == 4, from_sitemap
    async with session_scope(runtime.sessions) as session:
        stored = (await session.exec(select(StoredArticle))).all()
    assert len(stored) == 9 and all(article.language == "zh" for article in stored)


def _page(body: str, title: str = "Page") -> tuple[str, ...]:
    """The paragraphs the bot reads off a fetched page."""
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return parse_document(html.encode(), name="https://news.example/page.html").paragraphs


def test_whether_a_page_is_an_article_is_decided_by_its_structure_and_its_body_per_script() -> None:
    """A headline and body sentences make an article, however short in Chinese characters; a
    column of headlines is a list, however many characters it has; a few words are a stub."""
    assert not_an_article(_page(f"<article><h1>夜间公交试运行</h1><p>{KUAIXUN}</p></article>")) is None
    english = (
        "<article><h1>Ferries on a new timetable</h1><p>The port authority decided on Tuesday that the "
        "ferries will run every twenty minutes from Monday, after a month of delays.</p><p>Its director "
        "said the change would cost nothing, because two boats return from repair this week.</p>"
        "<p>Commuters had asked for it since the summer, when the last boat left at nine. "
        "The first new ferry leaves at six.</p></article>"
    )
    assert not_an_article(_page(english)) is None
    headlines = "".join(
        f"<li><a href='/news/{n}.html'>本市第{n}号公交线路夜间试运行首周客流超出预期</a></li>"
        for n in range(20)
    )
    listing = _page(f"<main><h1>快讯</h1><ul>{headlines}</ul></main>")
    assert len("".join(listing)) > 300  # long enough by characters alone: its structure decides
    reason = not_an_article(listing)
    assert reason is not None and "a list" in reason
    stub = not_an_article(("Subscribe to our newsletter.", "Log in.", "Contact us."))
    assert stub is not None and "body text" in stub
    assert not_an_article(parse_document(OWN_SAMPLE.read_bytes(), name=OWN_SAMPLE.name).paragraphs) is None


def test_a_section_page_fetched_as_an_article_is_refused_and_an_article_full_of_links_is_kept() -> None:
    """Headlines and teasers that are links are not the page's own text, however they are laid
    out (cards, a column of teasers, a Chinese portal); an article's links leave it an article."""
    for page in SECTION_PAGES:
        with pytest.raises(DigestError) as refused:
            page_article(
                page.html.encode(),
                url="http://news.test" + page.path,
                content_type="text/html",
                max_chars=50_000,
            )
        assert refused.value.reason == "not_article", page.name
    related = "".join(
        f'<li><a href="/2026/12/0{n}/story-{n}/">Another story about the harbour, number {n}</a></li>'
        for n in range(1, 8)
    )
    linked = (
        "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
        "<p>The harbour reopened on Monday after <a href='/a/1'>a storm damaged the piers</a> last month, "
        "the port authority said in a statement.</p><p>Repairs cost <a href='/a/2'>four million euros</a>, "
        "less than the city had feared, because two of the three piers held.</p><p>Fishermen, who had "
        "landed their catch in the next town since October, returned the same morning.</p></article>"
        f"<section class='related'><h2>Related</h2><ul>{related}</ul></section></body></html>"
    )
    article = page_article(
        linked.encode(), url="http://news.test/a/3", content_type="text/html", max_chars=50_000
    )
    assert article.title == "Harbour reopens" and "four million euros" in " ".join(article.paragraphs)
