"""Sentences that point back are shown with the sentence they lean on, or not at all."""

from __future__ import annotations

import pytest

from digests import digest_article, digest_section, parse_article, summarize_paragraphs
from digests.cohesion import choose_cohesive, opens_by_pointing_back


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("他同时直言：前面还有大量工作要做。", "zh"),
        ("她强调，谈判仍在继续。", "zh"),
        ("此外，公司还公布了回购计划。", "zh"),
        ("对此，我们点评如下：", "zh"),
        ("但双方没有达成协议。", "zh"),
        ("该公司去年亏损。", "zh"),
        ("He said the talks were useful.", "en"),
        ("However, no deal was reached.", "en"),
        ("“They will return,” she said.", "en"),
        ("In addition, the city will add buses.", "en"),
        ("Cependant, rien n'a changé.", "fr"),
    ],
)
def test_openers_that_point_back(sentence: str, language: str) -> None:
    assert opens_by_pointing_back(sentence, language)


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        ("普京与特使在克里姆林宫会谈。", "zh"),
        ("“我们不打算同欧洲打仗，”普京说。", "zh"),
        ("其实双方早有接触。", "zh"),
        ("其他国家没有表态。", "zh"),
        ("Health officials said the outbreak is over.", "en"),
        ("Theresa May spoke in London.", "en"),  # "The…" and "He…" inside a word are not openers
        ("Butter prices rose.", "en"),
        ("Thistle grows here.", "en"),
        ("Er sagte nichts.", "xx"),  # no list for the language: nothing points back
    ],
)
def test_sentences_that_stand_on_their_own(sentence: str, language: str) -> None:
    assert not opens_by_pointing_back(sentence, language)


def test_pointer_comes_with_its_antecedent_when_the_budget_allows() -> None:
    # Ranked best first: sentence 2 points back to 1.
    assert sorted(choose_cohesive([2, 0, 3], 3, [False, False, True, False])) == [0, 1, 2]


def test_pointer_is_replaced_when_its_antecedent_does_not_fit_the_budget() -> None:
    assert choose_cohesive([2, 0, 3], 1, [False, False, True, False]) == [0]
    assert sorted(choose_cohesive([2, 0, 3], 2, [False, False, True, False])) == [1, 2]


def test_a_pointer_with_nothing_before_it_is_passed_over() -> None:
    assert choose_cohesive([0, 1], 1, [True, False]) == [1]


def test_pointers_fill_the_budget_only_as_a_last_resort() -> None:
    assert sorted(choose_cohesive([0, 1], 2, [True, True])) == [0, 1]


@pytest.mark.parametrize("method", ["salience", "sumbasic", "lexrank", "centrality"])
def test_no_summarizer_shows_a_pronoun_without_its_sentence(method: str) -> None:
    paragraphs = [
        [
            "乌沙科夫表示，妥协方案尚未找到，但美方的一些想法可以接受。",
            "他同时直言，在达成和解方面，双方的距离既没有更近，也没有更远。",
        ],
        ["普京在会后把矛头直指欧洲。", "他强调，欧洲站在战争一边，提出了不可接受的条件。"],
        ["佩斯科夫称，会谈将是和平调解之路上重要的一步，俄方准备研究美国的计划。"],
    ]
    flat = [s for p in paragraphs for s in p]
    for budget in (1, 2, 3):
        chosen = summarize_paragraphs(paragraphs, language="zh", budget=budget, method=method)
        assert len(chosen) == budget
        for sentence in chosen:
            if opens_by_pointing_back(sentence, "zh"):
                assert flat[flat.index(sentence) - 1] in chosen, (budget, chosen)


def test_sample_section_two_keeps_ushakovs_readout_and_names_the_speaker(sample_text: str) -> None:
    article = parse_article(sample_text)
    detail = digest_section(article, article.section(2))
    readout = [s for s in detail.sentences if "有用、建设性且富有意义" in s]
    assert readout and "乌沙科夫" in readout[0]


def test_sample_digest_has_no_pronoun_opener_without_the_sentence_before(sample_text: str) -> None:
    article = parse_article(sample_text)
    units = [(article.lead, digest_article(article).lead)]
    for section in article.sections:
        for digest in (digest_section(article, section), digest_article(article).sections[section.index - 1]):
            units.append((section.paragraphs, digest.sentences))
    for paragraphs, chosen in units:
        body = "".join(paragraphs)
        for sentence in chosen:
            if sentence.startswith(("他", "她")):
                before = body[: body.index(sentence)].rstrip()
                assert any(before.endswith(c) for c in chosen), sentence
