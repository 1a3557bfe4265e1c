"""Directed centrality with a position prior, on sumy's summarizer contract.

In the manner of PacSum (Zheng & Lapata, 2019): a sentence gains from being
similar to the sentences after it and loses from repeating those before it,
over tf-idf cosine similarity; news puts its gist first, so the score is
weighted by ``1 / (1 + position) ** position_power``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from digests.contract import Summarizer, null_stemmer


class StopWords:
    """The ``stop_words`` property sumy's summarizers offer, normalized like their words, and the
    content words of a text: normalized, stop words out, stemmed (for a ``Summarizer``)."""

    _stop_words: frozenset[str] = frozenset()

    def content_words(self, words: Sequence[str]) -> list[str]:
        normalized = (self.normalize_word(w) for w in words)  # type: ignore[attr-defined]
        return [self.stem_word(w) for w in normalized if w not in self._stop_words]  # type: ignore[attr-defined]

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words) -> None:  # noqa: ANN001 - any iterable of words
        self._stop_words = frozenset(map(self.normalize_word, words))  # type: ignore[attr-defined]  # sumy's


class CentralitySummarizer(StopWords, Summarizer):
    """Directed tf-idf centrality times a position prior."""

    def __init__(
        self,
        stemmer=null_stemmer,  # noqa: ANN001 - any sumy stemmer callable
        *,
        backward_weight: float = -1.0,
        forward_weight: float = 1.0,
        threshold: float = 0.3,
        position_power: float = 1.0,
        centrality_range: float = 2.0,
    ) -> None:
        super().__init__(stemmer)
        self.backward_weight = backward_weight
        self.forward_weight = forward_weight
        self.threshold = threshold
        self.position_power = position_power
        self.centrality_range = centrality_range
        self._stop_words: frozenset[str] = frozenset()

    def __call__(self, document, sentences_count):  # noqa: ANN001, ANN204 - sumy's contract
        sentences = document.sentences
        if not sentences:
            return ()
        scores = self.rate(sentences)
        ratings = {s: float(score) for s, score in zip(sentences, scores, strict=False)}
        return self._get_best_sentences(sentences, sentences_count, ratings)

    def rate(self, sentences) -> np.ndarray:  # noqa: ANN001 - sumy Sentence objects
        """One finite score per sentence; higher is more central."""
        count = len(sentences)
        similarity = self._similarity(sentences)
        if count > 1 and similarity.max() > 0:
            low, high = similarity.min(), similarity.max()
            edges = np.maximum(similarity - (low + self.threshold * (high - low)), 0.0)
        else:
            edges = similarity
        forward = np.triu(edges, k=1).sum(axis=1)
        backward = np.tril(edges, k=-1).sum(axis=1)
        centrality = self.forward_weight * forward + self.backward_weight * backward
        spread = centrality.max() - centrality.min() if count else 0.0
        # Rescale to [1, 1 + range]: the prior orders sentences that are alike, and
        # centrality can lift a sentence at most by that factor over earlier ones.
        if spread > 0:
            centrality = 1.0 + self.centrality_range * (centrality - centrality.min()) / spread
        else:
            centrality = np.ones(count)
        prior = 1.0 / (1.0 + np.arange(count)) ** self.position_power
        scores = centrality * prior
        return np.nan_to_num(scores, nan=0.0, posinf=0.0, neginf=0.0)

    def _similarity(self, sentences) -> np.ndarray:  # noqa: ANN001
        """Cosine similarity of the sentences' tf-idf vectors, zero on the diagonal."""
        return tfidf_similarity([self.content_words(s.words) for s in sentences])


def tfidf_vectors(words: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """Each sentence's tf-idf vector (term → weight), of unit length unless it has no terms."""
    count = len(words)
    frequencies = [Counter(sentence) for sentence in words]
    document_frequency: Counter[str] = Counter()
    for counts in frequencies:
        document_frequency.update(counts.keys())
    idf = {term: math.log((1 + count) / (1 + df)) + 1.0 for term, df in document_frequency.items()}
    vectors = []
    for counts in frequencies:
        weights = {term: frequency * idf[term] for term, frequency in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors.append({term: w / norm for term, w in weights.items()} if norm > 0 else {})
    return vectors


def tfidf_similarity(words: Sequence[Sequence[str]]) -> np.ndarray:
    """Cosine similarity of the sentences' tf-idf vectors (one list of terms a sentence),
    zero on the diagonal: a dense matrix, for methods that need every pair."""
    count = len(words)
    vectors = tfidf_vectors(words)
    vocabulary: dict[str, int] = {}
    for vector in vectors:
        for term in vector:
            vocabulary.setdefault(term, len(vocabulary))
    if not vocabulary:
        return np.zeros((count, count))
    matrix = np.zeros((count, len(vocabulary)))
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            matrix[row, vocabulary[term]] = weight
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, 0.0)
    return similarity
