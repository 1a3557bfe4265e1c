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


REPORT_PARAGRAPH = (
    "公司2024年实现营业收入50.5亿元，同比增长16.9%，归母净利润3.6亿元，业绩符合市场预期。"
    "分季度看，第四季度营收12.4亿元，环比增长4.2%，毛利率较上年同期提升1.5个百分点，"
    "费用率保持稳定，经营性现金流明显改善，应收账款周转天数缩短，存货水平回落到合理区间。"
)


def test_comment_label_in_the_middle_of_a_report_keeps_the_body() -> None:
    body = [f"第{i}段：{REPORT_PARAGRAPH}" for i in range(1, 7)]
    text = "\n".join(["公司点评报告", *body[:4], "评论：", *body[4:]])
    article = parse_article(text)
    assert all(p in article.paragraphs for p in body)
    assert article.removed.get("comments", 0) == 0


def test_comment_footer_at_the_end_of_a_chinese_article_is_cut() -> None:
    comments = [
        "网友小王 2025-12-02 10:31：说得好，支持！",
        "回复 小王：不同意。",
        "赞(12) 北京网友：期待后续报道。",
    ]
    text = "\n".join(["标题", BODY_ZH, BODY_ZH + "第二段。", BODY_ZH + "第三段。", "评论：", *comments])
    article = parse_article(text)
    assert article.paragraphs == (BODY_ZH, BODY_ZH + "第二段。", BODY_ZH + "第三段。")
    assert article.removed["comments"] == 1 + len(comments)


def test_comments_heading_inside_an_english_article_keeps_what_follows() -> None:
    paragraph = (
        "The committee published its findings on Tuesday, and the report runs to more than two hundred "
        "pages of testimony, financial records and recommendations for the ministry to act on this year."
    )
    body = [f"{paragraph} Part {i}." for i in range(1, 6)]
    text = "\n".join(["Title", *body[:3], "Comments", *body[3:]])
    article = parse_article(text)
    assert all(p in article.paragraphs for p in body)


def test_english_comment_footer_with_long_comments_is_cut() -> None:
    long_comment = (
        "I have followed this story for years and I think the committee missed the point entirely " * 3
    )
    comments = [f"jane_doe 2 hours ago: {long_comment}", f"reply from @sam 10:42 {long_comment}"]
    text = "\n".join(["Title", BODY_EN, BODY_EN + " Second.", BODY_EN + " Third.", "Comments (2)", *comments])
    article = parse_article(text)
    assert article.paragraphs == (BODY_EN, BODY_EN + " Second.", BODY_EN + " Third.")
    assert article.removed["comments"] == 3
