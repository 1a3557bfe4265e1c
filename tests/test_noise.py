"""Noise: embedded posts, reference lists, comment footers and boilerplate never reach a digest."""

from __future__ import annotations

from digests import parse_article

BODY_ZH = "这是正文的一段话，内容足够长，用来测试噪声过滤是否正确。"
BODY_EN = "This is an ordinary paragraph of the article body, long enough to be real text."


def test_multi_line_tweet_in_chinese_article_is_removed_whole() -> None:
    text = "\n".join(
        [
            "标题",
            BODY_ZH,
            "Officials met in Moscow today",
            "and talked for five hours pic.twitter.com/AbC123",
            "— Some Outlet (@some_outlet) December 2, 2025",
            "A second tweet follows right away",
            "— Other (@other) December 2, 2025",
            BODY_ZH + "第二段。",
        ]
    )
    article = parse_article(text)
    assert article.paragraphs == (BODY_ZH, BODY_ZH + "第二段。")
    assert article.removed["social_post"] == 5


def test_tweet_in_english_article_takes_only_its_own_text() -> None:
    text = "\n".join(
        [
            "Title",
            BODY_EN,
            "Huge news from the summit today!",
            "— Reporter Name (@reporter) March 4, 2025",
            BODY_EN + " Second.",
        ]
    )
    article = parse_article(text)
    assert article.paragraphs == (BODY_EN, BODY_EN + " Second.")


def test_reference_list_and_comment_footer_are_cut() -> None:
    text = "\n".join(
        [
            "Title",
            BODY_EN,
            BODY_EN + " More.",
            "References",
            "[1] Some paper, 2020",
            "Comments",
            "Great article!",
        ]
    )
    article = parse_article(text)
    assert article.paragraphs == (BODY_EN, BODY_EN + " More.")
    assert article.removed["references"] == 2
    assert article.removed["comments"] == 2


def test_commentary_heading_early_in_a_report_is_not_a_comment_footer() -> None:
    text = "\n".join(
        ["研报标题", "事项：", BODY_ZH, "评论：", BODY_ZH + "甲。", BODY_ZH + "乙。", BODY_ZH + "丙。"]
    )
    article = parse_article(text)
    assert BODY_ZH + "丙。" in article.paragraphs
    assert "comments" not in article.removed


def test_share_and_subscribe_boilerplate_is_removed() -> None:
    text = "\n".join(
        [
            "Title",
            BODY_EN,
            "Share this: Facebook Twitter",
            "Subscribe to our newsletter",
            "分享到：微信 微博",
            BODY_EN + " End.",
        ]
    )
    article = parse_article(text)
    assert article.paragraphs == (BODY_EN, BODY_EN + " End.")
    assert article.removed["boilerplate"] == 3
