"""Structure: titles, headings of every style, datelines, lead and sections."""

from __future__ import annotations

from datetime import date

import pytest

from digests import DigestError, parse_article, parse_document
from digests.structure import chinese_numeral, roman_numeral


def test_sample_article_has_title_lead_and_two_sections(sample_text: str) -> None:
    article = parse_article(sample_text)
    assert article.title == "普京在克里姆林宫与川普特使威特科夫与库什纳会谈5小时"
    assert article.language == "zh"
    assert [s.heading for s in article.sections] == ["高规格接待与入城安排", "闭门会谈过程与克宫会前会后定调"]
    assert [s.label for s in article.sections] == ["一、", "二、"]
    assert [s.index for s in article.sections] == [1, 2]
    assert len(article.lead) == 1 and article.lead[0].startswith("当地时间12月2日晚")


def test_dateline_becomes_source_and_date_not_text(sample_text: str) -> None:
    article = parse_article(sample_text)
    assert article.source == "路德社"
    assert article.published == date(2025, 12, 2)
    assert not any("【" in p or "路德社" in p for p in article.paragraphs)


def test_sample_noise_is_counted_by_kind(sample_text: str) -> None:
    article = parse_article(sample_text)
    assert article.removed["social_post"] >= 10
    assert article.removed["references"] == 1
    assert article.removed["comments"] == 1
    body = "\n".join(article.paragraphs)
    for noise in ("RT_com", "nexta_tv", "pic.twitter.com", "Witkoff and Kushner", "参考资料", "Responses"):
        assert noise not in body


def test_markdown_headings_make_sections() -> None:
    text = (
        "# Rivers of Europe\n\nRivers shaped the continent. They carried trade for centuries.\n\n"
        "## The Danube\n\nThe Danube flows through ten countries.\nIt ends in the Black Sea.\n\n"
        "## The Rhine\n\nThe Rhine starts in the Alps. It reaches the North Sea.\n"
    )
    article = parse_article(text)
    assert article.title == "Rivers of Europe"
    assert article.language == "en"
    assert [s.heading for s in article.sections] == ["The Danube", "The Rhine"]
    # Markdown paragraphs are unwrapped: one line break does not end a paragraph.
    assert article.sections[0].paragraphs == (
        "The Danube flows through ten countries. It ends in the Black Sea.",
    )
    assert article.lead == ("Rivers shaped the continent. They carried trade for centuries.",)


def test_html_page_with_h2_sections_drops_page_furniture() -> None:
    html = """<!doctype html><html><head><title>Ocean report | Example News</title></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav>
    <article><h1>Ocean report</h1>
    <p>The oceans absorbed more heat this year than in any year on record, scientists said on Monday.</p>
    <h2>Rising temperatures</h2>
    <p>Surface temperatures rose by a tenth of a degree across most basins over the twelve months.</p>
    <p>The Atlantic warmed fastest, followed by the Indian Ocean, according to the new measurements.</p>
    <h2>Effects on fisheries</h2>
    <p>Fish stocks moved towards the poles as the water warmed, changing where fleets can fish.</p>
    </article>
    <footer><p>Share this article on Facebook</p><p>© 2025 Example News. All rights reserved.</p></footer>
    </body></html>"""
    article = parse_article(html)
    assert article.title == "Ocean report"
    assert [s.heading for s in article.sections] == ["Rising temperatures", "Effects on fisheries"]
    assert article.lead[0].startswith("The oceans absorbed")
    assert not any("Share this" in p or "rights reserved" in p or "Home" in p for p in article.paragraphs)


@pytest.mark.parametrize(
    ("lines", "headings", "labels"),
    [
        (["一、背景介绍", "二、主要内容"], ["背景介绍", "主要内容"], ["一、", "二、"]),
        (["（一）背景介绍", "（二）主要内容"], ["背景介绍", "主要内容"], ["（一）", "（二）"]),
        (["第一部分 背景介绍", "第二部分 主要内容"], ["背景介绍", "主要内容"], ["第一部分", "第二部分"]),
        (["1. Background", "2. Main findings"], ["Background", "Main findings"], ["1.", "2."]),
        (["1、背景介绍", "2、主要内容"], ["背景介绍", "主要内容"], ["1、", "2、"]),
        (["I. Background", "II. Main findings"], ["Background", "Main findings"], ["I.", "II."]),
    ],
)
def test_numbered_heading_styles(lines: list[str], headings: list[str], labels: list[str]) -> None:
    chinese = any("\u4e00" <= c <= "\u9fff" for c in lines[0])
    body = "这是正文的第一句话。这里还有第二句话。" if chinese else "This is body text. It has two sentences."
    text = "\n".join(
        ["Title of the piece" if not chinese else "文章标题", body, lines[0], body, lines[1], body]
    )
    article = parse_article(text)
    assert [s.heading for s in article.sections] == headings
    assert [s.label for s in article.sections] == labels


def test_short_standalone_lines_become_headings_when_nothing_else_marks_them() -> None:
    body = "This paragraph is long enough to be ordinary body text of the article. It goes on a little."
    text = "\n".join(["A title", body, "Early years", body, "Later life", body])
    article = parse_article(text)
    assert [s.heading for s in article.sections] == ["Early years", "Later life"]


def test_chinese_subheadings_stay_inside_their_section() -> None:
    body = "这是正文的第一句话。"
    text = "\n".join(
        ["标题", body, "一、总体情况", body, "（一）细节甲", body, "（二）细节乙", body, "二、下一步", body]
    )
    article = parse_article(text)
    assert [s.heading for s in article.sections] == ["总体情况", "下一步"]
    assert "（一）细节甲" in article.sections[0].paragraphs


def test_english_dateline_and_byline() -> None:
    text = (
        "Storm hits the coast\nBy Jane Doe\nPublished December 3, 2025\n"
        "WASHINGTON (Reuters) - A storm hit the coast on Tuesday. Thousands lost power.\n"
    )
    article = parse_article(text)
    assert article.source == "Jane Doe"
    assert article.published == date(2025, 12, 3)
    assert article.lead == ("A storm hit the coast on Tuesday. Thousands lost power.",)


def test_numerals() -> None:
    assert [chinese_numeral(n) for n in ("一", "九", "十", "十二", "二十", "二十三")] == [
        1,
        9,
        10,
        12,
        20,
        23,
    ]
    assert [roman_numeral(n) for n in ("I", "IV", "IX", "XIV")] == [1, 4, 9, 14]
    assert chinese_numeral("abc") is None and roman_numeral("ABC") is None


def test_long_article_is_cut_and_marked() -> None:
    text = "Title\n" + "\n".join(f"This is sentence number {i} of a very long text." for i in range(10_000))
    article = parse_article(text, max_chars=5_000)
    assert article.truncated
    assert sum(len(p) for p in article.paragraphs) <= 5_000


@pytest.mark.parametrize("data", [b"", b"   \n\n  ", "——\n……".encode()])
def test_documents_without_text_are_refused(data: bytes) -> None:
    with pytest.raises(DigestError):
        parse_document(data, name="x.txt")


def test_gbk_html_page_is_decoded_by_its_meta_charset() -> None:
    html = (
        '<html><head><meta charset="gb2312"><title>测试</title></head><body>'
        "<h1>经济新闻</h1><p>今年的经济增长速度超过了预期，专家认为消费是主要的推动力量。</p>"
        "<h2>消费</h2><p>居民消费在第三季度明显回升，零售额同比增长了百分之五。</p>"
        "<h2>投资</h2><p>基础设施投资保持稳定，制造业投资略有放缓，但整体仍然向好。</p></body></html>"
    )
    article = parse_document(html.encode("gbk"), name="page.html")
    assert article.language == "zh"
    assert "居民消费在第三季度明显回升，零售额同比增长了百分之五。" in article.paragraphs


@pytest.mark.parametrize(
    ("dateline", "source"),
    [
        ("【示例通讯社·报道 2026年11月20日】", "示例通讯社"),
        ("【中央电视台讯 2026年1月2日】", "中央电视台"),
    ],
)
def test_dateline_filler_words_are_not_cut_out_of_names(dateline: str, source: str) -> None:
    article = parse_article(f"标题\n\n{dateline}\n正文第一句话在这里。第二句。\n")
    assert article.source == source


def test_a_feed_entry_fragment_keeps_loose_lines_and_joins_inline_markup() -> None:
    """A feed entry's body is all content: lines of a <div> stay lines, inline tags add no spaces."""
    fragment = (
        "<html><head><title>标题</title></head><body><h1>标题</h1>"
        "<div>第一行说了一件事。<br>第二行说了<b>另一件</b>事。<!-- note -->"
        "<p>中国<b>经济</b>增长了。<br>Read <a href='x'>more</a> here.</p>尾部的文字。</div></body></html>"
    )
    article = parse_article(fragment, format="fragment")
    assert article.title == "标题"
    assert article.paragraphs == (
        "第一行说了一件事。",
        "第二行说了另一件事。",
        "中国经济增长了。 Read more here.",
        "尾部的文字。",
    )
