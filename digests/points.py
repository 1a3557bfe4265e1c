"""A section's point: which of its sentences carries its outcome, decision or main fact.

A section of a news article opens with scene-setting as often as with its point: the time a
meeting began, the pleasantries for the cameras, "Of course, winter also…". Its point is the
sentence that answers its heading, states the outcome (通报称, 表示, said, found), turns
against what came before (但是, But, 一方), or carries a fact of the story's title and lead.
``PointSummarizer`` ranks by those signals on top of the salience model's score (sumy's
contract); the document's headings are the title and lead sentences, then — last — the
section's own heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from digests.salience import SalienceSummarizer

POINT_FEATURES: tuple[str, ...] = (
    "heading",  # share of the section heading's terms the sentence holds
    "story",  # share of the title's and lead's terms it holds, scaled to the section's best
    "statement",  # reports an outcome, a finding or a position (表示, said, found, という)
    "turn",  # opens by turning against what came before (但是, But, However, 一方)
    "scene",  # sets the scene: opens with 在此之前, 当天, Earlier, Of course; tells the time; small talk
    "question",  # asks rather than states
)
# Added to the salience score, standardized within the section (mean 0, deviation 1) and
# weighted by SALIENCE_WEIGHT. Few, round weights chosen on the development set of section
# points (benchmarks/eval_sections.py --search shows how the share moves around them).
SALIENCE_WEIGHT = 0.5
POINT_FIRST = 2  # sentences taken by score alone before paragraph coverage counts
POINT_WEIGHTS: tuple[float, ...] = (2.0, 1.0, 0.75, 1.5, -1.5, -1.0)

_STATEMENT = re.compile(
    r"通报称|表示|表态|指出|认为|宣布|强调|透露|显示|发现|结果|决定|同意|称[,，:：“]|说[,，:：“]|"
    r"という|とした|と述べ|と話す|と強調|\b(?:said|says|say|announced|found|find|showed|shows|suggests?|"
    r"concluded|agreed|decided|means|argued?|warned|reported|estimates?)\b",
    re.I,
)
_TURN = re.compile(
    r"^(?:但是|但|然而|不过|其实|事实上|一方面|另一方面|可是|一方|しかし|だが|ただ|"
    r"(?:but|however|yet|while|rather|instead|in fact|still|although|though)\b)",
    re.I,
)
# A clock time (19时40分, 7:30) says when, rarely what happened.
_CLOCK = re.compile(r"\d{1,2}\s*(?:时|点)\s*\d{1,2}\s*分|\b\d{1,2}:\d{2}\b|\d{1,2}時\d{1,2}分")
_SCENE = re.compile(
    r"^(?:在此之前|在这之前|此前|当天|当日|随后|早些时候|据悉|记者了解到|"
    r"(?:\d{1,2}|[一二三四五六七八九十]+)月(?:\d{1,2}|[一二三四五六七八九十]+)日|"
    r"(?:earlier|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|last (?:week|month|year)|"
    r"along with|of course|in a recent|in recent)\b)",
    re.I,
)
_QUESTION = re.compile(r"[?？][”\"」』）)]*\s*$")
# Small talk and ceremony: the pleasantries for the cameras, handshakes, greetings.
_CEREMONY = re.compile(
    r"寒暄|客套|握手|合影|合照|拍照|致意|问候|欢迎仪式|散步|愉快|挨拶|記念撮影|"
    r"\b(?:pleasantries|small talk|shook hands|photo op(?:portunity)?|posed for|greeted)\b",
    re.I,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def character_pairs(text: str) -> frozenset[str]:
    """The text's adjacent character pairs, punctuation and spaces out (headings and leads
    repeat for every section of an article: cached)."""
    bare = _NOT_WORD.sub("", text)
    return frozenset(bare[i : i + 2] for i in range(len(bare) - 1))


def terms(text: str, words: Callable[[], Sequence[str]]) -> frozenset[str]:
    """What two texts are compared by: character pairs for Chinese and Japanese (no word gaps
    to trust), else their content words (``words``, called only then)."""
    return character_pairs(text) if _CJK.search(text) else frozenset(words())


def point_features(
    texts: Sequence[str],
    sentence_terms: Sequence[frozenset[str]],
    heading_terms: frozenset[str],
    story_terms: frozenset[str],
) -> np.ndarray:
    """One row of POINT_FEATURES per sentence."""
    story = np.array([len(story_terms & t) / max(len(t), 1) for t in sentence_terms]) if story_terms else None
    if story is not None and story.max() > 0:
        story = story / story.max()
    rows = []
    for index, (text, found) in enumerate(zip(texts, sentence_terms, strict=True)):
        opening = text.lstrip('“"「『（(')
        rows.append(
            [
                len(heading_terms & found) / len(heading_terms) if heading_terms else 0.0,
                float(story[index]) if story is not None else 0.0,
                float(bool(_STATEMENT.search(text))),
                float(bool(_TURN.match(opening))),
                float(bool(_SCENE.match(opening) or _CLOCK.search(text) or _CEREMONY.search(text))),
                float(bool(_QUESTION.search(text))),
            ]
        )
    return np.asarray(rows, dtype=float).reshape(len(texts), len(POINT_FEATURES))


def _standardized(values: np.ndarray) -> np.ndarray:
    deviation = values.std()
    return (values - values.mean()) / deviation if deviation > 0 else np.zeros_like(values)


class PointSummarizer(SalienceSummarizer):
    """The salience model's ranking, turned towards each section's point."""

    weights = np.asarray(POINT_WEIGHTS, dtype=float)
    salience_weight = SALIENCE_WEIGHT

    def __call__(self, document, sentences_count):  # noqa: ANN001, ANN204 - sumy's contract
        sentences, rows, genre = self.features(document)
        if not sentences:
            return ()
        salience = rows @ ((1.0 - genre) * self.news_weights + genre * self.report_weights)
        headings = list(document.headings)
        section_heading = headings[-1] if headings else None
        story = headings[:-1]
        texts = [str(s) for s in sentences]
        sentence_terms = [
            terms(t, lambda s=s: self.content_words(s.words)) for t, s in zip(texts, sentences, strict=True)
        ]
        heading_terms = (
            terms(str(section_heading), lambda: self.heading_words(section_heading))
            if section_heading is not None
            else frozenset()
        )
        story_terms = frozenset().union(*(terms(str(h), lambda h=h: self.heading_words(h)) for h in story))
        points = point_features(texts, sentence_terms, heading_terms, story_terms)
        scores = self.salience_weight * _standardized(salience) + points @ self.weights
        # The point first: the best sentences by score (an overview's two). After them a section's
        # paragraphs are its units of content: each one's best comes before any one's second, so a
        # longer digest covers more of the section rather than more of one paragraph.
        paragraph_of = [n for n, p in enumerate(document.paragraphs) for _ in p.sentences]
        order = sorted(range(len(sentences)), key=lambda i: -scores[i])
        head, rest = order[:POINT_FIRST], order[POINT_FIRST:]
        taken: dict[int, int] = {}
        for i in head:
            taken[paragraph_of[i]] = taken.get(paragraph_of[i], 0) + 1
        keyed = []
        for position, i in enumerate(rest):
            keyed.append((taken.get(paragraph_of[i], 0), position, i))
            taken[paragraph_of[i]] = taken.get(paragraph_of[i], 0) + 1
        ranked = head + [i for *_, i in sorted(keyed)]
        ratings = {sentences[i]: float(len(ranked) - position) for position, i in enumerate(ranked)}
        return self._get_best_sentences(sentences, sentences_count, ratings)
