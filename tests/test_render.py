"""Rendering: escaping, Telegram's tags only, splitting under 4096 characters."""

from __future__ import annotations

import json

from bot.fakeapi.html import check_telegram_html
from digests import ArticleDigest, SectionDigest, digest_article, parse_article
from digests.render import TELEGRAM_LIMIT, render_digest, render_section, telegram_length

NASTY = "<script>alert(1)</script> a<b AT&T"


def _digest(sentences: tuple[str, ...], heading: str = "Part <one>") -> ArticleDigest:
    return ArticleDigest(
        title="T&C <title>",
        language="en",
        lead=("Lead & more.",),
        sections=(SectionDigest(index=1, heading=heading, sentences=sentences),),
    )


def test_article_text_is_escaped_in_html() -> None:
    [message] = render_digest(_digest((NASTY,)), "html")
    assert "&lt;script&gt;" in message and "a&lt;b" in message and "AT&amp;T" in message
    assert "<script>" not in message
    visible = check_telegram_html(message)
    assert NASTY in visible and "T&C <title>" in visible


def test_plain_text_and_markdown_formats() -> None:
    [text] = render_digest(_digest((NASTY,)), "text")
    assert NASTY in text and "<b>" not in text
    [markdown] = render_digest(_digest(("Use *stars* and _under_.",)), "md")
    assert markdown.startswith("# T&C \\<title\\>")
    assert "## 1. Part \\<one\\>" in markdown and "\\*stars\\*" in markdown


def test_json_has_the_documented_shape(sample_text: str) -> None:
    [output] = render_digest(digest_article(parse_article(sample_text)), "json")
    data = json.loads(output)
    assert set(data) == {"title", "language", "source", "published", "lead", "sections"}
    assert set(data["sections"][0]) == {"index", "label", "heading", "sentences"}
    assert data["sections"][0]["label"] == "一、"
    assert data["published"] == "2025-12-02"


def test_long_section_is_split_under_the_limit_with_balanced_tags() -> None:
    sentences = tuple(f"Sentence {i} says AT&T <b> matters a lot." for i in range(250))  # ~10,000 chars
    messages = render_digest(_digest(sentences), "html")
    assert len(messages) >= 3
    for message in messages:
        assert telegram_length(message) <= TELEGRAM_LIMIT
        check_telegram_html(message)
    joined = "\n".join(check_telegram_html(m) for m in messages)
    assert all(s in joined for s in sentences)  # nothing lost between messages


def test_a_single_huge_sentence_is_cut_without_breaking_entities() -> None:
    huge = ("AT&T " * 2500).strip()  # 12,499 characters, 37,000 once escaped
    messages = render_digest(_digest((huge,)), "html")
    for message in messages:
        assert telegram_length(message) <= TELEGRAM_LIMIT
        check_telegram_html(message)
    assert sum(check_telegram_html(m).count("AT&T") for m in messages) == 2500


def test_sections_start_new_messages_rather_than_split() -> None:
    block = tuple(f"Sentence {i} of a long section." for i in range(80))  # ~2,600 chars each
    digest = ArticleDigest(
        title="Title",
        language="en",
        lead=(),
        sections=(SectionDigest(1, "One", block), SectionDigest(2, "Two", block)),
    )
    messages = render_digest(digest, "html")
    assert len(messages) == 2
    assert "<b>2. Two</b>" in messages[1].splitlines()[0]


def test_section_render_keeps_chinese_label() -> None:
    [message] = render_section("标题", SectionDigest(2, "闭门会谈", ("一句话。",), label="二、"), "html")
    assert "<b>二、闭门会谈</b>" in message
    check_telegram_html(message)
