"""SumBasic (Nenkova & Vanderwende, 2005) as sumy computes it, with an incremental update step.

sumy's SumBasic picks the sentence whose content words have the highest mean probability,
squares the probabilities of that sentence's words, and rescans every remaining sentence —
quadratic in the length of the text. A sentence's mean can only fall (probabilities are at
most 1 and are only ever squared), so a stale mean is an upper bound: a heap of means that are
recomputed only when they reach the top ("lazy greedy") picks the same sentences in the same
order, ties to the earlier sentence, as the full rescan does.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from digests.centrality import StopWords
from digests.contract import Summarizer


def _mean(probability: dict[str, float], words: Sequence[str]) -> float:
    """sumy's average probability of a sentence's words, summed in the same order."""
    if not words:
        return 0
    return sum([probability[w] for w in words]) / len(words)


class SumBasicSummarizer(StopWords, Summarizer):
    """Sentences rated by the round in which SumBasic picks them: the first picked rates best."""

    def __call__(self, document, sentences_count):  # noqa: ANN001, ANN204 - sumy's contract
        sentences = document.sentences
        ratings = self.ratings(sentences)
        return self._get_best_sentences(sentences, sentences_count, ratings)

    def ratings(self, sentences: Sequence[object]) -> dict[object, float]:
        """``-round`` for every sentence: 0 for the first picked, -1 for the next, and so on."""
        words = [self.content_words(s.words) for s in sentences]  # type: ignore[attr-defined]
        every_word = self.content_words([w for s in sentences for w in s.words])  # type: ignore[attr-defined]
        probability: dict[str, float] = {}
        for word in every_word:
            probability[word] = probability.get(word, 0) + 1
        probability = {w: count / len(every_word) for w, count in probability.items()}
        # (-mean, position, round the mean was computed in)
        heap = [(-_mean(probability, w), i, 0) for i, w in enumerate(words)]
        heapq.heapify(heap)
        ratings: dict[object, float] = {}
        picked = 0
        while heap:
            _negative, index, computed = heapq.heappop(heap)
            if computed != picked:  # stale: recompute, and let it compete again
                heapq.heappush(heap, (-_mean(probability, words[index]), index, picked))
                continue
            ratings[sentences[index]] = -picked
            picked += 1
            for word in words[index]:  # as sumy does: a word twice in the sentence is squared twice
                probability[word] *= probability[word]
        return ratings
