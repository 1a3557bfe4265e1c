"""Sentence salience: a linear model over a few sentence features, on sumy's contract.

Each sentence is described by features that work in the extractive-summarization
literature (position in the text and in its paragraph, tf-idf centrality, SumBasic's
word probability, overlap with the title and headings, length, numbers, quotes, and
whether it opens by pointing back or only announces what follows). A document-level
genre signal (how much the text reads like an analyst's report rather than news)
scales the position features, since news puts its gist first and reports do not.
The weights are fitted on the development sets by ``benchmarks/fit_ranker.py`` with
cross-validation and shipped here as constants: no model file, no download.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from digests.centrality import StopWords, tfidf_vectors
from digests.cohesion import opens_by_pointing_back
from digests.contract import Summarizer, null_stemmer

FEATURES: tuple[str, ...] = (
    "position",  # 1 / (1 + sentence index)
    "log_position",  # -log(1 + sentence index): a multiplicative prior in a linear score
    "relative_position",  # 1 - index / count
    "first",  # the text's first sentence
    "paragraph_first",  # the first sentence of its paragraph
    "paragraph_position",  # 1 / (1 + paragraph index)
    "centrality",  # mean tf-idf cosine to the other sentences, scaled to the document's best
    "forward_centrality",  # PacSum: cosine to the sentences after it minus those before, scaled
    "probability",  # SumBasic: mean probability of its content words, scaled likewise
    "title",  # share of the title's and headings' content words it contains
    "short",  # fewer than 5 content words
    "numbers",  # holds a figure
    "quoted",  # share of its characters inside quotation marks
    "points_back",  # opens with a pronoun or connective that needs the sentence before
    "announces",  # ends with a colon: announces what follows instead of stating it
    "question",  # a question
)

_DIGITS = re.compile(r"\d")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"")
_ANNOUNCES = re.compile(r"[:：]\s*[”\"]?$")
_QUESTION = re.compile(r"[?？][”\"」]?$")

# How much a text reads like an analyst's report: its vocabulary and its figures.
_REPORT_TERMS = re.compile(
    r"评级|目标价|我们认为|我们预计|维持|买入|增持|推荐|盈利预测|归母净利润|同比|环比|营收|毛利率|"
    r"EPS|PE\b|P/E|估值|投资要点|风险提示|业绩|\bguidance\b|\bEPS\b|\bprice target\b|\banalysts?\b",
    re.I,
)
_PERCENT_OR_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|亿|万元|元|bn|billion|million)")


def genre_signals(text: str) -> tuple[float, float]:
    """Analysts' terms and figures (percentages, amounts) per thousand characters."""
    thousand = max(len(text), 1) / 1000
    return len(_REPORT_TERMS.findall(text)) / thousand, len(_PERCENT_OR_AMOUNT.findall(text)) / thousand


def genre_score(text: str) -> float:
    """Near 0 for a text that reads like news, near 1 for one that reads like a report."""
    terms, figures = genre_signals(text)
    signal = GENRE_WEIGHTS[0] + GENRE_WEIGHTS[1] * terms + GENRE_WEIGHTS[2] * figures
    return float(1.0 / (1.0 + np.exp(-signal)))


# Fitted by benchmarks/fit_ranker.py (see README for the cross-validated figures).
GENRE_WEIGHTS: tuple[float, float, float] = (-4.638, 1.490, 0.219)
# Per language: (weights for news, weights for reports), one per feature. Languages
# without a development set use the English weights.
WEIGHTS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "en": (
        (
            1.251,
            2.075,
            1.509,
            -0.195,
            -0.195,
            0.001,
            0.101,
            0.132,
            0.199,
            -0.021,
            -1.695,
            0.259,
            -1.158,
            -0.316,
            0.000,
            -0.538,
        ),
        (
            0.003,
            0.018,
            0.008,
            -0.010,
            -0.010,
            -0.000,
            0.010,
            0.010,
            0.005,
            -0.001,
            -0.002,
            0.004,
            -0.003,
            -0.017,
            0.000,
            -0.004,
        ),
    ),
    "zh": (
        (
            0.313,
            0.464,
            -0.170,
            0.264,
            -0.025,
            0.186,
            0.334,
            -0.169,
            0.436,
            0.051,
            -0.012,
            0.195,
            0.004,
            -0.358,
            0.096,
            0.527,
        ),
        (
            -0.138,
            -0.226,
            0.142,
            -0.064,
            0.203,
            -0.100,
            0.530,
            0.139,
            0.217,
            -0.038,
            -0.074,
            -0.613,
            -0.040,
            -0.348,
            -0.131,
            -0.006,
        ),
    ),
}


def sentence_features(
    paragraphs: Sequence[Sequence[Sequence[str]]],
    texts: Sequence[str],
    title_words: frozenset[str],
    *,
    language: str,
) -> np.ndarray:
    """One row of FEATURES per sentence; ``paragraphs`` hold each sentence's content words."""
    rows: list[list[float]] = []
    words = [w for paragraph in paragraphs for w in paragraph]
    count = len(words)
    centrality, forward = _centrality(words)
    probability = _probability(words)
    index = 0
    for paragraph_index, paragraph in enumerate(paragraphs):
        for position_in_paragraph, sentence_words in enumerate(paragraph):
            text = texts[index]
            content = len(sentence_words)
            quoted = sum(len(m) for m in _QUOTED.findall(text)) / max(len(text), 1)
            overlap = len(title_words.intersection(sentence_words)) / len(title_words) if title_words else 0.0
            rows.append(
                [
                    1.0 / (1 + index),
                    -np.log1p(index),
                    1.0 - index / count,
                    float(index == 0),
                    float(position_in_paragraph == 0),
                    1.0 / (1 + paragraph_index),
                    centrality[index],
                    forward[index],
                    probability[index],
                    overlap,
                    float(content < 5),
                    float(bool(_DIGITS.search(text))),
                    min(quoted, 1.0),
                    float(opens_by_pointing_back(text, language)),
                    float(bool(_ANNOUNCES.search(text))),
                    float(bool(_QUESTION.search(text))),
                ]
            )
            index += 1
    assert index == count
    return np.asarray(rows, dtype=float).reshape(count, len(FEATURES))


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max() if values.size else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def _centrality(words: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Mean tf-idf cosine similarity of each sentence to the others; the same to the
    sentences after it minus those before it, each scaled to the document's best.

    Linear in the text, not quadratic: with unit vectors m_i, the similarities to all others
    sum to m_i·T − |m_i|² (T the sum of all vectors), and to the later ones minus the earlier
    ones to m_i·T − |m_i|² − 2·m_i·P_i (P_i the sum of the vectors before i), so no
    sentence-by-sentence matrix is built: every sentence of a long section is ranked.
    """
    count = len(words)
    if count < 2:
        return np.zeros(count), np.zeros(count)
    rows = tfidf_vectors(words)
    total: dict[str, float] = defaultdict(float)
    for row in rows:
        for term, weight in row.items():
            total[term] += weight
    before: dict[str, float] = defaultdict(float)
    to_all, directed = np.empty(count), np.empty(count)
    for index, row in enumerate(rows):
        self_similarity = sum(weight * weight for weight in row.values())
        with_all = sum(weight * total[term] for term, weight in row.items()) - self_similarity
        with_earlier = sum(weight * before[term] for term, weight in row.items())
        to_all[index] = with_all
        directed[index] = with_all - 2.0 * with_earlier
        for term, weight in row.items():
            before[term] += weight
    directed -= directed.min()
    return _scaled(to_all / (count - 1)), _scaled(directed)


def _probability(words: Sequence[Sequence[str]]) -> np.ndarray:
    """SumBasic's rating: the mean document probability of a sentence's content words."""
    counts = Counter(w for sentence in words for w in sentence)
    total = sum(counts.values())
    if not total:
        return np.zeros(len(words))
    means = np.array(
        [sum(counts[w] for w in sentence) / len(sentence) / total if sentence else 0.0 for sentence in words]
    )
    return _scaled(means)


class SalienceSummarizer(StopWords, Summarizer):
    """Sentences ranked by a fitted linear model over their features; the text's genre
    blends the weights fitted for news with those fitted for reports."""

    def __init__(self, stemmer=null_stemmer, *, language: str = "en") -> None:  # noqa: ANN001
        super().__init__(stemmer)
        self.language = language.split("-")[0].lower()
        news, report = WEIGHTS.get(self.language, WEIGHTS["en"])
        self.news_weights = np.asarray(news, dtype=float)
        self.report_weights = np.asarray(report, dtype=float)
        self._stop_words: frozenset[str] = frozenset()
        self._heading_cache: dict[str, tuple[str, ...]] = {}

    def heading_words(self, heading) -> tuple[str, ...]:  # noqa: ANN001 - sumy's Sentence
        """A heading's content words, remembered: an article's title and lead are the headings
        of every one of its sections."""
        text = str(heading)
        found = self._heading_cache.get(text)
        if found is None:
            if len(self._heading_cache) > 1024:
                self._heading_cache.clear()
            found = self._heading_cache[text] = tuple(self.content_words(heading.words))
        return found

    def features(self, document) -> tuple[list, np.ndarray, float]:  # noqa: ANN001 - sumy's document
        """The document's sentences, their feature rows, and the text's genre score."""
        sentences = [s for p in document.paragraphs for s in p.sentences]
        paragraphs = [[self.content_words(s.words) for s in p.sentences] for p in document.paragraphs]
        texts = [str(s) for s in sentences]
        title_words = frozenset(w for h in document.headings for w in self.heading_words(h))
        rows = sentence_features(paragraphs, texts, title_words, language=self.language)
        return sentences, rows, genre_score(" ".join(texts))

    def __call__(self, document, sentences_count):  # noqa: ANN001, ANN204 - sumy's contract
        sentences, rows, genre = self.features(document)
        if not sentences:
            return ()
        scores = rows @ ((1.0 - genre) * self.news_weights + genre * self.report_weights)
        ratings = {s: float(score) for s, score in zip(sentences, scores, strict=True)}
        return self._get_best_sentences(sentences, sentences_count, ratings)
