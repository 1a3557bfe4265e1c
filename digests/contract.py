"""sumy's summarizer contract for this package's summarizers, without sumy's import of NLTK.

The module of sumy's ``AbstractSummarizer`` imports sumy's stemmers, and they import all of
NLTK (most of a second) even for Chinese, which has no stemmer. ``Summarizer`` keeps the same
interface — called with a sumy document and a count (or a callable that picks from the rated
sentences, best first), ``stem_word``, ``normalize_word`` — so this package's summarizers and
sumy's own stay interchangeable, and NLTK loads only where a language's stemmer needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple


def null_stemmer(word: object) -> str:
    """sumy's null stemmer: the word in lower case."""
    return str(word).lower()


class SentenceInfo(NamedTuple):
    """sumy's rated sentence: the sentence, its position, its rating."""

    sentence: Any
    order: int
    rating: float


class Summarizer:
    """The part of sumy's ``AbstractSummarizer`` a summarizer builds on."""

    def __init__(self, stemmer: Callable[[str], str] = null_stemmer) -> None:
        if not callable(stemmer):
            raise TypeError("the stemmer must be callable")
        self._stemmer = stemmer

    def __call__(self, document: Any, sentences_count: int | Callable[[list[SentenceInfo]], list]) -> tuple:
        raise NotImplementedError

    def stem_word(self, word: str) -> str:
        return self._stemmer(self.normalize_word(word))

    @staticmethod
    def normalize_word(word: str) -> str:
        return str(word).lower()

    @staticmethod
    def _get_best_sentences(
        sentences: Sequence[Any],
        count: int | Callable[[list[SentenceInfo]], list],
        ratings: dict[Any, float],
    ) -> tuple:
        """The ``count`` best rated sentences in document order; a callable ``count`` chooses
        from all of them, best first (as sumy's ``ItemsCount`` does)."""
        infos = sorted(
            (SentenceInfo(s, order, ratings[s]) for order, s in enumerate(sentences)),
            key=lambda info: info.rating,
            reverse=True,
        )
        chosen = count(infos) if callable(count) else infos[:count]
        return tuple(info.sentence for info in sorted(chosen, key=lambda info: info.order))
