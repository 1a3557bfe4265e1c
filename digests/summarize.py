"""Extractive summaries with sumy: per section, per article, in document order."""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import Iterable, Sequence
from functools import cache

from digests.errors import DigestError, SectionNotFound
from digests.language import detect_language, dominant_script
from digests.model import Article, ArticleDigest, Section, SectionDigest
from digests.tokenizers import SUMY_LANGUAGES, Tokenizer, tokenizer_for

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 400  # sentences ranked per section: bounds the summarizer's time per article
Budget = int | float  # a sentence count, or a ratio of the sentences (0 < ratio <= 1)

# Chosen by benchmarks/eval_rouge.py on the development sets (see README).
DEFAULT_METHODS: dict[str, str] = {"zh": "sumbasic"}
FALLBACK_METHOD = "centrality"

# Imported on first use: each pulls in NumPy or NLTK code the others may not need.
_SUMMARIZER_CLASSES: dict[str, tuple[str, str]] = {
    "centrality": ("digests.centrality", "CentralitySummarizer"),
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "edmundson": ("sumy.summarizers.edmundson", "EdmundsonSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
}
METHODS: tuple[str, ...] = tuple(_SUMMARIZER_CLASSES)

# Edmundson's cue method needs words that mark a sentence as unimportant.
_STIGMA_WORDS = {
    "english": ("click", "subscribe", "advertisement", "newsletter", "cookie", "hardly", "impossible"),
    "chinese": ("点击", "订阅", "广告", "关注", "转载", "扫码"),
}


def default_method(language: str) -> str:
    """The summarizer that scored best on our evaluation for ``language``."""
    return DEFAULT_METHODS.get(language.split("-")[0].lower(), FALLBACK_METHOD)


def sentence_count(budget: Budget, available: int) -> int:
    """How many sentences a budget allows out of ``available``."""
    if isinstance(budget, bool) or budget <= 0:
        raise ValueError(f"a sentence budget must be a positive count or ratio, not {budget!r}")
    if isinstance(budget, float) and budget <= 1.0:
        return min(available, max(1, math.ceil(budget * available)))
    return min(available, int(budget))


def split_sentences(paragraphs: Sequence[str], language: str) -> list[str]:
    """Sentences of the paragraphs; a paragraph in another script than most of the
    text (an English quote in a Chinese report) is split by its own language's rules."""
    base = tokenizer_for(language)
    base_script = dominant_script(" ".join(paragraphs)[:20_000])
    sentences: list[str] = []
    for paragraph in paragraphs:
        tokenizer = base
        script = dominant_script(paragraph)
        if script is not None and script != base_script:
            tokenizer = tokenizer_for(detect_language(paragraph))
        sentences.extend(tokenizer.to_sentences(paragraph))
    return sentences


def summarize_sentences(
    sentences: Sequence[str],
    *,
    language: str,
    budget: Budget,
    method: str | None = None,
    bonus_words: Iterable[str] = (),
) -> tuple[str, ...]:
    """The best sentences within the budget, in document order, without duplicates."""
    unique = list(dict.fromkeys(s.strip() for s in sentences if s.strip()))
    if not unique:
        return ()
    if len(unique) > MAX_CANDIDATES:
        # Graph methods are quadratic: a very long section is ranked on its first sentences only.
        logger.debug("ranking the first %d of %d sentences", MAX_CANDIDATES, len(unique))
        unique = unique[:MAX_CANDIDATES]
    count = sentence_count(budget, len(unique))
    if count >= len(unique):
        return tuple(unique)  # short sections are kept whole
    method = method or default_method(language)
    tokenizer = tokenizer_for(language)
    try:
        chosen = _run_summarizer(unique, tokenizer, language, count, method, tuple(bonus_words))
    except (ValueError, ZeroDivisionError, ArithmeticError, LookupError) as err:
        # Degenerate input (no content words, singular matrices): keep the opening sentences.
        logger.debug("summarizer %s failed on %d sentences: %s", method, len(unique), err)
        chosen = set()
    picked = [s for s in unique if s in chosen][:count]
    # Some methods return fewer sentences than asked (LSA with few terms): top up in order.
    for sentence in unique:
        if len(picked) >= count:
            break
        if sentence not in picked:
            picked.append(sentence)
    order = {s: i for i, s in enumerate(unique)}
    return tuple(sorted(picked, key=order.__getitem__))


def _run_summarizer(
    sentences: list[str],
    tokenizer: Tokenizer,
    language: str,
    count: int,
    method: str,
    bonus_words: tuple[str, ...],
) -> set[str]:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    summarizer = build_summarizer(method, language)
    if method == "edmundson":
        summarizer = _with_bonus_words(summarizer, language, bonus_words, sentences, tokenizer)
    import numpy

    document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    # Sentences without content words give zero vectors; NaN ratings then fall to the top-up.
    with numpy.errstate(divide="ignore", invalid="ignore"):
        return {str(s) for s in summarizer(document, count)}


def _with_bonus_words(summarizer, language, bonus_words, sentences, tokenizer):  # noqa: ANN001, ANN202
    import copy

    words = [w for text in bonus_words for w in tokenizer.to_words(text)]
    if not words:  # without a heading, the most frequent content words stand in
        words = _frequent_words(sentences, tokenizer, language)
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


@cache
def _stemmer(language: str):  # noqa: ANN202 - a sumy stemmer callable
    from sumy.nlp.stemmers import Stemmer, null_stemmer

    name = SUMY_LANGUAGES.get(language.split("-")[0].lower())
    if name is None:
        return null_stemmer
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
    module_name, class_name = _SUMMARIZER_CLASSES[method]
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
    summarizer = summarizer_class(stemmer)
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
    """The section digest: more sentences of one section, for ``/section N``."""
    sentences = split_sentences(section.paragraphs, article.language)
    chosen = summarize_sentences(
        sentences,
        language=article.language,
        budget=budget,
        method=method,
        bonus_words=(section.heading, article.title),
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
    lead = summarize_sentences(
        split_sentences(article.lead, article.language),
        language=article.language,
        budget=lead_budget,
        method=method,
        bonus_words=(article.title,),
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
    )


def find_section(article: Article, reference: str) -> Section:
    """A section by number (2, 二, II) or by words of its heading."""
    from digests.structure import chinese_numeral, roman_numeral

    text = reference.strip().rstrip("、.．")
    number: int | None = None
    number = int(text) if text.isdigit() else chinese_numeral(text) or roman_numeral(text)
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
    return summarize_sentences(
        split_sentences(article.paragraphs, article.language),
        language=article.language,
        budget=budget,
        method=method,
        bonus_words=(article.title,),
    )
