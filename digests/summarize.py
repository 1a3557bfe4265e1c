"""Extractive summaries with sumy: per section, per article, in document order."""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import Iterable, Sequence
from functools import cache

from digests.cohesion import choose_cohesive, opens_by_pointing_back
from digests.contract import null_stemmer
from digests.errors import DigestError, SectionNotFound
from digests.language import detect_language, dominant_script
from digests.methods import DEFAULT_METHOD, METHODS, SECTION_METHOD, SUMMARIZER_CLASSES
from digests.model import Article, ArticleDigest, Section, SectionDigest
from digests.tokenizers import SUMY_LANGUAGES, Tokenizer, tokenizer_for

logger = logging.getLogger(__name__)

# Summarizers whose time grows linearly with the section rank it whole; the others (graph and
# matrix methods, quadratic or worse) rank windows of this many sentences, then the windows'
# best sentences against each other: every sentence of a long section is considered.
LINEAR_METHODS = frozenset({"salience", "points", "sumbasic"})
RANKING_WINDOW = 400
Budget = int | float  # a sentence count, or a ratio of the sentences (0 < ratio <= 1)


# Edmundson's cue method needs words that mark a sentence as unimportant.
_STIGMA_WORDS = {
    "english": ("click", "subscribe", "advertisement", "newsletter", "cookie", "hardly", "impossible"),
    "chinese": ("点击", "订阅", "广告", "关注", "转载", "扫码"),
}


def default_method(language: str) -> str:
    """The summarizer that scored best on our evaluation for ``language``."""
    return DEFAULT_METHOD


def sentence_count(budget: Budget, available: int) -> int:
    """How many sentences a budget allows out of ``available``."""
    if isinstance(budget, bool) or budget <= 0:
        raise ValueError(f"a sentence budget must be a positive count or ratio, not {budget!r}")
    if isinstance(budget, float) and budget <= 1.0:
        return min(available, max(1, math.ceil(budget * available)))
    return min(available, int(budget))


def split_sentences(paragraphs: Sequence[str], language: str) -> list[str]:
    """Sentences of the paragraphs, in order."""
    return [s for paragraph in split_paragraphs(paragraphs, language) for s in paragraph]


def split_paragraphs(paragraphs: Sequence[str], language: str) -> list[list[str]]:
    """Each paragraph's sentences; a paragraph in another script than most of the
    text (an English quote in a Chinese report) is split by its own language's rules."""
    base = tokenizer_for(language)
    base_script = dominant_script(" ".join(paragraphs)[:20_000])
    split: list[list[str]] = []
    for paragraph in paragraphs:
        tokenizer = base
        script = dominant_script(paragraph)
        if script is not None and script != base_script:
            tokenizer = tokenizer_for(detect_language(paragraph))
        split.append(list(tokenizer.to_sentences(paragraph)))
    return split


def summarize_sentences(
    sentences: Sequence[str],
    *,
    language: str,
    budget: Budget,
    method: str | None = None,
    headings: Iterable[str] = (),
) -> tuple[str, ...]:
    """The best sentences within the budget, in document order, without duplicates."""
    return summarize_paragraphs(
        [sentences], language=language, budget=budget, method=method, headings=headings
    )


def summarize_paragraphs(
    paragraphs: Sequence[Sequence[str]],
    *,
    language: str,
    budget: Budget,
    method: str | None = None,
    headings: Iterable[str] = (),
) -> tuple[str, ...]:
    """The best sentences of the paragraphs' sentences within the budget, in document order,
    without duplicates; a chosen sentence that points back comes with the one it leans on.

    ``headings`` (the title, the section's heading) tell the summarizer what the text is about.
    """
    unique = candidate_paragraphs(paragraphs)
    flat = [s for paragraph in unique for s in paragraph]
    if not flat:
        return ()
    count = sentence_count(budget, len(flat))
    if count >= len(flat):
        return tuple(flat)  # short sections are kept whole
    method = method or default_method(language)
    try:
        ranking = _rank(unique, language, method, tuple(headings))
    except (ValueError, ZeroDivisionError, ArithmeticError, LookupError) as err:
        # Degenerate input (no content words, singular matrices): keep the opening sentences.
        logger.debug("summarizer %s failed on %d sentences: %s", method, len(flat), err)
        ranking = list(range(len(flat)))
    points_back = [opens_by_pointing_back(s, language) for s in flat]
    chosen = choose_cohesive(ranking, count, points_back)
    return tuple(flat[i] for i in sorted(chosen))


def candidate_paragraphs(paragraphs: Sequence[Sequence[str]]) -> list[list[str]]:
    """The sentences a summarizer ranks: stripped, each text once, empty paragraphs gone."""
    seen: set[str] = set()
    kept: list[list[str]] = []
    for paragraph in paragraphs:
        sentences = [s for s in dict.fromkeys(s.strip() for s in paragraph) if s and s not in seen]
        seen.update(sentences)
        if sentences:
            kept.append(sentences)
    return kept


def _windows(paragraphs: list[list[str]], size: int) -> list[list[list[str]]]:
    """The paragraphs cut into runs of at most ``size`` sentences (a long paragraph is split)."""
    windows: list[list[list[str]]] = [[]]
    room = size
    for paragraph in paragraphs:
        rest = paragraph
        while rest:
            if room == 0:
                windows.append([])
                room = size
            piece, rest = rest[:room], rest[room:]
            windows[-1].append(piece)
            room -= len(piece)
    return windows


class _Ranking:
    """A sumy ``sentences_count`` that records the full ranking sumy sorted for it."""

    def __init__(self) -> None:
        self.order: list[int] = []

    def __call__(self, infos: list) -> list:  # sumy's SentenceInfo tuples, best first
        self.order = [info.order for info in infos]
        return infos


def _rank(paragraphs: list[list[str]], language: str, method: str, headings: tuple[str, ...]) -> list[int]:
    """Every sentence's position in the text, best first, by the named summarizer; a long text
    and a method that is not linear: each window ranked, then the windows' best together."""
    count = sum(map(len, paragraphs))
    if method in LINEAR_METHODS or count <= RANKING_WINDOW:
        return _rank_whole(paragraphs, language, method, headings)
    windows = _windows(paragraphs, RANKING_WINDOW)
    per_window: list[list[int]] = []  # each window's ranking, as positions in the whole text
    offset = 0
    for window in windows:
        per_window.append([offset + i for i in _rank_whole(window, language, method, headings)])
        offset += sum(map(len, window))
    # The same share of every window goes to the final round, as many as one window holds.
    share = max(1, RANKING_WINDOW // len(windows))
    finalists = sorted(i for ranking in per_window for i in ranking[:share])
    flat = [s for paragraph in paragraphs for s in paragraph]
    final = _rank_whole([[flat[i] for i in finalists]], language, method, headings)
    best = [finalists[i] for i in final]
    chosen = set(best)
    # The rest follow by their rank within their windows, the windows interleaved.
    rest = [r[depth] for depth in range(RANKING_WINDOW) for r in per_window if depth < len(r)]
    return best + [i for i in rest if i not in chosen]


def _rank_whole(
    paragraphs: list[list[str]], language: str, method: str, headings: tuple[str, ...]
) -> list[int]:
    document = build_document(paragraphs, language, headings)
    summarizer = build_summarizer(method, language)
    if method == "edmundson":
        summarizer = _with_bonus_words(summarizer, language, headings, paragraphs)
    import numpy

    ranking = _Ranking()
    # Sentences without content words give zero vectors; NaN ratings sort anywhere.
    with numpy.errstate(divide="ignore", invalid="ignore"):
        summarizer(document, ranking)
    count = sum(map(len, paragraphs))
    order = [i for i in ranking.order if i < count]
    ranked = set(order)
    return order + [i for i in range(count) if i not in ranked]


def build_document(paragraphs: Sequence[Sequence[str]], language: str, headings: Sequence[str] = ()):  # noqa: ANN201
    """sumy's document model of the paragraphs' sentences, the headings as its headings."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = tokenizer_for(language)
    parts = [Paragraph([Sentence(h, tokenizer, is_heading=True) for h in headings if h.strip()])]
    parts += [Paragraph([Sentence(s, tokenizer) for s in paragraph]) for paragraph in paragraphs]
    return ObjectDocumentModel(parts)


def _with_bonus_words(summarizer, language, headings, paragraphs):  # noqa: ANN001, ANN202
    import copy

    tokenizer = tokenizer_for(language)
    words = [w for text in headings for w in tokenizer.to_words(text)]
    if not words:  # without a heading, the most frequent content words stand in
        words = _frequent_words([s for p in paragraphs for s in p], tokenizer, language)
    edmundson = copy.copy(summarizer)
    edmundson.bonus_words = words or ["\u0000"]
    return edmundson


def _frequent_words(sentences: list[str], tokenizer: Tokenizer, language: str) -> list[str]:
    from collections import Counter

    stop = _stop_words(language)
    counts = Counter(w.lower() for s in sentences for w in tokenizer.to_words(s) if w.lower() not in stop)
    return [w for w, _ in counts.most_common(10)]


@cache
def _stop_words(language: str) -> frozenset[str]:
    from sumy.utils import get_stop_words

    name = SUMY_LANGUAGES.get(language.split("-")[0].lower())
    if name is None:
        return frozenset()
    try:
        return frozenset(get_stop_words(name))
    except LookupError:
        return frozenset()


# Languages sumy has no stemmer for: its module (and with it NLTK) is not imported for them.
_NO_STEMMER = frozenset({"chinese", "japanese", "korean", "hebrew", "thai"})


@cache
def _stemmer(language: str):  # noqa: ANN202 - a sumy stemmer callable
    name = SUMY_LANGUAGES.get(language.split("-")[0].lower())
    if name is None or name in _NO_STEMMER:
        return null_stemmer
    from sumy.nlp.stemmers import Stemmer

    try:
        return Stemmer(name)
    except LookupError:
        return null_stemmer


@cache
def build_summarizer(method: str, language: str):  # noqa: ANN201 - a sumy AbstractSummarizer
    """A configured sumy summarizer (stemmer and stop words of the language) by name."""
    if method not in METHODS:
        raise DigestError(f"unknown algorithm {method!r}; choose one of: {', '.join(METHODS)}")
    stemmer = _stemmer(language)
    stop_words = _stop_words(language)
    module_name, class_name = SUMMARIZER_CLASSES[method]
    summarizer_class = getattr(importlib.import_module(module_name), class_name)
    if method == "edmundson":
        summarizer = summarizer_class(
            stemmer, cue_weight=1.0, key_weight=1.0, title_weight=0.0, location_weight=1.0
        )
        name = SUMY_LANGUAGES.get(language.split("-")[0].lower(), "")
        summarizer.stigma_words = _STIGMA_WORDS.get(name, _STIGMA_WORDS["english"])
        summarizer.null_words = stop_words or {"\u0000"}
        summarizer.bonus_words = ["\u0000"]
        return summarizer
    summarizer = (
        summarizer_class(stemmer, language=language)
        if method in ("salience", "points")
        else summarizer_class(stemmer)
    )
    summarizer.stop_words = stop_words
    return summarizer


# --- the two depths of a digest -------------------------------------------------------


def digest_section(
    article: Article,
    section: Section,
    *,
    budget: Budget = 5,
    method: str | None = None,
) -> SectionDigest:
    """A section's key sentences: the ones that carry its point (by default the section ranker,
    which reads the title and lead for the story's facts and the heading for what the section
    answers)."""
    chosen = summarize_paragraphs(
        split_paragraphs(section.paragraphs, article.language),
        language=article.language,
        budget=budget,
        method=method or SECTION_METHOD,
        headings=(*article_headings(article), *article.lead, section.heading),
    )
    return SectionDigest(index=section.index, heading=section.heading, sentences=chosen, label=section.label)


def digest_article(
    article: Article,
    *,
    lead_budget: Budget = 2,
    section_budget: Budget = 2,
    method: str | None = None,
) -> ArticleDigest:
    """The overview: the lead's key sentences and a few of each section's."""
    lead = summarize_paragraphs(
        split_paragraphs(article.lead, article.language),
        language=article.language,
        budget=lead_budget,
        method=method,
        headings=article_headings(article),
    )
    sections = tuple(
        digest_section(article, s, budget=section_budget, method=method) for s in article.sections
    )
    return ArticleDigest(
        title=article.title,
        language=article.language,
        lead=lead,
        sections=sections,
        source=article.source,
        published=article.published,
        url=article.url,
    )


def article_headings(article: Article) -> tuple[str, ...]:
    """The article's title, unless it was made from the opening words of the text."""
    title = article.title.strip()
    paragraphs = article.paragraphs
    if not title or (paragraphs and paragraphs[0].startswith(title.removesuffix("…").rstrip())):
        return ()
    return (title,)


def find_section(article: Article, reference: str) -> Section:
    """A section by number (2, 二, II) or by words of its heading."""
    from digests.structure import chinese_numeral, roman_numeral

    text = reference.strip().rstrip("、.．")
    number: int | None = None
    number = (
        int(text) if text.isdecimal() and len(text) < 10 else chinese_numeral(text) or roman_numeral(text)
    )
    if number is not None:
        try:
            return article.section(number)
        except KeyError:
            raise SectionNotFound(text, len(article.sections)) from None
    needle = text.casefold()
    for section in article.sections:
        if needle and needle in section.heading.casefold():
            return section
    raise SectionNotFound(text, len(article.sections))


def summarize_article(
    article: Article,
    *,
    budget: Budget = 3,
    method: str | None = None,
) -> tuple[str, ...]:
    """Article-level top sentences, over the lead and all sections' bodies."""
    return summarize_paragraphs(
        split_paragraphs(article.paragraphs, article.language),
        language=article.language,
        budget=budget,
        method=method,
        headings=(*article_headings(article), *(s.heading for s in article.sections)),
    )
