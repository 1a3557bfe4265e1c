"""Bylines and datelines become source · date, never a lead sentence; a feed given where an
article is expected is named as a feed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.fakeapi import FakeTelegram
from digests import digest_article, parse_article
from tests.helpers import ADMIN, OWN_SAMPLE, LocalSite, running_bot

LEAD = "A small river town has switched on a network of sensors. Officials say it works."


@pytest.mark.parametrize(
    ("byline", "source", "published"),
    [
        ("*Example News Service, 18 November 2026*", "Example News Service", date(2026, 11, 18)),
        ("_Example News Service · 2026-11-18_", "Example News Service", date(2026, 11, 18)),
        ("By Jane Doe | November 18, 2026", "Jane Doe", date(2026, 11, 18)),
        ("记者 王小明", "王小明", None),
        ("本报记者 王小明 报道　2026年11月28日", "王小明", date(2026, 11, 28)),
    ],
)
def test_a_byline_becomes_source_and_date_not_a_lead_sentence(
    byline: str, source: str, published: date | None
) -> None:
    article = parse_article(f"# River town\n\n{byline}\n\n{LEAD}\n\n## Part one\n\nText here. More text.")
    assert article.source == source and article.published == published
    assert article.lead == (LEAD,)
    short = digest_article(article, lead_budget=1, section_budget=1)
    assert "*" not in short.lead[0] and "river town has switched on" in short.lead[0]


def test_a_date_stated_whole_wins_over_the_extractors_year() -> None:
    page = (
        "<html><head><title>公交</title></head><body><article><h1>某市夜间公交试运行</h1>"
        "<p>本报记者 王小明 报道　2026年11月28日</p><p>本市夜间公交线路试运行三个月后，交通部门于周四公布评估报告。"
        "报告显示客流增长。</p><p>第二段内容在这里，说明更多的情况和细节。</p></article></body></html>"
    )
    article = parse_article(page)
    assert article.published == date(2026, 11, 28) and article.source == "王小明"
    assert not any("本报记者" in p for p in article.paragraphs)


def test_emphasis_that_is_no_byline_stays_text() -> None:
    article = parse_article(f"# Title\n\n*Editor's note: this story was updated.*\n\n{LEAD}")
    assert article.lead[0] == "*Editor's note: this story was updated.*" and article.published is None


FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Town news</title>'
    b"<item><title>Older entry</title><guid>1</guid><pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate>"
    b"<description><![CDATA[<p>An older entry of the town's feed. It came first, long before the other.</p>"
    + b"<p>"
    + b"Filler sentence of the older entry. " * 20
    + b"</p>]]></description></item>"
    b"<item><title>River sensors go live</title><guid>2</guid><pubDate>Wed, 18 Nov 2026 08:00:00 GMT</pubDate>"
    b"<description><![CDATA[<p>The river town switched on its flood sensors on Wednesday. They warn residents"
    b" six hours ahead.</p><p>" + b"More about the sensors and the river follows here. " * 15 + b"</p>]]>"
    b"</description></item></channel></rss>"
)


async def test_publishing_a_feed_says_it_is_a_feed_and_stores_nothing(
    fake: FakeTelegram, sqlite_url: str, site: LocalSite
) -> None:
    site.pages["/feed.xml"] = ("application/rss+xml", FEED)
    async with running_bot(fake, sqlite_url, fetch_allow_private_addresses=True):
        replies = await fake.reply_to(ADMIN, f"/publish {site.url('/feed.xml')}", count=2)
        assert "is a feed" in replies[1].text and f"/addsource {site.url('/feed.xml')}" in replies[1].text
        [articles] = await fake.reply_to(ADMIN, "/articles")
        assert "no articles" in articles.text.lower()


def test_publish_and_preview_of_a_feed_on_the_command_line(cli, site: LocalSite) -> None:
    site.pages["/feed.xml"] = ("application/rss+xml", FEED)
    url = site.url("/feed.xml")
    published = cli("publish", url, FETCH_ALLOW_PRIVATE_ADDRESSES="true")
    assert published.returncode == 1 and "is a feed" in published.stderr and "sources add" in published.stderr
    assert published.stderr.strip().count("\n") == 0
    preview = cli("preview", url, FETCH_ALLOW_PRIVATE_ADDRESSES="true")
    assert preview.returncode == 0, preview.stderr
    assert "River sensors go live" in preview.stdout and "flood sensors" in preview.stdout
    assert "<rss" not in preview.stdout and "Older entry" not in preview.stdout


def test_the_repositorys_english_sample_previews_without_asterisks(cli) -> None:
    shown = cli("preview", str(OWN_SAMPLE.with_name("sample-en.md")), "--sentences", "1")
    assert shown.returncode == 0 and "*" not in shown.stdout
    assert "Example News Service · 2026-11-18" in shown.stdout
    lead = shown.stdout.split("\n\n")[1]
    assert lead.startswith("• A small river town has switched on")
