"""Sentences that lean on the one before them: openers that point back.

A digest shows sentences out of their context, so one that opens with "He",
"However" or 他、此外 reads as a riddle unless the sentence it leans on is
shown with it. ``opens_by_pointing_back`` tells them apart per language;
``choose_cohesive`` picks from a ranking so that no chosen sentence lacks its
antecedent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

# Openers per ISO 639-1 code: pronouns, demonstratives and connectives that need
# the previous sentence. Chinese is matched as a prefix, the others as a first word
# or phrase (case-insensitive).
_OPENERS: dict[str, tuple[str, ...]] = {
    "zh": (
        "他们",
        "她们",
        "它们",
        "他",
        "她",
        "它",
        "该",
        "此外",
        "对此",
        "此前",
        "此后",
        "此举",
        "此",
        "但",
        "不过",
        "然而",
        "而且",
        "而",
        "并且",
        "并",
        "因此",
        "所以",
        "因而",
        "于是",
        "同时",
        "与此同时",
        "另外",
        "另一方面",
        "其中",
        "其",
        "这",
        "那些",
        "那",
        "上述",
        "对于此",
        "据此",
        "为此",
        "可是",
        "却",
        "也",
        "还",
        "再者",
        "况且",
        "加之",
        "此次",
        "随后",
        "之后",
        "尽管如此",
        "在此之前",
        "在这之前",
        "除此之外",
        "就此",
    ),
    "en": (
        "he",
        "she",
        "they",
        "it",
        "his",
        "her",
        "their",
        "its",
        "him",
        "them",
        "this",
        "that",
        "these",
        "those",
        "such",
        "however",
        "but",
        "and",
        "also",
        "moreover",
        "furthermore",
        "in addition",
        "meanwhile",
        "still",
        "yet",
        "instead",
        "therefore",
        "thus",
        "hence",
        "so",
        "then",
        "besides",
        "nevertheless",
        "nonetheless",
        "otherwise",
        "likewise",
        "similarly",
        "consequently",
        "as a result",
        "despite this",
        "in turn",
        "even so",
        "the latter",
        "the former",
    ),
    "de": (
        "er",
        "sie",
        "es",
        "sein",
        "seine",
        "ihr",
        "ihre",
        "dies",
        "diese",
        "dieser",
        "dieses",
        "das",
        "aber",
        "jedoch",
        "außerdem",
        "zudem",
        "deshalb",
        "daher",
        "dennoch",
        "trotzdem",
        "dabei",
        "darüber hinaus",
        "allerdings",
    ),
    "fr": (
        "il",
        "elle",
        "ils",
        "elles",
        "ce",
        "cette",
        "ces",
        "cela",
        "ceci",
        "mais",
        "cependant",
        "pourtant",
        "en outre",
        "de plus",
        "par ailleurs",
        "donc",
        "toutefois",
        "néanmoins",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
    ),
    "es": (
        "él",
        "ella",
        "ellos",
        "ellas",
        "este",
        "esta",
        "esto",
        "estos",
        "estas",
        "ese",
        "esa",
        "eso",
        "pero",
        "sin embargo",
        "además",
        "por eso",
        "por lo tanto",
        "no obstante",
        "su",
        "sus",
    ),
}
# Chinese words that start like an opener but point nowhere ("其实" is "in fact").
_ZH_EXCEPTIONS = ("其实", "其他", "其余", "这里", "还有", "也许", "并非", "他人", "她人", "而言", "但凡")
_LEADING_QUOTES = "\"'“‘「『《（(【[ \t"


@cache
def _pattern(language: str) -> re.Pattern[str] | None:
    openers = _OPENERS.get(language)
    if openers is None:
        return None
    alternatives = "|".join(re.escape(o) for o in sorted(openers, key=len, reverse=True))
    if language == "zh":
        return re.compile(rf"(?:{alternatives})")
    return re.compile(rf"(?:{alternatives})(?![\w'’-])", re.I)


def opens_by_pointing_back(sentence: str, language: str) -> bool:
    """Whether ``sentence`` opens with a word that refers to what came before."""
    pattern = _pattern(language.split("-")[0].lower())
    if pattern is None:
        return False
    text = sentence.lstrip()
    if language.startswith("zh"):
        # An opening quotation is the speaker's own words, not a reference back.
        if text[:1] in '“「『"' or text.startswith(_ZH_EXCEPTIONS):
            return False
    else:
        text = text.lstrip(_LEADING_QUOTES)
    return pattern.match(text) is not None


def choose_cohesive(ranking: Sequence[int], count: int, points_back: Sequence[bool]) -> list[int]:
    """Positions of ``count`` sentences taken in ``ranking`` order (best first), so that
    a sentence that points back comes with the one before it, or is passed over when
    that one does not fit; passed-over sentences fill the budget only as a last resort."""
    chosen: list[int] = []
    taken: set[int] = set()
    passed: list[int] = []

    def needs(position: int) -> list[int]:
        """The sentences ``position`` brings along: its chain of antecedents."""
        chain = [position]
        while points_back[chain[-1]] and chain[-1] - 1 not in taken:
            if chain[-1] == 0:
                return []  # nothing before it to lean on
            chain.append(chain[-1] - 1)
        return chain

    for position in ranking:
        if len(chosen) >= count:
            break
        if position in taken:
            continue
        group = needs(position)
        if group and len(chosen) + len(group) <= count:
            chosen.extend(group)
            taken.update(group)
        else:
            passed.append(position)
    for position in passed:
        if len(chosen) >= count:
            break
        if position not in taken:
            chosen.append(position)
            taken.add(position)
    return chosen
