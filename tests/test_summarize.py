"""Summaries: every method, budgets, degenerate input, and the sample's digest."""

from __future__ import annotations

import re

import pytest

from digests import (
    METHODS,
    SectionNotFound,
    digest_article,
    digest_section,
    find_section,
    parse_article,
    summarize_sentences,
)
from digests.summarize import default_method, sentence_count
from tests.helpers import long_section

ENGLISH = [
    "The city council approved a new budget for public transport on Monday.",
    "The budget adds twenty new bus lines and extends the tram network to the airport.",
    "Council members argued for hours about the cost of the tram extension.",
    "Public transport ridership has grown every year since the pandemic ended.",
    "The mayor said the budget for public transport was the largest in the city's history.",
    "Critics warned that the tram extension could be delayed by construction problems.",
    "Weather on Monday was sunny and warm.",
    "The new bus lines will start running in the spring.",
]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_verbatim_sentences_in_document_order(method: str) -> None:
    chosen = summarize_sentences(ENGLISH, language="en", budget=3, method=method, headings=["transport"])
    assert len(chosen) == 3
    assert len(set(chosen)) == 3
    positions = [ENGLISH.index(s) for s in chosen]
    assert positions == sorted(positions)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_handles_chinese(method: str) -> None:
    sentences = [
        "会议讨论了预算问题。",
        "预算增加了公共交通的投入。",
        "天气很好。",
        "公共交通的乘客越来越多。",
    ]
    chosen = summarize_sentences(sentences, language="zh", budget=2, method=method)
    assert len(chosen) == 2 and set(chosen) <= set(sentences)


def test_budget_as_ratio_and_count() -> None:
    assert sentence_count(0.25, 8) == 2
    assert sentence_count(0.01, 8) == 1
    assert sentence_count(3, 8) == 3
    assert sentence_count(20, 8) == 8
    with pytest.raises(ValueError):
        sentence_count(0, 8)
    assert len(summarize_sentences(ENGLISH, language="en", budget=0.5)) == 4


def test_short_sections_are_kept_whole_and_duplicates_dropped() -> None:
    sentences = ["First point.", "Second point.", "First point."]
    assert summarize_sentences(sentences, language="en", budget=5) == ("First point.", "Second point.")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "sentences",
    [[], ["Only one sentence here."], ["the of and.", "to a in.", "is it on."], ["!!!", "???", "...", "---"]],
)
def test_degenerate_input_never_crashes(method: str, sentences: list[str]) -> None:
    chosen = summarize_sentences(sentences, language="en", budget=2, method=method)
    assert len(chosen) == min(2, len(sentences))
    assert set(chosen) <= set(sentences)


def test_one_default_ranker_for_every_language_and_genre() -> None:
    assert default_method("zh") == default_method("en") == default_method("de") == "salience"


def test_sample_digest_is_clean(sample_text: str) -> None:
    article = parse_article(sample_text)
    digest = digest_article(article)
    assert digest.lead and all(s.sentences for s in digest.sections)
    detailed = [digest_section(article, s, budget=0.6) for s in article.sections]
    sentences = list(digest.lead) + [x for s in (*digest.sections, *detailed) for x in s.sentences]
    for sentence in sentences:
        assert sentence in sample_text, sentence  # verbatim
        assert not sentence.startswith("”")
        assert not re.search(r"[A-Za-z]{4,} [A-Za-z]{4,}", sentence), sentence  # no tweet text
        for noise in ("@RT_com", "@nexta_tv", "pic.twitter.com", "参考资料", "Responses"):
            assert noise not in sentence


def test_section_digest_draws_only_from_its_section(sample_text: str) -> None:
    article = parse_article(sample_text)
    second = article.sections[1]
    digest = digest_section(article, second, budget=5)
    assert digest.heading == "闭门会谈过程与克宫会前会后定调"
    assert len(digest.sentences) == 5
    body = "".join(second.paragraphs)
    assert all(s in body for s in digest.sentences)


@pytest.mark.parametrize("reference", ["2", "二", "II", "闭门会谈", "二、"])
def test_find_section_by_number_numeral_or_words(sample_text: str, reference: str) -> None:
    assert find_section(parse_article(sample_text), reference).index == 2


def test_missing_section_names_the_valid_range(sample_text: str) -> None:
    with pytest.raises(SectionNotFound) as error:
        find_section(parse_article(sample_text), "9")
    assert error.value.available == 2
    assert "2 sections" in str(error.value)


@pytest.mark.parametrize(
    ("language", "method"),
    [("zh", None), ("en", "sumbasic")],
)
def test_the_best_sentence_of_a_long_section_is_found_at_its_end(language: str, method: str | None) -> None:
    """No candidate cap: a 200,000-character section is ranked whole (the default ranker, linear)
    or in windows whose best meet in a final round (the quadratic methods)."""
    body, best = long_section(language)
    article = parse_article(f"# Quarterly results\n\n{body}", format="markdown")
    assert len(article.sections) <= 1 and len(body) >= 200_000
    section = article.sections[0] if article.sections else None
    paragraphs = section.paragraphs if section else article.lead
    chosen = summarize_sentences(
        [s for p in paragraphs for s in re.split(r"(?<=[。.])\s*", p) if s],
        language=language,
        budget=1,
        method=method,
    )
    assert chosen == (best,)


def test_the_default_ranker_scores_the_end_of_a_long_english_section() -> None:
    """English news weights favour the opening, but the end is scored, not left in text order:
    among its neighbours (where the position prior barely differs), the best sentence ranks first."""
    from digests.summarize import _rank, candidate_paragraphs

    body, best = long_section("en")
    sentences = [s for s in re.split(r"(?<=\.)\s+", body) if s]
    ranking = _rank(candidate_paragraphs([sentences]), "en", default_method("en"), ("Quarterly results",))
    assert sorted(ranking) == list(range(len(sentences)))
    where = sentences.index(best)
    assert where > len(sentences) * 9 // 10
    neighbours = [i for i in ranking if abs(i - where) <= 50]
    assert sentences[neighbours[0]] == best


@pytest.mark.parametrize("language", ["en", "zh"])
def test_incremental_sumbasic_ranks_exactly_as_sumys(language: str, sample_text: str) -> None:
    """The lazy-greedy SumBasic picks the same sentences in the same order as sumy's full rescan."""
    from sumy.summarizers.sum_basic import SumBasicSummarizer as SumySumBasic

    from digests.sumbasic import SumBasicSummarizer
    from digests.summarize import (
        _stemmer,
        _stop_words,
        build_document,
        candidate_paragraphs,
        split_paragraphs,
    )

    paragraphs = ENGLISH if language == "en" else list(parse_article(sample_text).paragraphs)
    document = build_document(candidate_paragraphs(split_paragraphs(paragraphs, language)), language)
    theirs, ours = SumySumBasic(_stemmer(language)), SumBasicSummarizer(_stemmer(language))
    theirs.stop_words = ours.stop_words = _stop_words(language)
    expected, got = theirs._compute_ratings(document.sentences), ours.ratings(document.sentences)
    assert len(document.sentences) > 5
    assert [str(s) for s in sorted(document.sentences, key=expected.__getitem__)] == [
        str(s) for s in sorted(document.sentences, key=got.__getitem__)
    ]
