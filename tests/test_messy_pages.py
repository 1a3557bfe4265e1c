"""Any input gives a digest or a one-line reason, never a traceback."""

from __future__ import annotations

import random

import pytest

from bot.fakeapi.html import check_telegram_html
from digests import DigestError, digest_article, parse_document
from digests.render import render_digest

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour reopens after storm - The Daily Example</title>
<script>window.dataLayer = [{"page": "article"}]; function track(){}</script>
<style>body { font-family: serif }</style></head>
<body>
<div class="cookie-banner">We use cookies. <button>Accept all</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<main><article>
<h1>Harbour reopens after storm</h1>
<p class="byline">By Sam Writer</p><time datetime="2025-11-20">November 20, 2025</time>
<p>The city's harbour reopened on Thursday, four days after a storm tore boats from their moorings and
flooded the fish market, officials said.</p>
<p>Engineers worked through the night to clear debris from the main channel and test the lock gates.</p>
<h2>Damage to the fish market</h2>
<p>Traders said the flood destroyed stock worth thousands of pounds and left the cold stores without power.</p>
<p>The council promised emergency grants, but several stall holders said they could not wait for the money.</p>
<blockquote class="twitter-tweet"><p lang="en">The harbour is open again! Thanks to everyone who helped.
pic.twitter.com/abcDEF123</p>&mdash; Harbour Master (@harbourmaster) November 20, 2025</blockquote>
<h2>What comes next</h2>
<p>The port authority will review its storm plans and may raise the sea wall by half a metre next year.</p>
<p>Insurers are expected to publish estimates of the total cost of the storm within weeks.</p>
<div class="share">Share this article: Facebook Twitter Email</div>
<aside><h3>Related stories</h3><ul><li><a href="/a">Storm warning issued</a></li>
<li><a href="/b">Fish prices rise</a></li></ul></aside>
</article></main>
<section id="comments"><h2>Comments</h2><p>Great reporting!</p><p>Terrible storm.</p></section>
<footer><p>© 2025 The Daily Example. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_news_page_with_furniture_gives_a_clean_digest() -> None:
    article = parse_document(NEWS_PAGE.encode("utf-8"), name="page.html")
    assert article.title == "Harbour reopens after storm"
    assert [s.heading for s in article.sections] == ["Damage to the fish market", "What comes next"]
    text = "\n".join(article.paragraphs)
    for furniture in (
        "cookies",
        "Subscribe",
        "Great reporting",
        "rights reserved",
        "harbourmaster",
        "Related",
    ):
        assert furniture not in text
    for message in render_digest(digest_article(article), "html"):
        check_telegram_html(message)


@pytest.mark.parametrize("encoding", ["big5", "shift_jis", "euc-kr", "cp1251"])
def test_pages_in_legacy_charsets_come_out_right(encoding: str) -> None:
    texts = {
        "big5": "臺灣的經濟成長超過預期，專家認為出口是主要的推動力量。",
        "shift_jis": "日本の経済成長は予想を上回り、専門家は輸出が主な原動力だと考えている。",
        "euc-kr": "한국의 경제 성장이 예상을 넘어섰으며 전문가들은 수출이 주요 원동력이라고 본다.",
        "cp1251": "Экономический рост превысил ожидания, и эксперты считают экспорт главной силой.",
    }
    sentence = texts[encoding]
    page = f"<html><head><title>News</title></head><body><h1>News</h1><p>{sentence}</p><p>{sentence}</p></body></html>"
    article = parse_document(page.encode(encoding), name="page.html")
    assert sentence in article.paragraphs


def test_random_inputs_never_crash() -> None:
    generator = random.Random(20251126)
    alphabet = "abc 中文。！？<>&\"'#-—\n\t" + "".join(chr(c) for c in range(0x20, 0x7F))
    fragments = [
        "<p>",
        "</p>",
        "<h2>",
        "</h2>",
        "<div>",
        "<script>",
        "# ",
        "一、",
        "— X (@x) May 1, 2025",
        "pic.twitter.com/x",
        "参考资料",
        "Responses",
        "\n\n",
        "<html>",
        "<!doctype html>",
    ]
    for _ in range(300):
        parts = []
        for _ in range(generator.randint(0, 40)):
            if generator.random() < 0.3:
                parts.append(generator.choice(fragments))
            else:
                parts.append("".join(generator.choice(alphabet) for _ in range(generator.randint(1, 30))))
        data = "".join(parts).encode("utf-8")
        if generator.random() < 0.2:
            data = bytes(generator.randrange(256) for _ in range(generator.randint(0, 400)))
        try:
            article = parse_document(data, name=generator.choice(["a.txt", "a.md", "a.html", None]))
        except DigestError as err:
            assert str(err) and "\n" not in str(err)
            continue
        for message in render_digest(digest_article(article), "html"):
            check_telegram_html(message)
